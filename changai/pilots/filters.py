"""The filters of the pilot list, shared by the page, its export and the API."""

import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from changai.orgs.models import Kind, Org, PilotLevel

from .models import Pairing, PilotProject, PilotType, PilotUnit

_SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})


@extend_schema_field(OpenApiTypes.INT)
class CityFilter(django_filters.ModelChoiceFilter):
    """A city (设区市) by id: pilots anywhere in its subtree."""


class PilotFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label="搜索",
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": "单位名称、信用代码或批次"}
        ),
    )
    level = django_filters.ChoiceFilter(
        choices=PilotLevel.choices, label="层级", empty_label="全部层级", widget=_SELECT
    )
    pilot_type = django_filters.ModelChoiceFilter(
        queryset=PilotType.objects.all(), label="类型", empty_label="全部类型", widget=_SELECT
    )
    city = CityFilter(
        queryset=Org.objects.filter(kind=Kind.CITY).order_by("code"),
        method="filter_city",
        label="设区市",
        empty_label="全部设区市",
        widget=_SELECT,
    )
    status = django_filters.ChoiceFilter(
        choices=PilotUnit.Status.choices, label="状态", empty_label="全部状态", widget=_SELECT
    )
    batch = django_filters.CharFilter(lookup_expr="icontains", label="批次", widget=forms.HiddenInput)

    class Meta:
        model = PilotUnit
        fields = ["q", "level", "pilot_type", "city", "status", "batch"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(org__name__icontains=value) | Q(org__credit_code__iexact=value.upper()) | Q(batch__icontains=value)
        )

    def filter_city(self, queryset, name, value):
        return queryset.filter(org__path__startswith=value.path)


class PilotProjectFilter(django_filters.FilterSet):
    pilot = django_filters.NumberFilter(field_name="pilot_id", label="试点ID")

    class Meta:
        model = PilotProject
        fields = ["pilot", "pillar", "status"]


class PairingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="搜索")
    pilot = django_filters.NumberFilter(field_name="pilot_id", label="试点ID")

    class Meta:
        model = Pairing
        fields = ["q", "pilot"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(lead_org__name__icontains=value))

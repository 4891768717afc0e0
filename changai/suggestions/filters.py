"""The filters of the suggestion list, shared by the page, its export and the API."""

import django_filters
from django import forms
from django.db.models import Q

from .models import Suggestion, SuggestionCategory

_SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})


class SuggestionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label="搜索",
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": "标题、内容或企业名称"}),
    )
    status = django_filters.ChoiceFilter(
        choices=Suggestion.Status.choices, label="状态", empty_label="全部状态", widget=_SELECT
    )
    category = django_filters.ModelChoiceFilter(
        queryset=SuggestionCategory.objects.all(), label="类别", empty_label="全部类别", widget=_SELECT
    )
    implementation = django_filters.ChoiceFilter(
        choices=Suggestion.Implementation.choices,
        method="filter_implementation",
        label="实施情况",
        empty_label="全部",
        widget=_SELECT,
    )
    channel = django_filters.ChoiceFilter(
        choices=Suggestion.Channel.choices, label="来源", empty_label="全部来源", widget=_SELECT
    )
    org = django_filters.NumberFilter(field_name="org_id", label="企业ID", widget=forms.HiddenInput)

    class Meta:
        model = Suggestion
        fields = ["q", "status", "category", "implementation", "channel", "org"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(content__icontains=value) | Q(org__name__icontains=value))

    def filter_implementation(self, queryset, name, value):
        return queryset.filter(status=Suggestion.Status.ADOPTED, implementation=value)

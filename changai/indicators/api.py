"""The figures API: the indicator catalogue, the report forms and the values, scoped like the pages."""

from decimal import Decimal

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission

from changai.core.periods import InvalidPeriod, Period
from changai.orgs.models import Org

from . import rollups
from .models import DataSet, DataSetIndicator, DataValue, Indicator, Pillar, Rollup, Source


@extend_schema_field(OpenApiTypes.STR)
class NumberField(serializers.Field):
    """A decimal as a string without the storage's trailing zeros ("12", "33.5"), null when missing."""

    def to_representation(self, value):
        if value is None:
            return None
        normalized = Decimal(value).normalize()
        return f"{normalized:f}"


class Allows(BasePermission):
    """The request's user holds every permission the view lists in `required_perms`."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(view.get_required_perms()))


# ---------------------------------------------------------------------------- catalogue


class IndicatorSerializer(serializers.ModelSerializer):
    numerator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    denominator = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit",
            "pillar",
            "aggregation",
            "source",
            "numerator",
            "denominator",
            "integer_only",
            "description",
            "is_active",
        ]


class IndicatorFilter(django_filters.FilterSet):
    pillar = django_filters.ChoiceFilter(choices=Pillar.choices)
    source = django_filters.ChoiceFilter(choices=Source.choices)

    class Meta:
        model = Indicator
        fields = ["pillar", "source", "aggregation", "is_active"]


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """The indicator catalogue; `search` matches name and code."""

    serializer_class = IndicatorSerializer
    permission_classes = [Allows]
    filterset_class = IndicatorFilter
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name", "pillar", "sort"]
    ordering = ["pillar", "sort", "code"]
    lookup_field = "code"
    lookup_url_kwarg = "indicator_code"
    queryset = Indicator.objects.select_related("numerator", "denominator")

    def get_required_perms(self):
        return ["indicators.view_indicator"]


class DataSetSerializer(serializers.ModelSerializer):
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = DataSet
        fields = [
            "code",
            "name",
            "period_type",
            "reporting_kinds",
            "open_offset_days",
            "deadline_days",
            "change_warning_pct",
            "is_active",
            "indicators",
        ]

    def get_indicators(self, dataset) -> list[str]:
        return [link.indicator.code for link in dataset.links.all()]


class DataSetViewSet(viewsets.ReadOnlyModelViewSet):
    """The report forms with their indicator codes in form order."""

    serializer_class = DataSetSerializer
    permission_classes = [Allows]
    filterset_fields = ["period_type", "is_active"]
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]
    lookup_field = "code"
    lookup_url_kwarg = "dataset_code"
    queryset = DataSet.objects.prefetch_related(
        Prefetch("links", queryset=DataSetIndicator.objects.select_related("indicator").order_by("sort", "pk"))
    )

    def get_required_perms(self):
        return ["indicators.view_dataset"]


# ---------------------------------------------------------------------------- values


class DataValueSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    value = NumberField()

    class Meta:
        model = DataValue
        fields = [
            "id",
            "indicator",
            "org",
            "org_name",
            "period",
            "value",
            "approved",
            "explanation",
            "provenance",
            "updated_at",
        ]


class RollupSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    value = NumberField()

    class Meta:
        model = Rollup
        fields = ["indicator", "org", "org_name", "period", "value", "refreshed_at"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("indicator", str, description="指标代码"),
            OpenApiParameter("org", int, description="组织ID（须在管辖范围内）"),
            OpenApiParameter("period", str, description="期间代码，如 2026Q3、2026M07、2026"),
            OpenApiParameter("rollup", str, description="1：返回汇总数（含下级）；否则返回原始填报值"),
            OpenApiParameter("approved", str, description="原始值是否已审核：1 或 0"),
        ]
    )
)
class ValueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Figures by `indicator` (code), `org` (id, must be in your scope) and `period` (code, e.g. 2026Q3).

    Without `rollup` the raw values entered or imported for the org are listed (`approved` filters them);
    with `rollup=1` the figures rolled up the org's subtree are listed from the rollup table (`org` required).
    """

    permission_classes = [Allows]
    filter_backends: list = []
    serializer_class = DataValueSerializer

    def is_rollup(self) -> bool:
        return self.request.query_params.get("rollup", "") in ("1", "true", "yes")

    def get_required_perms(self):
        if self.is_rollup():
            return ["indicators.view_indicator"]
        return ["indicators.view_indicator", "indicators.view_datavalue"]

    def get_serializer_class(self):
        return RollupSerializer if self.is_rollup() else DataValueSerializer

    def _org(self) -> Org | None:
        raw = self.request.query_params.get("org", "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise ValidationError({"org": "请填写组织ID。"})
        return get_object_or_404(Org.objects.visible_to(self.request.user), pk=int(raw))

    def _indicator(self) -> Indicator | None:
        code = self.request.query_params.get("indicator", "").strip()
        return get_object_or_404(Indicator, code=code) if code else None

    def _period(self) -> str | None:
        code = self.request.query_params.get("period", "").strip()
        if not code:
            return None
        try:
            return Period.parse(code).code
        except InvalidPeriod as exc:
            raise ValidationError({"period": str(exc)}) from exc

    def get_queryset(self):
        org, indicator, period = self._org(), self._indicator(), self._period()
        if self.is_rollup():
            return self._rollups(org, indicator, period)
        values = DataValue.objects.visible_to(self.request.user).select_related("indicator", "org")
        if org is not None:
            values = values.filter(org=org)
        if indicator is not None:
            values = values.filter(indicator=indicator)
        if period is not None:
            values = values.filter(period=period)
        approved = self.request.query_params.get("approved", "")
        if approved in ("0", "1", "true", "false"):
            values = values.filter(approved=approved in ("1", "true"))
        return values.order_by("indicator__code", "org__path", "period")

    def _rollups(self, org, indicator, period):
        if org is None:
            raise ValidationError({"org": "汇总数请指定组织（org）。"})
        if indicator is not None and period is not None:
            rollups.figure(indicator, org, period)  # a computed indicator fills its cell on demand
        cells = Rollup.objects.filter(org=org).select_related("indicator", "org")
        if indicator is not None:
            cells = cells.filter(indicator=indicator)
        if period is not None:
            cells = cells.filter(period=period)
        return cells.order_by("indicator__code", "period")

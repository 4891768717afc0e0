"""Read-only API of spot checks, brands and meetings, scoped like the pages."""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from changai.orgs.api import ScopedModelPermissions

from . import services
from .models import Brand, Decision, Finding, Meeting, Rectification, SampledItem, SpotCheck


class RectificationSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Rectification
        fields = ["id", "task", "unit", "unit_name", "deadline", "status", "done_at", "note"]


class FindingSerializer(serializers.ModelSerializer):
    rectifications = RectificationSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "item", "text", "severity", "recorded_at", "rectifications"]


class SpotCheckSerializer(serializers.ModelSerializer):
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    org = serializers.IntegerField(source="plan.org_id", read_only=True)
    seed = serializers.CharField(read_only=True)
    items = serializers.SerializerMethodField(help_text="抽中任务ID，按抽取顺序")
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = SpotCheck
        fields = [
            "id",
            "plan",
            "plan_title",
            "org",
            "period",
            "sample_pct",
            "seed",
            "checker",
            "created_at",
            "items",
            "findings",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_items(self, obj):
        return [row.item_id for row in obj.sample_rows.all()]


class SpotCheckFilter(django_filters.FilterSet):
    # Plain numbers, not model choices: an unknown id and an id outside scope answer alike (an empty list).
    plan = django_filters.NumberFilter(field_name="plan_id")
    period = django_filters.CharFilter()


class SpotCheckViewSet(viewsets.ReadOnlyModelViewSet):
    """Quarterly spot checks of plans in scope, with the sample, findings and rectifications."""

    serializer_class = SpotCheckSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_class = SpotCheckFilter
    ordering_fields = ["period", "created_at"]
    ordering = ["-period", "-created_at"]

    def get_queryset(self):
        rows = Prefetch("sample_rows", queryset=SampledItem.objects.order_by("position"))
        findings = Prefetch("findings", queryset=Finding.objects.prefetch_related("rectifications__unit"))
        return SpotCheck.objects.visible_to(self.request.user).select_related("plan").prefetch_related(rows, findings)


class BrandSerializer(serializers.ModelSerializer):
    item_title = serializers.CharField(source="item.title", read_only=True)
    org = serializers.IntegerField(source="item.plan.org_id", read_only=True)
    latest_total = serializers.SerializerMethodField()
    latest_max = serializers.SerializerMethodField()
    latest_date = serializers.DateField(read_only=True)

    class Meta:
        model = Brand
        fields = ["id", "name", "item", "item_title", "org", "promoted_at", "latest_total", "latest_max", "latest_date"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_latest_total(self, obj):
        return services.fmt(obj.latest_total) if obj.latest_total is not None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_latest_max(self, obj):
        return services.fmt(obj.latest_max) if obj.latest_max is not None else None


class BrandViewSet(viewsets.ReadOnlyModelViewSet):
    """Brands of the items in scope, ranked by their latest evaluation; scores are strings ("10.5")."""

    serializer_class = BrandSerializer
    permission_classes = [ScopedModelPermissions]
    search_fields = ["name", "item__title"]

    def get_queryset(self):
        brands = Brand.objects.visible_to(self.request.user).select_related("item__plan")
        return services.ranked(brands)


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "text", "lead_unit", "deadline", "items"]


class MeetingSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "org", "org_name", "kind", "title", "date", "attendees", "minutes", "decisions"]


class MeetingFilter(django_filters.FilterSet):
    org = django_filters.NumberFilter(field_name="org_id")
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices)


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Joint and progress meetings convened in scope or attended by one of the user's units."""

    serializer_class = MeetingSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_class = MeetingFilter
    search_fields = ["title"]
    ordering_fields = ["date"]
    ordering = ["-date", "-pk"]

    def get_queryset(self):
        decisions = Prefetch("decisions", queryset=Decision.objects.prefetch_related("items"))
        meetings = Meeting.objects.visible_to(self.request.user).select_related("org")
        return meetings.prefetch_related("attendees", decisions)

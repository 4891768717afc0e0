"""Rosters and allowance policies through the API: read-only, scoped; identity numbers always masked."""

from django.db.models import Prefetch
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from changai.orgs.api import ScopedModelPermissions

from .models import LINE_FIGURES, AllowancePolicy, PolicyLevelAmount, RewardRule, Roster, RosterLine, TalentTier

DETAIL_LINES = 500


class RosterLineSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    # Plain strings: the choice sets would collide by name with other apps' in the schema.
    tier = serializers.CharField(read_only=True)
    change = serializers.CharField(read_only=True)

    class Meta:
        model = RosterLine
        fields = ["worker", "enterprise", "enterprise_name", *LINE_FIGURES]


class RosterSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    approved_by = serializers.SerializerMethodField()

    class Meta:
        model = Roster
        fields = [
            "id",
            "org",
            "org_name",
            "whole_group",
            "month",
            "status",
            "status_label",
            "computed_at",
            "approved_by",
            "approved_at",
            "line_count",
            "paid_count",
            "changed_count",
            "total_amount",
            "reward_amount",
            "totals",
        ]

    def get_approved_by(self, roster) -> str:
        return str(roster.approved_by) if roster.approved_by else ""


class RosterDetailSerializer(RosterSerializer):
    lines = serializers.SerializerMethodField()
    lines_url = serializers.SerializerMethodField()

    class Meta(RosterSerializer.Meta):
        fields = [*RosterSerializer.Meta.fields, "policy_snapshot", "lines", "lines_url"]

    def get_lines(self, roster) -> list:
        """The first 500 lines; all of them, page by page, at lines_url."""
        lines = roster.lines.select_related("enterprise").order_by("enterprise_id", "name", "pk")[:DETAIL_LINES]
        return RosterLineSerializer(lines, many=True).data

    def get_lines_url(self, roster) -> str:
        request = self.context.get("request")
        path = f"/api/v1/rosters/{roster.pk}/lines/"
        return request.build_absolute_uri(path) if request else path


class RosterViewSet(viewsets.ReadOnlyModelViewSet):
    """Monthly allowance rosters of the enterprises and groups in scope; lines with masked identity numbers."""

    serializer_class = RosterDetailSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["month", "status", "org", "whole_group"]
    search_fields = ["org__name"]

    def get_queryset(self):
        return (
            Roster.objects.visible_to(self.request.user).select_related("org", "approved_by").order_by("-month", "pk")
        )

    def get_serializer_class(self):
        return RosterSerializer if self.action == "list" else RosterDetailSerializer

    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None, format=None):
        roster = self.get_object()
        lines = roster.lines.select_related("enterprise").order_by("enterprise_id", "name", "pk")
        change = request.query_params.get("change")
        if change:
            lines = lines.filter(change=change)
        page = self.paginate_queryset(lines)
        return self.get_paginated_response(RosterLineSerializer(page, many=True).data)


class AllowancePolicySerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    mid_month_rule = serializers.CharField(read_only=True)
    levels = serializers.SerializerMethodField()
    tiers = serializers.SerializerMethodField()
    rewards = serializers.SerializerMethodField()

    class Meta:
        model = AllowancePolicy
        fields = [
            "id",
            "org",
            "org_name",
            "name",
            "effective_from",
            "effective_to",
            "mid_month_rule",
            "titles_count",
            "notes",
            "levels",
            "tiers",
            "rewards",
        ]

    def get_levels(self, policy) -> dict:
        return {str(row.level): str(row.amount) for row in policy.level_amounts.all()}

    def get_tiers(self, policy) -> dict:
        return {row.tier: str(row.amount) for row in policy.tiers.all()}

    def get_rewards(self, policy) -> dict:
        return {str(row.level): str(row.amount) for row in policy.reward_rules.all()}


class AllowancePolicyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AllowancePolicySerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["org"]
    search_fields = ["name", "org__name"]

    def get_queryset(self):
        return (
            AllowancePolicy.objects.visible_to(self.request.user)
            .select_related("org")
            .prefetch_related(
                Prefetch("level_amounts", queryset=PolicyLevelAmount.objects.order_by("level")),
                Prefetch("tiers", queryset=TalentTier.objects.order_by("tier")),
                Prefetch("reward_rules", queryset=RewardRule.objects.order_by("level")),
            )
            .order_by("org_id", "-effective_from")
        )


ROUTES = [
    ("rosters", RosterViewSet, "roster"),
    ("allowance-policies", AllowancePolicyViewSet, "allowance-policy"),
]

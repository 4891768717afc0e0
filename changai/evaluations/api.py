"""The assessment API: scorecards in the user's scope; an assessed org sees the scorecard and only its own row."""

from django.db.models import Count
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from changai.orgs.api import ScopedModelPermissions

from . import services
from .models import Assessee, Scorecard, ScoreRule
from .permissions import sees_all_rows


class RuleSerializer(serializers.ModelSerializer):
    max_score = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)

    class Meta:
        model = ScoreRule
        fields = ["id", "name", "kind", "points", "per_unit_deduction", "cap", "max_score", "description", "sort"]


class ScorecardSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    assessee_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Scorecard
        fields = ["id", "org", "org_name", "year", "title", "max_points", "status", "assessee_count", "closed_at"]


def _mark(value) -> str | None:
    return None if value is None else services.fmt(value)


class ScorecardDetailSerializer(ScorecardSerializer):
    rules = RuleSerializer(many=True, read_only=True)
    rows = serializers.SerializerMethodField(help_text="被考核单位得分：考核单位及其上级可见全部，被考核单位仅见本单位")

    class Meta(ScorecardSerializer.Meta):
        fields = [*ScorecardSerializer.Meta.fields, "description", "rules", "rows"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_rows(self, scorecard) -> list[dict]:
        user = self.context["request"].user
        all_rows = sees_all_rows(user, scorecard)
        assessees = scorecard.assessees.select_related("org")
        if not all_rows:
            assessees = assessees.filter(pk__in=Assessee.objects.own(user).values("pk"))
        return [self._row(row, all_rows) for row in services.ranking(scorecard, assessees)]

    def _row(self, row, with_rank: bool) -> dict:
        totals = row.totals
        return {
            "assessee": row.assessee.pk,
            "org": row.assessee.org_id,
            "org_name": row.assessee.org.name,
            "rank": row.rank if with_rank else None,
            "total": _mark(totals.total),
            "sum": _mark(totals.sum),
            "self_sum": _mark(totals.self_sum) if totals.self_entered else None,
            "scores": [
                {
                    "rule": score.rule_id,
                    "self_score": _mark(score.self_score),
                    "auto_score": _mark(score.auto_score),
                    "reviewer_score": _mark(score.reviewer_score),
                    "effective": _mark(score.effective),
                    "evidence": score.evidence.get("summary", ""),
                }
                for score in row.marks
                if score is not None
            ],
        }


class ScorecardViewSet(viewsets.ReadOnlyModelViewSet):
    """Assessments (考核) by `year` and `status`; the detail lists rules and marks (own row only for an assessee)."""

    serializer_class = ScorecardSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["year", "status"]
    search_fields = ["title", "org__name"]
    ordering_fields = ["year", "title"]
    ordering = ["-year", "pk"]

    def get_serializer_class(self):
        return ScorecardDetailSerializer if self.action == "retrieve" else ScorecardSerializer

    def get_queryset(self):
        scorecards = Scorecard.objects.visible_to(self.request.user).select_related("org")
        if self.action == "retrieve":
            scorecards = scorecards.prefetch_related("rules")
        return scorecards.annotate(assessee_count=Count("assessees"))

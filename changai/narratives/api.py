"""Reports and their figures through the API: read and review within scope, and a stateless extraction endpoint."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from changai.api.services import call_service
from changai.indicators.models import Indicator
from changai.orgs.api import ScopedModelPermissions
from changai.orgs.models import Org

from . import services
from .extraction import extract
from .models import FactProposal, NarrativeReport


class FactProposalSerializer(serializers.ModelSerializer):
    report_title = serializers.CharField(source="report.title", read_only=True)
    suggested_indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    org_name = serializers.CharField(source="org.name", default="", read_only=True)
    # Plain strings: the choice sets would collide by name with other apps' in the schema.
    status = serializers.CharField(read_only=True)
    qualifier = serializers.CharField(read_only=True)

    class Meta:
        model = FactProposal
        fields = [
            "id",
            "report",
            "report_title",
            "position",
            "start",
            "end",
            "quote",
            "value",
            "value_max",
            "unit",
            "qualifier",
            "period_phrase",
            "subject",
            "suggested_indicator",
            "status",
            "indicator",
            "org",
            "org_name",
            "period",
            "accepted_value",
            "data_value",
            "note",
            "reviewed_at",
        ]


class NarrativeReportSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    file_type = serializers.CharField(read_only=True)

    class Meta:
        model = NarrativeReport
        fields = ["id", "org", "org_name", "period", "title", "file_type", "author", "uploaded_at", "text"]


class NarrativeReportViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NarrativeReportSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["org", "period"]
    search_fields = ["title"]

    def get_queryset(self):
        return NarrativeReport.objects.visible_to(self.request.user).select_related("org").order_by("-uploaded_at")


class AcceptSerializer(serializers.Serializer):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    org = serializers.IntegerField()
    period = serializers.CharField(max_length=8)
    value = serializers.CharField(max_length=24)
    replace = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ExtractSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=200_000)


class CanReview(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(services.REVIEW_PERM))


class FactProposalViewSet(viewsets.ReadOnlyModelViewSet):
    """Figures read from reports. `accept` and `reject` review one; `extract` reads a text without storing it."""

    serializer_class = FactProposalSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["report", "status", "unit"]
    search_fields = ["quote"]

    def get_permissions(self):
        if self.action in ("accept", "reject"):
            return [CanReview()]
        return super().get_permissions()

    def get_queryset(self):
        return (
            FactProposal.objects.visible_to(self.request.user)
            .select_related("report", "suggested_indicator", "indicator", "org")
            .order_by("report_id", "position")
        )

    @extend_schema(request=AcceptSerializer, responses=FactProposalSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, **kwargs):
        fact = self.get_object()
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        org = get_object_or_404(Org.objects.visible_to(request.user), pk=values.pop("org"))
        fact = call_service(services.accept, request.user, fact, org=org, **values)
        return Response(self.get_serializer(fact).data)

    @extend_schema(
        request=inline_serializer("RejectFact", {"note": serializers.CharField(required=False)}),
        responses=FactProposalSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None, **kwargs):
        fact = call_service(services.reject, request.user, self.get_object(), str(request.data.get("note", "")))
        return Response(self.get_serializer(fact).data)

    @extend_schema(
        request=ExtractSerializer,
        responses=inline_serializer(
            "ExtractedFact",
            {
                "quote": serializers.CharField(),
                "value": serializers.JSONField(),
                "unit": serializers.CharField(),
                "qualifier": serializers.CharField(),
                "period": serializers.CharField(allow_null=True),
                "subject": serializers.CharField(allow_null=True),
                "indicator": serializers.CharField(allow_null=True),
            },
            many=True,
        ),
    )
    @action(detail=False, methods=["post"], permission_classes=[IsAuthenticated])
    def extract(self, request, **kwargs):
        """The figures of a text, as `manage.py extract_facts --json` prints them; nothing is stored."""
        data = ExtractSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        facts = extract(data.validated_data["text"], services.catalogue_hints())
        return Response([fact.as_json() for fact in facts])


ROUTES = [
    ("narrative-reports", NarrativeReportViewSet, "narrative-report"),
    ("narrative-facts", FactProposalViewSet, "narrative-fact"),
]

"""Demands through the API: read-only, scoped, with the timeline and assignments; contact for the office only."""

from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from changai.orgs.api import ScopedModelPermissions

from . import services
from .models import Assignment, Demand, DemandEvent


class DemandEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    unit_name = serializers.CharField(source="unit.name", default="", read_only=True)

    class Meta:
        model = DemandEvent
        fields = ["kind", "text", "actor", "unit", "unit_name", "at"]

    def get_actor(self, event) -> str:
        return str(event.actor) if event.actor else ""


class AssignmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    due = serializers.DateField(read_only=True)
    # Plain strings: the choice sets would collide by name with other apps' in the schema.
    role = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    escalation = serializers.CharField(read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "unit",
            "unit_name",
            "role",
            "status",
            "routed_at",
            "ack_due",
            "answer_due",
            "due",
            "acknowledged_at",
            "answer",
            "policy_basis",
            "answered_at",
            "return_reason",
            "extension_until",
            "extension_reason",
            "extension_approved",
            "escalation",
            "chased_at",
            "circulated_at",
        ]


class DemandSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    channel = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    rating = serializers.CharField(read_only=True)
    raiser = serializers.CharField(source="raiser_label", read_only=True)
    contact = serializers.SerializerMethodField()
    events = DemandEventSerializer(many=True, read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Demand
        fields = [
            "id",
            "number",
            "org",
            "org_name",
            "category",
            "category_name",
            "title",
            "content",
            "channel",
            "raiser",
            "anonymous",
            "contact",
            "status",
            "status_label",
            "merged_into",
            "plan_text",
            "plan_date",
            "implementation_note",
            "implementation_reported_at",
            "implemented_at",
            "confirmed_by_office",
            "rating",
            "rating_comment",
            "rated_at",
            "reopen_count",
            "created_at",
            "answered_at",
            "closed_at",
            "events",
            "assignments",
        ]

    def get_contact(self, demand) -> str | None:
        """Kept for the handling office's follow-up: null for everyone else."""
        request = self.context.get("request")
        if request is not None and services.can_see_contact(request.user, demand):
            return demand.contact
        return None


class DemandViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DemandSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["status", "category", "org", "channel"]
    search_fields = ["title", "number"]

    def get_queryset(self):
        return (
            Demand.objects.visible_to(self.request.user)
            .select_related("org", "category", "raised_by")
            .prefetch_related(
                Prefetch("events", queryset=DemandEvent.objects.select_related("actor", "unit")),
                Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
            )
            .order_by("-created_at", "-pk")
        )

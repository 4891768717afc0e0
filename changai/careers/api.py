"""Career moves and title-bridge applications through the API: read-only, scoped, identity numbers masked."""

from rest_framework import serializers, viewsets

from changai.orgs.api import ScopedModelPermissions

from .models import CareerMove, TitleApplication


class CareerMoveSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    worker_id_number = serializers.CharField(source="worker.id_masked", read_only=True, help_text="脱敏的身份证号")
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    # Plain strings: the choice sets would collide by name with other apps' in the schema.
    kind = serializers.CharField(read_only=True)
    from_sequence = serializers.CharField(read_only=True)
    to_sequence = serializers.CharField(read_only=True)

    class Meta:
        model = CareerMove
        fields = [
            "id",
            "worker",
            "worker_name",
            "worker_id_number",
            "enterprise",
            "enterprise_name",
            "kind",
            "from_sequence",
            "from_grade",
            "to_sequence",
            "to_grade",
            "frontline_promotion",
            "effective_on",
            "approving_body",
            "approving_org",
            "document",
            "note",
        ]


class TitleApplicationSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    worker_id_number = serializers.CharField(source="worker.id_masked", read_only=True, help_text="脱敏的身份证号")
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    target_rank = serializers.IntegerField(read_only=True)
    target_rank_label = serializers.CharField(source="get_target_rank_display", read_only=True)
    qualifying_level = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = TitleApplication
        fields = [
            "id",
            "worker",
            "worker_name",
            "worker_id_number",
            "enterprise",
            "enterprise_name",
            "target_rank",
            "target_rank_label",
            "qualifying_level",
            "specialty",
            "body",
            "submitted_on",
            "status",
            "decided_on",
            "decision_note",
            "title",
        ]


class CareerMoveViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CareerMoveSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["enterprise", "worker", "kind", "frontline_promotion"]
    search_fields = ["worker__name"]

    def get_queryset(self):
        moves = CareerMove.objects.visible_to(self.request.user)
        return moves.select_related("worker", "enterprise").order_by("-effective_on", "-pk")


class TitleApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TitleApplicationSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["enterprise", "worker", "status", "target_rank"]
    search_fields = ["worker__name"]

    def get_queryset(self):
        applications = TitleApplication.objects.visible_to(self.request.user)
        return applications.select_related("worker", "enterprise").order_by("-submitted_on", "-pk")


ROUTES = [
    ("career-moves", CareerMoveViewSet, "career-move"),
    ("title-applications", TitleApplicationViewSet, "title-application"),
]

from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from changai.api.services import call_service as _call
from changai.orgs.api import ScopedModelPermissions
from changai.orgs.models import Org

from . import services
from .models import Checkpoint, Plan, PlanItem, SupervisionNotice


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "id",
            "org",
            "year",
            "kind",
            "title",
            "cadence",
            "checkpoint_due_days",
            "notice_reply_days",
            "circulate_after_days",
            "copied_from",
        ]
        read_only_fields = ["copied_from"]


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = PlanSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["year", "kind", "org"]
    search_fields = ["title"]

    def get_queryset(self):
        return Plan.objects.visible_to(self.request.user).order_by("-year", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        org = data.pop("org")
        if not Org.objects.visible_to(self.request.user).filter(pk=org.pk).exists():
            raise ApiValidationError({"org": "该单位不存在或不在您的管辖范围内。"})
        serializer.instance = _call(services.create_plan, self.request.user, org, **data)


class PlanItemSerializer(serializers.ModelSerializer):
    light_label = serializers.CharField(source="get_light_display", read_only=True)

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "plan",
            "parent",
            "number",
            "title",
            "pillar",
            "lead_unit",
            "supporting_units",
            "target",
            "target_value",
            "starts_on",
            "deadline",
            "evidence_required",
            "adopted_from",
            "status",
            "progress",
            "light",
            "light_label",
        ]
        read_only_fields = ["adopted_from", "status", "progress", "light"]


class ProgressSerializer(serializers.Serializer):
    percent = serializers.IntegerField(min_value=0, max_value=100)
    narrative = serializers.CharField()


class PlanItemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = PlanItemSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["plan", "light", "status", "pillar", "lead_unit"]
    search_fields = ["title", "number"]

    def get_queryset(self):
        return PlanItem.objects.visible_to(self.request.user).prefetch_related("supporting_units").order_by("pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        plan = data.pop("plan")
        if not Plan.objects.visible_to(self.request.user).filter(pk=plan.pk).exists():
            raise ApiValidationError({"plan": "该计划不存在或不在您的管辖范围内。"})
        supporting = data.pop("supporting_units", [])
        serializer.instance = _call(services.add_item, self.request.user, plan, supporting_units=supporting, **data)

    @action(detail=True, methods=["post"], serializer_class=ProgressSerializer, permission_classes=[IsAuthenticated])
    def progress(self, request, pk=None, **kwargs):
        """Report progress against the item's next checkpoint."""
        item = self.get_object()
        payload = ProgressSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        _call(services.submit_progress, request.user, item, **payload.validated_data)
        item.refresh_from_db()
        return Response(PlanItemSerializer(item).data)


class CheckpointSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Checkpoint
        fields = ["id", "item", "kind", "kind_label", "period", "due_on", "submitted_at"]


class CheckpointViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CheckpointSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["item", "kind", "period"]

    def get_queryset(self):
        return Checkpoint.objects.filter(item__in=PlanItem.objects.visible_to(self.request.user)).order_by("due_on")


class NoticeSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SupervisionNotice
        fields = [
            "id",
            "item",
            "unit",
            "reason",
            "issued_at",
            "reply_due",
            "status",
            "status_label",
            "chased_at",
            "circulated_at",
            "reply",
            "replied_at",
        ]


class AnswerSerializer(serializers.Serializer):
    reply = serializers.CharField()


class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NoticeSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["item", "unit", "status"]

    def get_queryset(self):
        items = PlanItem.objects.visible_to(self.request.user)
        return SupervisionNotice.objects.filter(item__in=items).order_by("-issued_at")

    @action(detail=True, methods=["post"], serializer_class=AnswerSerializer, permission_classes=[IsAuthenticated])
    def answer(self, request, pk=None, **kwargs):
        notice = self.get_object()
        payload = AnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        _call(services.answer_notice, request.user, notice, payload.validated_data["reply"])
        notice.refresh_from_db()
        return Response(NoticeSerializer(notice).data)

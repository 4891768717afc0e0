from django.db.models import Count, Q
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response

from changai.api.services import call_service as _call
from changai.orgs.api import ScopedModelPermissions
from changai.orgs.models import Org

from . import services
from .filters import PolicyFilter, ReceiptFilter
from .models import TARGET_KINDS, Policy, PolicyAttachment, Receipt
from .permissions import is_publisher_side


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = PolicyAttachment
        fields = ["id", "name", "size", "uploaded_at", "url"]

    def get_url(self, attachment) -> str:
        return reverse("policies:attachment", kwargs={"attachment_pk": attachment.pk})


class PolicySerializer(serializers.ModelSerializer):
    """Orgs are looked up only among those the user sees, so outside the scope reads as "does not exist"."""

    issuer = serializers.PrimaryKeyRelatedField(queryset=Org.objects.none())
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    target_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=[(k.value, k.label) for k in TARGET_KINDS]), required=False
    )
    listed_orgs = serializers.PrimaryKeyRelatedField(queryset=Org.objects.none(), many=True, required=False)
    attachments = AttachmentSerializer(many=True, read_only=True)
    receipts_total = serializers.IntegerField(read_only=True, default=None, help_text="送达单位数（仅发布方可见）")
    receipts_read = serializers.IntegerField(read_only=True, default=None, help_text="已读单位数（仅发布方可见）")

    class Meta:
        model = Policy
        fields = [
            "id",
            "title",
            "issuer",
            "issuer_name",
            "doc_number",
            "body",
            "effective_from",
            "effective_to",
            "status",
            "target_kinds",
            "pilots_only",
            "listed_orgs",
            "published_at",
            "withdrawn_at",
            "attachments",
            "receipts_total",
            "receipts_read",
        ]
        read_only_fields = ["status", "published_at", "withdrawn_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        visible = Org.objects.visible_to(request.user) if request else Org.objects.none()
        self.fields["issuer"].queryset = visible
        self.fields["listed_orgs"].child_relation.queryset = visible

    def to_representation(self, policy):
        data = super().to_representation(policy)
        request = self.context.get("request")
        if request is None or not is_publisher_side(request.user, policy):
            # The receiving side sees the measure, not whom else it went to.
            for name in ("target_kinds", "pilots_only", "listed_orgs", "receipts_total", "receipts_read"):
                data.pop(name, None)
        return data


class ReceiptSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    read_by = serializers.StringRelatedField()

    class Meta:
        model = Receipt
        fields = ["org", "org_name", "read_at", "read_by", "reminded_at", "remind_count"]


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="撤回原因（必填）")


class RemindResultSerializer(serializers.Serializer):
    orgs = serializers.IntegerField(help_text="被提醒的未读单位数")
    users = serializers.IntegerField(help_text="收到提醒的用户数")


class ViewToAct(ScopedModelPermissions):
    """For actions whose own service function checks the finer rights: reading the model is enough to ask."""

    perms_map = {**ScopedModelPermissions.perms_map, "POST": ["%(app_label)s.view_%(model_name)s"]}


class PolicyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Policies the user sees (issued in scope, or sent to one of the user's orgs). Retrieving one as a receiving
    org's user marks its receipt read; `publish`, `withdraw`, `remind` and `receipts` are for the issuing side."""

    serializer_class = PolicySerializer
    permission_classes = [ScopedModelPermissions]
    filterset_class = PolicyFilter
    search_fields = ["title", "doc_number", "issuer__name"]
    ordering_fields = ["published_at", "effective_from"]
    ordering = ["-published_at", "-id"]

    def get_queryset(self):
        return (
            Policy.objects.visible_to(self.request.user)
            .select_related("issuer")
            .prefetch_related("attachments", "listed_orgs")
            .annotate(
                receipts_total=Count("receipts"),
                receipts_read=Count("receipts", filter=Q(receipts__read_at__isnull=False)),
            )
        )

    def retrieve(self, request, *args, **kwargs):
        policy = self.get_object()
        if services.mark_read(request.user, policy):
            policy = self.get_queryset().get(pk=policy.pk)
        return Response(self.get_serializer(policy).data)

    def perform_create(self, serializer):
        serializer.instance = _call(services.create_policy, self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = _call(
            services.update_policy, self.request.user, serializer.instance, **serializer.validated_data
        )

    def _reloaded(self, policy):
        return self.get_serializer(self.get_queryset().get(pk=policy.pk)).data

    @extend_schema(request=None, responses=PolicySerializer)
    @action(detail=True, methods=["post"], permission_classes=[ViewToAct])
    def publish(self, request, pk=None, format=None):
        policy = _call(services.publish_policy, request.user, self.get_object())
        return Response(self._reloaded(policy))

    @extend_schema(request=WithdrawSerializer, responses=PolicySerializer)
    @action(detail=True, methods=["post"], permission_classes=[ViewToAct])
    def withdraw(self, request, pk=None, format=None):
        payload = WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        policy = _call(services.withdraw_policy, request.user, self.get_object(), **payload.validated_data)
        return Response(self._reloaded(policy))

    @extend_schema(request=None, responses=RemindResultSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ViewToAct])
    def remind(self, request, pk=None, format=None):
        orgs, users = _call(services.remind_unread, request.user, self.get_object())
        return Response({"orgs": orgs, "users": users})

    @extend_schema(responses=ReceiptSerializer(many=True))
    @action(detail=True, methods=["get"])
    def receipts(self, request, pk=None, format=None):
        policy = self.get_object()
        if not is_publisher_side(request.user, policy):
            raise ApiPermissionDenied("只有发布方可以查看阅读回执。")
        receipts = Receipt.objects.filter(policy=policy).select_related("org", "read_by").order_by("org__path")
        receipts = ReceiptFilter(request.query_params, queryset=receipts).qs
        page = self.paginate_queryset(receipts)
        return self.get_paginated_response(ReceiptSerializer(page, many=True).data)

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from changai.api.services import call_service as _call
from changai.orgs.api import ScopedModelPermissions
from changai.orgs.models import Org

from . import services
from .filters import SuggestionFilter
from .models import Suggestion, SuggestionCategory, SuggestionEvent
from .permissions import can_review

CONTACT_FIELDS = ("contact_name", "contact_phone")


class SuggestionEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = SuggestionEvent
        fields = ["action", "actor", "at", "comment"]


class SuggestionSerializer(serializers.ModelSerializer):
    """The proposer's name and phone are write-only here; only a reviewer's detail view shows them."""

    org = serializers.PrimaryKeyRelatedField(queryset=Org.objects.none())
    org_name = serializers.CharField(source="org.name", read_only=True)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=SuggestionCategory.objects.filter(is_active=True)
    )
    proposer = serializers.CharField(read_only=True)
    contact_name = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=40)
    contact_phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "org",
            "org_name",
            "title",
            "content",
            "category",
            "channel",
            "proposer",
            "status",
            "decision_reason",
            "reward",
            "implementation",
            "decided_at",
            "created_at",
            *CONTACT_FIELDS,
        ]
        read_only_fields = [
            "channel",
            "status",
            "decision_reason",
            "reward",
            "implementation",
            "decided_at",
            "created_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["org"].queryset = Org.objects.visible_to(request.user) if request else Org.objects.none()


class SuggestionDetailSerializer(SuggestionSerializer):
    events = SuggestionEventSerializer(many=True, read_only=True)
    contact = serializers.SerializerMethodField(help_text="提出人姓名和电话，仅处理单位可见")

    class Meta(SuggestionSerializer.Meta):
        fields = [*SuggestionSerializer.Meta.fields, "events", "contact"]

    def get_contact(self, suggestion) -> dict | None:
        request = self.context.get("request")
        if request is None or not can_review(request.user, suggestion):
            return None
        return {"name": suggestion.contact_name, "phone": suggestion.contact_phone}


class ReviewSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(services.SERVICES))
    reward = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, help_text="采纳或确定奖励时的金额（元）"
    )
    reason = serializers.CharField(required=False, allow_blank=True, help_text="不予采纳的理由（必填）")
    comment = serializers.CharField(required=False, allow_blank=True)
    implementation = serializers.ChoiceField(
        choices=Suggestion.Implementation.choices, required=False, help_text="更新实施情况时的新状态"
    )

    def service_kwargs(self) -> dict:
        data = self.validated_data
        name = data["action"]
        if name == "adopt":
            return {"reward": data.get("reward"), "comment": data.get("comment", "")}
        if name == "decline":
            return {"reason": data.get("reason", "")}
        if name == "reward":
            return {"amount": data.get("reward")}
        return {"status": data.get("implementation", ""), "comment": data.get("comment", "")}


class ViewToAct(ScopedModelPermissions):
    """For actions whose own service function checks the finer rights: reading the model is enough to ask."""

    perms_map = {**ScopedModelPermissions.perms_map, "POST": ["%(app_label)s.view_%(model_name)s"]}


class SuggestionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Worker suggestions of the enterprises in the user's scope; `review` adopts, declines, rewards or records
    the implementation. Contacts never appear in the list, and in the detail only for reviewers."""

    serializer_class = SuggestionSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_class = SuggestionFilter
    search_fields = ["title", "content", "org__name"]
    ordering_fields = ["created_at", "decided_at", "reward"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        suggestions = Suggestion.objects.visible_to(self.request.user).select_related("org", "category", "submitter")
        if self.action == "retrieve":
            suggestions = suggestions.prefetch_related("events__actor")
        return suggestions

    def get_serializer_class(self):
        if self.action == "retrieve":
            return SuggestionDetailSerializer
        if self.action == "review":
            return ReviewSerializer
        return SuggestionSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        org = data.pop("org")
        serializer.instance = _call(services.create_suggestion, self.request.user, org, **data)

    @extend_schema(request=ReviewSerializer, responses=SuggestionDetailSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ViewToAct])
    def review(self, request, pk=None, format=None):
        suggestion = self.get_object()
        payload = ReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        name = payload.validated_data["action"]
        suggestion = _call(services.perform, request.user, suggestion, name, **payload.service_kwargs())
        suggestion = self.get_queryset().prefetch_related("events__actor").get(pk=suggestion.pk)
        return Response(SuggestionDetailSerializer(suggestion, context=self.get_serializer_context()).data)

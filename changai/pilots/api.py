from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from changai.api.services import call_service as _call
from changai.orgs.api import ScopedModelPermissions
from changai.orgs.models import Org

from . import services
from .filters import PairingFilter, PilotFilter, PilotProjectFilter
from .models import Pairing, PilotEvent, PilotProject, PilotType, PilotUnit


class ScopedFieldsMixin:
    """Related records are looked up only among those the user sees, so outside the scope reads as "does not exist"."""

    scoped_fields: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for name, model in self.scoped_fields.items():
            field = self.fields.get(name)
            if field is None:
                continue
            target = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
            target.queryset = model.objects.visible_to(user) if user else model.objects.none()


class PilotEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = PilotEvent
        fields = ["action", "from_status", "to_status", "actor", "at", "on", "comment"]


class PilotSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"org": Org}
    org = serializers.PrimaryKeyRelatedField(queryset=Org.objects.none())
    org_name = serializers.CharField(source="org.name", read_only=True)
    pilot_type = serializers.SlugRelatedField(slug_field="code", queryset=PilotType.objects.filter(is_active=True))
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True, default=None)
    on = serializers.DateField(write_only=True, required=False, help_text="申报日期，默认为今天")

    class Meta:
        model = PilotUnit
        fields = [
            "id",
            "org",
            "org_name",
            "level",
            "pilot_type",
            "batch",
            "period_start",
            "period_end",
            "summary",
            "supervisor",
            "supervisor_name",
            "status",
            "approval_no",
            "demonstration_title",
            "applied_on",
            "approved_on",
            "demonstration_on",
            "withdrawn_on",
            "on",
        ]
        read_only_fields = [
            "supervisor",
            "status",
            "approval_no",
            "demonstration_title",
            "applied_on",
            "approved_on",
            "demonstration_on",
            "withdrawn_on",
        ]


class PilotDetailSerializer(PilotSerializer):
    events = PilotEventSerializer(many=True, read_only=True)

    class Meta(PilotSerializer.Meta):
        fields = [*PilotSerializer.Meta.fields, "events"]


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(services.TRANSITIONS))
    on = serializers.DateField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, help_text="说明；撤销时为撤销原因（必填）")
    approval_no = serializers.CharField(required=False, allow_blank=True, max_length=60)
    title = serializers.CharField(required=False, allow_blank=True, max_length=60, help_text="命名示范时的称号")

    def service_kwargs(self) -> dict:
        data = self.validated_data
        kwargs = {"on": data.get("on")}
        if data["action"] == "withdraw":
            return {**kwargs, "reason": data.get("comment", "")}
        kwargs["comment"] = data.get("comment", "")
        if data["action"] == "approve":
            kwargs["approval_no"] = data.get("approval_no", "")
        if data["action"] == "name_demonstration":
            kwargs["title"] = data.get("title", "")
        return kwargs


class ViewToAct(ScopedModelPermissions):
    """For actions whose own service function checks the finer rights: reading the model is enough to ask."""

    perms_map = {**ScopedModelPermissions.perms_map, "POST": ["%(app_label)s.view_%(model_name)s"]}


class PilotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Pilot units in the user's scope; create applies for a pilot, `transition` moves it along its lifecycle."""

    serializer_class = PilotSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_class = PilotFilter
    search_fields = ["org__name", "batch"]
    ordering_fields = ["period_start", "approved_on", "level", "status"]
    ordering = ["-period_start", "-id"]

    def get_queryset(self):
        pilots = PilotUnit.objects.visible_to(self.request.user).select_related("org", "pilot_type", "supervisor")
        if self.action == "retrieve":
            pilots = pilots.prefetch_related("events__actor")
        return pilots

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PilotDetailSerializer
        if self.action == "transition":
            return TransitionSerializer
        return PilotSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        org = data.pop("org")
        serializer.instance = _call(services.apply_pilot, self.request.user, org, **data)

    @extend_schema(request=TransitionSerializer, responses=PilotDetailSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ViewToAct])
    def transition(self, request, pk=None, format=None):
        pilot = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        pilot = _call(
            services.perform, request.user, pilot, payload.validated_data["action"], **payload.service_kwargs()
        )
        pilot = self.get_queryset().prefetch_related("events__actor").get(pk=pilot.pk)
        return Response(PilotDetailSerializer(pilot, context=self.get_serializer_context()).data)


class PilotProjectSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"pilot": PilotUnit}
    pilot = serializers.PrimaryKeyRelatedField(queryset=PilotUnit.objects.none())

    class Meta:
        model = PilotProject
        fields = ["id", "pilot", *services.PROJECT_FIELDS]


class PilotProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PilotProjectSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_class = PilotProjectFilter
    search_fields = ["title"]
    ordering_fields = ["deadline", "progress"]
    ordering = ["deadline", "id"]

    def get_queryset(self):
        return PilotProject.objects.visible_to(self.request.user).select_related("pilot")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        pilot = data.pop("pilot")
        serializer.instance = _call(services.add_project, self.request.user, pilot, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        pilot = data.pop("pilot", None)
        if pilot is not None and pilot.pk != serializer.instance.pilot_id:
            raise ApiValidationError({"pilot": "项目不能移到另一个试点。"})
        serializer.instance = _call(services.update_project, self.request.user, serializer.instance, **data)


class PairingSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"lead_org": Org, "partners": Org, "pilot": PilotUnit}
    lead_org = serializers.PrimaryKeyRelatedField(queryset=Org.objects.none())
    lead_org_name = serializers.CharField(source="lead_org.name", read_only=True)
    partners = serializers.PrimaryKeyRelatedField(queryset=Org.objects.none(), many=True)
    pilot = serializers.PrimaryKeyRelatedField(queryset=PilotUnit.objects.none(), required=False, allow_null=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "title",
            "lead_org",
            "lead_org_name",
            "partners",
            "pilot",
            "signed_on",
            "valid_until",
            "content",
        ]


class PairingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = PairingSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_class = PairingFilter
    ordering_fields = ["signed_on"]
    ordering = ["-signed_on", "-id"]

    def get_queryset(self):
        return Pairing.objects.visible_to(self.request.user).select_related("lead_org").prefetch_related("partners")

    def perform_create(self, serializer):
        serializer.instance = _call(services.create_pairing, self.request.user, **serializer.validated_data)

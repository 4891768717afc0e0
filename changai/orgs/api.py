import django_filters
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import DjangoModelPermissions

from changai.api.services import call_service as _call

from . import services
from .models import Kind, Org
from .services import EDITABLE_FIELDS


class OrgSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=Org.objects.all(), write_only=True, required=False)
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Org
        fields = ["id", "kind", *EDITABLE_FIELDS, "depth", "numchild", "parent", "parent_id"]
        read_only_fields = ["depth", "numchild"]


class OrgFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    parent = django_filters.NumberFilter(method="filter_parent", label="上级组织ID")

    class Meta:
        model = Org
        fields = ["kind", "is_active", "ownership", "size", "industry", "has_union"]

    def filter_parent(self, queryset, name, value):
        parent = Org.objects.filter(pk=value).first()
        if parent is None:
            return queryset.none()
        return queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)


class ScopedModelPermissions(DjangoModelPermissions):
    """Model permissions, with view permission required for reads too."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}


class OrgViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OrgSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_class = OrgFilter
    search_fields = ["name", "=code", "=credit_code"]
    ordering_fields = ["name", "code", "path"]
    ordering = ["path"]

    def get_queryset(self):
        parent = Org.objects.filter(path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Org.steplen)).values(
            "pk"
        )[:1]
        return Org.objects.visible_to(self.request.user).annotate(parent_id=Subquery(parent))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        parent = data.pop("parent", None)
        if parent is None:
            raise ApiValidationError({"parent": "请指定上级组织。"})
        if not Org.objects.visible_to(self.request.user).filter(pk=parent.pk).exists():
            raise ApiValidationError({"parent": "上级组织不存在或不在您的管辖范围内。"})
        serializer.instance = _call(services.create_org, self.request.user, parent, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if data.pop("parent", None) is not None:
            raise ApiValidationError({"parent": "调整隶属请使用组织页面的“调整隶属”功能。"})
        data.pop("kind", None)
        serializer.instance = _call(services.update_org, self.request.user, serializer.instance, **data)

"""Workers and occupations through the API: read-only, scoped like the pages, numbers masked by the same rule.

Full identity numbers and phones come only with `?full_numbers=1` and the permission
workers.view_full_number; every such response is logged (channel 接口) with the number of people in it.
"""

import django_filters
from django.core.exceptions import ValidationError
from rest_framework import serializers, viewsets

from changai.orgs.api import ScopedModelPermissions
from changai.orgs.models import Org

from . import services
from .cleaning import normalise_id_number
from .models import Education, Employment, FullNumberView, Occupation, Sequence, Worker


class OccupationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Occupation
        fields = ["id", "code", "name", "category", "is_active"]


class EmploymentSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    sequence = serializers.CharField(read_only=True)
    ended_by = serializers.CharField(read_only=True)

    class Meta:
        model = Employment
        fields = ["enterprise", "enterprise_name", "hired_on", "left_on", "ended_by", "occupation", "frontline"]
        fields += ["sequence", "grade"]


class WorkerSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    full_numbers = serializers.SerializerMethodField()
    # Plain strings: the choice sets would collide by name with other apps' in the schema.
    gender = serializers.CharField(read_only=True)
    education = serializers.CharField(read_only=True)
    political_status = serializers.CharField(read_only=True)
    sequence = serializers.CharField(read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", default="", read_only=True)
    occupation_code = serializers.CharField(source="occupation.code", default="", read_only=True)
    occupation_name = serializers.CharField(source="occupation.name", default="", read_only=True)
    employments = EmploymentSerializer(many=True, read_only=True)

    class Meta:
        model = Worker
        fields = [
            "id",
            "name",
            "id_number",
            "phone",
            "full_numbers",
            "gender",
            "birth_date",
            "education",
            "political_status",
            "enterprise",
            "enterprise_name",
            "occupation",
            "occupation_code",
            "occupation_name",
            "frontline",
            "hired_on",
            "sequence",
            "grade",
            "employments",
        ]

    def _full(self) -> bool:
        return bool(self.context.get("full_numbers"))

    def get_id_number(self, worker) -> str:
        """Masked (320***********123X) unless full numbers were asked for and allowed."""
        return services.full_id_number(worker) if self._full() else worker.id_masked

    def get_phone(self, worker) -> str:
        return services.full_phone(worker) if self._full() else worker.phone_masked

    def get_full_numbers(self, worker) -> bool:
        return self._full()


class WorkerFilter(django_filters.FilterSet):
    education = django_filters.ChoiceFilter(choices=Education.choices)
    sequence = django_filters.ChoiceFilter(choices=Sequence.choices)
    id_number = django_filters.CharFilter(method="filter_id_number", label="身份证号（完整号码，精确查找）")

    class Meta:
        model = Worker
        fields = ["enterprise", "occupation", "frontline", "education", "sequence"]

    def filter_id_number(self, queryset, name, value):
        try:
            return queryset.filter(id_hash=services.id_hash_of(normalise_id_number(value)))
        except ValidationError:
            return queryset.none()


class WorkerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WorkerSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_class = WorkerFilter
    search_fields = ["name", "occupation__name"]
    ordering_fields = ["name", "hired_on", "birth_date"]

    def get_queryset(self):
        return (
            Worker.objects.visible_to(self.request.user)
            .select_related("enterprise", "occupation")
            .prefetch_related("employments__enterprise")
            .order_by("enterprise_id", "name", "pk")
        )

    def _wants_full(self) -> bool:
        asked = self.request.query_params.get("full_numbers") in ("1", "true")
        return asked and self.request.user.has_perm(services.FULL_NUMBER_PERMISSION)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "full_numbers": self._wants_full()}

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if self._wants_full():
            results = response.data.get("results", response.data) if isinstance(response.data, dict) else response.data
            enterprises = {row["enterprise"] for row in results}
            enterprise = Org.objects.filter(pk__in=enterprises).first()
            if results:
                services.log_full_view(
                    request.user,
                    field=FullNumberView.Field.BOTH,
                    channel=FullNumberView.Channel.API,
                    enterprise=enterprise if len(enterprises) == 1 else None,
                    rows=len(results),
                    request=request,
                )
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if self._wants_full():
            worker = self.get_object()
            services.log_full_view(
                request.user,
                field=FullNumberView.Field.BOTH,
                channel=FullNumberView.Channel.API,
                worker=worker,
                request=request,
            )
        return response


class OccupationViewSet(viewsets.ReadOnlyModelViewSet):
    """The occupation catalogue (shared by every org, not scoped); looked up by code, e.g. 6-18-01-01."""

    lookup_field = "code"
    lookup_url_kwarg = "occupation_code"
    serializer_class = OccupationSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["is_active", "category"]
    search_fields = ["name", "^code", "category"]
    ordering = ["code"]
    queryset = Occupation.objects.all()


ROUTES = [("workers", WorkerViewSet, "worker"), ("occupations", OccupationViewSet, "occupation")]

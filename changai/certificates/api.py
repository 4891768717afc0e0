"""Certificates and rating batches through the API: read-only, scoped, the worker shown by name and masked number."""

import django_filters
from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from changai.orgs.api import ScopedModelPermissions

from . import services
from .models import Candidate, Certificate, RatingBatch


class CertificateFilter(django_filters.FilterSet):
    # Plain numbers: a choice filter over all workers would tell "no such worker" from "not yours".
    worker = django_filters.NumberFilter(field_name="worker_id")
    occupation = django_filters.NumberFilter(field_name="occupation_id")
    occupation_code = django_filters.CharFilter(field_name="occupation__code")
    level = django_filters.NumberFilter()
    route = django_filters.CharFilter()
    revoked = django_filters.BooleanFilter()
    issued_from = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_to = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")

    class Meta:
        model = Certificate
        fields = ["worker", "occupation", "occupation_code", "level", "route", "revoked", "issued_from", "issued_to"]


class CertificateSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    worker_id_number = serializers.CharField(source="worker.id_masked", read_only=True)
    enterprise = serializers.IntegerField(source="worker.enterprise_id", read_only=True, allow_null=True)
    occupation_code = serializers.CharField(source="occupation.code", read_only=True)
    occupation_name = serializers.CharField(source="occupation.name", read_only=True)
    # Plain values: the choice sets would collide by name with other apps' in the schema.
    level = serializers.IntegerField(read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    route = serializers.CharField(read_only=True)
    route_label = serializers.CharField(source="get_route_display", read_only=True)
    valid = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "worker",
            "worker_name",
            "worker_id_number",
            "enterprise",
            "occupation",
            "occupation_code",
            "occupation_name",
            "level",
            "level_label",
            "route",
            "route_label",
            "issued_on",
            "expires_on",
            "issuer",
            "rating_enterprise",
            "employer",
            "batch",
            "revoked",
            "revoked_on",
            "valid",
        ]

    def get_valid(self, certificate) -> bool:
        """Valid today: issued, not expired, not revoked."""
        return certificate.is_valid_on(services.today())


class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CertificateSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_class = CertificateFilter
    search_fields = ["number", "worker__name"]
    ordering_fields = ["issued_on", "level", "number"]

    def get_queryset(self):
        return (
            Certificate.objects.visible_to(self.request.user)
            .select_related("worker", "occupation")
            .order_by("-issued_on", "-pk")
        )


class CandidateSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    worker_id_number = serializers.CharField(source="worker.id_masked", read_only=True)
    occupation_name = serializers.CharField(source="occupation.name", read_only=True)
    level = serializers.IntegerField(read_only=True)
    result = serializers.CharField(read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "worker",
            "worker_name",
            "worker_id_number",
            "occupation",
            "occupation_name",
            "level",
            "theory_score",
            "practice_score",
            "result",
            "certificate",
        ]


class RatingBatchSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    candidates = CandidateSerializer(many=True, read_only=True)

    class Meta:
        model = RatingBatch
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "title",
            "assessed_on",
            "pass_mark",
            "status",
            "status_label",
            "issued_on",
            "candidates",
        ]


class RatingBatchViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RatingBatchSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["status"]
    search_fields = ["title"]

    def get_queryset(self):
        candidates = Candidate.objects.select_related("worker", "occupation").order_by("pk")
        return (
            RatingBatch.objects.visible_to(self.request.user)
            .select_related("enterprise")
            .prefetch_related(Prefetch("candidates", queryset=candidates))
            .order_by("-assessed_on", "-pk")
        )


ROUTES = [
    ("certificates", CertificateViewSet, "certificate"),
    ("rating-batches", RatingBatchViewSet, "rating-batch"),
]

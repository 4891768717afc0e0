"""Training through the API: classes with their roster counts, and courses; read-only and scoped like the pages."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from rest_framework import serializers, viewsets

from changai.orgs.api import ScopedModelPermissions

from .models import Attendance, Course, TrainingClass


class CourseSerializer(serializers.ModelSerializer):
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)
    occupation_name = serializers.CharField(source="occupation.name", default="", read_only=True)
    mode = serializers.CharField(read_only=True)
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "organiser",
            "organiser_name",
            "mode",
            "mode_label",
            "hours",
            "occupation",
            "occupation_name",
            "description",
            "is_active",
        ]


class TrainingClassSerializer(serializers.ModelSerializer):
    course_title = serializers.CharField(source="course.title", read_only=True)
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)
    mode = serializers.CharField(source="course.mode", read_only=True)
    enrolled = serializers.IntegerField(read_only=True, help_text="报名人数（全班）")
    completed = serializers.IntegerField(read_only=True, help_text="结业人数（全班）")
    person_times = serializers.IntegerField(read_only=True, help_text="参训人次：每名学员每出勤一次课计1")

    class Meta:
        model = TrainingClass
        fields = [
            "id",
            "title",
            "course",
            "course_title",
            "mode",
            "organiser",
            "organiser_name",
            "starts_on",
            "ends_on",
            "place",
            "capacity",
            "required_hours",
            "enrolled",
            "completed",
            "person_times",
        ]


class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CourseSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["organiser", "mode", "is_active"]
    search_fields = ["title"]

    def get_queryset(self):
        courses = Course.objects.visible_to(self.request.user)
        return courses.select_related("organiser", "occupation").order_by("-created_at", "-pk")


class TrainingClassViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TrainingClassSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["organiser", "course", "starts_on", "ends_on"]
    search_fields = ["title", "course__title"]

    def get_queryset(self):
        attended = (
            Attendance.objects.filter(session__training_class=OuterRef("pk"))
            .order_by()
            .values("session__training_class")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            TrainingClass.objects.visible_to(self.request.user)
            .select_related("course", "organiser")
            .annotate(
                enrolled=Count("enrolments", distinct=True),
                completed=Count("enrolments", filter=Q(enrolments__completed=True), distinct=True),
                person_times=Coalesce(Subquery(attended), 0),
            )
            .order_by("-starts_on", "-pk")
        )


ROUTES = [("trainings", TrainingClassViewSet, "training"), ("courses", CourseViewSet, "training-course")]

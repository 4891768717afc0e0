from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "changai.training"
    label = "training"
    verbose_name = "培训与学历提升"

    def ready(self):
        from auditlog.registry import auditlog

        from changai.workers import timeline as worker_timeline

        from . import importers, indicators, timeline  # noqa: F401  registers the importer and the figures
        from .models import (
            Course,
            EducationUpgrade,
            Enrolment,
            ScholarshipPayment,
            TrainingClass,
            TrainingSession,
        )

        worker_timeline.register(timeline.enrolment_entries)
        worker_timeline.register(timeline.upgrade_entries)
        # Attendance rows are written in bulk; each change shows in the log as the enrolment's new totals.
        for model in (Course, TrainingClass, TrainingSession, Enrolment, EducationUpgrade, ScholarshipPayment):
            auditlog.register(model)

from django.apps import AppConfig


class WorklistsConfig(AppConfig):
    name = "changai.worklists"
    label = "worklists"
    verbose_name = "工作清单与督办"

    def ready(self):
        from auditlog.registry import auditlog

        # Registers the figures, the plan:<pk> item importer and the daily supervision job.
        from . import importers, indicators, jobs  # noqa: F401
        from .models import Plan, PlanItem, SupervisionNotice

        auditlog.register(Plan)
        auditlog.register(PlanItem, exclude_fields=["light", "progress", "updated_at"])
        auditlog.register(SupervisionNotice)

from django.apps import AppConfig


class DemandsConfig(AppConfig):
    name = "changai.demands"
    label = "demands"
    verbose_name = "双向直达"

    def ready(self):
        from auditlog.registry import auditlog

        from . import importers, indicators, jobs  # noqa: F401  registers the importer, ledger figures, daily job
        from .models import Assignment, Demand

        auditlog.register(Demand, exclude_fields=["contact", "updated_at"])
        auditlog.register(Assignment)

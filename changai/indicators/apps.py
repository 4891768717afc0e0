from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "changai.indicators"
    label = "indicators"
    verbose_name = "指标与填报"

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models.signals import post_migrate

        from . import importers, jobs  # noqa: F401  registers the bulk-entry importers and rollup jobs
        from .models import DataSet, DataValue, Indicator
        from .registry import sync_catalogue

        auditlog.register(Indicator)
        auditlog.register(DataSet)
        auditlog.register(DataValue, exclude_fields=["updated_at"])
        post_migrate.connect(sync_catalogue, sender=self)

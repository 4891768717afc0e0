from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "changai.workers"
    label = "workers"
    verbose_name = "职工"

    def ready(self):
        from auditlog.registry import auditlog

        from . import importers, indicators, timeline  # noqa: F401  registers the importers and figures
        from .models import Employment, Occupation, Worker

        timeline.register(timeline.employment_entries)
        auditlog.register(Worker, exclude_fields=["id_hash", "id_cipher", "phone_cipher", "created_at", "updated_at"])
        auditlog.register(Employment)
        auditlog.register(Occupation)

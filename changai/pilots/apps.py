from django.apps import AppConfig


class PilotsConfig(AppConfig):
    name = "changai.pilots"
    label = "pilots"
    verbose_name = "试点示范"

    def ready(self):
        from auditlog.registry import auditlog

        from . import indicators, signals  # noqa: F401  computed pilot indicators; progress follows the work plan
        from .models import Pairing, PilotProject, PilotType, PilotUnit

        auditlog.register(PilotType)
        auditlog.register(PilotUnit, exclude_fields=["updated_at"])
        auditlog.register(PilotProject, exclude_fields=["updated_at"])
        auditlog.register(Pairing, m2m_fields={"partners"}, exclude_fields=["updated_at"])

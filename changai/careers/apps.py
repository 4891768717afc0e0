from django.apps import AppConfig


class CareersConfig(AppConfig):
    name = "changai.careers"
    label = "careers"
    verbose_name = "职业发展"

    def ready(self):
        from auditlog.registry import auditlog

        from changai.workers import timeline as worker_timeline

        from . import indicators, timeline  # noqa: F401  registers the figures
        from .models import CareerMove, TitleApplication

        worker_timeline.register(timeline.move_entries)
        worker_timeline.register(timeline.bridge_entries)
        auditlog.register(CareerMove)
        auditlog.register(TitleApplication)

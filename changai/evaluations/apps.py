from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "changai.evaluations"
    label = "evaluations"
    verbose_name = "考核评比"

    def ready(self):
        from auditlog.registry import auditlog

        from . import indicators  # noqa: F401  registers the computed assessment indicator
        from .models import Assessee, Score, Scorecard, ScoreRule

        auditlog.register(Scorecard, exclude_fields=["updated_at"])
        auditlog.register(ScoreRule)
        auditlog.register(Assessee)
        auditlog.register(Score, exclude_fields=["auto_score", "evidence", "computed_at"])

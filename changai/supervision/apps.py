from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "changai.supervision"
    label = "supervision"
    verbose_name = "督查与品牌"

    def ready(self):
        from auditlog.registry import auditlog

        from . import indicators  # noqa: F401  registers the spot-check, brand and meeting figures
        from .models import Brand, BrandCriterion, Decision, Finding, Meeting, Rectification, SpotCheck

        auditlog.register(SpotCheck)
        auditlog.register(Finding)
        auditlog.register(Rectification)
        auditlog.register(Brand)
        auditlog.register(BrandCriterion)
        auditlog.register(Meeting, m2m_fields={"attendees"})
        auditlog.register(Decision, m2m_fields={"items"})

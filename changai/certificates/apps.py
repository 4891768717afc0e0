from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "changai.certificates"
    label = "certificates"
    verbose_name = "技能等级证书"

    def ready(self):
        from auditlog.registry import auditlog

        from changai.workers import timeline as worker_timeline

        from . import importers, indicators  # noqa: F401  registers the importers and the figures
        from .models import Candidate, Certificate, EngineeringTitle, RatingBatch, SelfRatingAuthorisation
        from .timeline import certificate_entries, title_entries

        auditlog.register(Certificate)
        auditlog.register(EngineeringTitle)
        auditlog.register(SelfRatingAuthorisation)
        auditlog.register(RatingBatch)
        auditlog.register(Candidate)
        worker_timeline.register(certificate_entries)
        worker_timeline.register(title_entries)

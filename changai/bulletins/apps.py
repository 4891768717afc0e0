from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "changai.bulletins"
    label = "bulletins"
    verbose_name = "专报"

    def ready(self):
        from auditlog.registry import auditlog

        from . import indicators, jobs  # noqa: F401  registers the bulletin figures and the PDF job
        from .models import Article, Issue, Item, Series

        auditlog.register(Series)
        auditlog.register(Issue, exclude_fields=["search_text", "updated_at", "docx", "pdf", "pdf_job"])
        auditlog.register(Article, exclude_fields=["data"])
        auditlog.register(Item, exclude_fields=["updated_at"])

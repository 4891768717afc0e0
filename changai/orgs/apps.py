from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "changai.orgs"
    label = "orgs"
    verbose_name = "组织机构"

    def ready(self):
        from auditlog.registry import auditlog

        from . import importers, indicators  # noqa: F401  registers the importers and computed indicators
        from .models import LineMembership, Org

        auditlog.register(Org, exclude_fields=["path", "depth", "numchild", "updated_at"])
        auditlog.register(LineMembership)

from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "changai.policies"
    label = "policies"
    verbose_name = "政策直达"

    def ready(self):
        from auditlog.registry import auditlog

        from . import indicators  # noqa: F401  registers the policy figures
        from .models import Policy, PolicyAttachment

        auditlog.register(Policy, m2m_fields={"listed_orgs"}, exclude_fields=["updated_at"])
        auditlog.register(PolicyAttachment, exclude_fields=["file"])

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "changai.accounts"
    label = "accounts"
    verbose_name = "用户与授权"

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401  login/logout/failure events
        from .models import Membership, User
        from .roles import sync_role_groups

        auditlog.register(User, exclude_fields=["password", "last_login", "updated_at"])
        auditlog.register(Membership)
        post_migrate.connect(sync_role_groups, sender=self)

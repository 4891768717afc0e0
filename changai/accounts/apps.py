from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "changai.accounts"
    label = "accounts"
    verbose_name = "用户与授权"

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models.signals import post_migrate

        from . import indicators, signals  # noqa: F401  computed indicators; login/logout/failure events
        from .models import Membership, User
        from .roles import sync_role_groups

        auditlog.register(User, exclude_fields=["password", "last_login", "updated_at"])
        auditlog.register(Membership)
        # Runs after every app migrates, so permissions of apps listed later exist by the last call.
        post_migrate.connect(sync_role_groups, dispatch_uid="changai.sync_role_groups")

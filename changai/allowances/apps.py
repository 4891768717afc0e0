from django.apps import AppConfig


class AllowancesConfig(AppConfig):
    name = "changai.allowances"
    label = "allowances"
    verbose_name = "技能津贴"

    def ready(self):
        from auditlog.registry import auditlog

        from . import indicators, jobs  # noqa: F401  registers the figures and the job handlers
        from .models import (
            AllowancePolicy,
            PolicyLevelAmount,
            RewardPayment,
            RewardRule,
            Roster,
            TalentDesignation,
            TalentTier,
        )
        from .timeline import register_timeline

        auditlog.register(AllowancePolicy)
        auditlog.register(PolicyLevelAmount)
        auditlog.register(TalentTier)
        auditlog.register(RewardRule)
        auditlog.register(TalentDesignation)
        auditlog.register(Roster, exclude_fields=["totals", "policy_snapshot"])
        auditlog.register(RewardPayment)
        register_timeline()

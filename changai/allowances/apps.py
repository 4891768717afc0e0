from django.apps import AppConfig


class AllowancesConfig(AppConfig):
    name = "changai.allowances"
    label = "allowances"
    verbose_name = "技能津贴"

from django.apps import AppConfig


class CareersConfig(AppConfig):
    name = "changai.careers"
    label = "careers"
    verbose_name = "职业发展"

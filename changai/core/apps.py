from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "changai.core"
    label = "core"
    verbose_name = "基础组件"

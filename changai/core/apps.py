from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "changai.core"
    label = "core"
    verbose_name = "基础组件"

    def ready(self):
        from . import import_services  # noqa: F401  registers the import job handlers for workers too

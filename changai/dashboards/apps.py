from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "changai.dashboards"
    label = "dashboards"
    verbose_name = "数据看板"

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "changai.api"
    label = "api"
    verbose_name = "接口"

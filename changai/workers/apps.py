from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "changai.workers"
    label = "workers"
    verbose_name = "职工"

from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "changai.training"
    label = "training"
    verbose_name = "培训与学历提升"

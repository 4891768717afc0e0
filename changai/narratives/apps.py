from django.apps import AppConfig


class NarrativesConfig(AppConfig):
    name = "changai.narratives"
    label = "narratives"
    verbose_name = "材料识数"

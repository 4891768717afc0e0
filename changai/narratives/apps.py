from django.apps import AppConfig


class NarrativesConfig(AppConfig):
    name = "changai.narratives"
    label = "narratives"
    verbose_name = "材料识数"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import FactProposal, NarrativeReport

        auditlog.register(NarrativeReport, exclude_fields=["text"])
        auditlog.register(FactProposal)

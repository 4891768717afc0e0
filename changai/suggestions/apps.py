from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "changai.suggestions"
    label = "suggestions"
    verbose_name = "职工建议"

    def ready(self):
        from auditlog.registry import auditlog

        from . import indicators  # noqa: F401  registers the suggestion figures
        from .models import Suggestion, SuggestionBox, SuggestionCategory

        auditlog.register(SuggestionCategory)
        # The proposer's contact stays out of the audit trail, which readers of the trail would otherwise see.
        auditlog.register(Suggestion, exclude_fields=["updated_at", "contact_name", "contact_phone"])
        auditlog.register(SuggestionBox, exclude_fields=["updated_at", "token"])

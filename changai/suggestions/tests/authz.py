"""Suggestion records at a secret org, for the URL walk of changai/tests/test_authorization.py.

The public box page is reached by its token, which is the key itself: an outsider does not have it, so the walk
asks for the page with a token of its own making (the tests of the page check that a wrong token is a 404).
"""

from changai.suggestions.models import Suggestion, SuggestionBox, SuggestionCategory, SuggestionEvent

OUTSIDERS_TOKEN = "a-token-the-walker-made-up"


def suggestion_secrets(org, name: str) -> tuple[dict, list]:
    category = SuggestionCategory.objects.order_by("pk").first()
    SuggestionBox.objects.create(org=org)
    suggestion = Suggestion.objects.create(
        org=org,
        title=f"{name}建议",
        content=f"{name}建议内容",
        category=category,
        channel=Suggestion.Channel.PHONE,
        contact_name=f"{name}职工",
        contact_phone="13900000000",
    )
    SuggestionEvent.objects.create(suggestion=suggestion, action="submitted", comment=name)
    values = {"suggestion_pk": suggestion.pk, "category_pk": category.pk, "token": OUTSIDERS_TOKEN}
    return values, [suggestion]

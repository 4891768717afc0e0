import random

from changai.accounts.roles import Role
from changai.accounts.tests.factories import member
from changai.orgs.tests.factories import EnterpriseFactory, make_credit_code
from changai.suggestions.demo import load_demo_suggestions
from changai.suggestions.models import Suggestion, SuggestionBox


def test_the_demo_fills_a_few_boxes_and_reloads_idempotently(cast):
    admin = member("admin", cast.province, Role.ADMIN)
    admin.is_superuser = True
    admin.save()
    for serial in range(3):
        EnterpriseFactory(
            parent=cast.zhutang, name=f"江阴演示企业{serial}", credit_code=make_credit_code(9700 + serial)
        )
    count = load_demo_suggestions(random.Random(2026))
    assert count == 25  # five suggestions in each of four firms in 江阴 and the one in 高邮
    assert load_demo_suggestions(random.Random(2026)) == 0
    assert SuggestionBox.objects.count() == 5
    assert {"pending", "adopted", "declined"} <= set(Suggestion.objects.values_list("status", flat=True))
    assert all(s.decided_at is None or s.decided_at >= s.created_at for s in Suggestion.objects.all())

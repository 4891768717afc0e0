from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from changai.core.periods import Period
from changai.indicators.registry import get_computed
from changai.suggestions import services
from changai.suggestions.models import Suggestion

from .factories import box, from_form, from_phone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def figure(code, org, period):
    return get_computed(code).compute(Period.parse(period), [org])[org.pk]


def _dated(suggestion, received, decided=None):
    Suggestion.objects.filter(pk=suggestion.pk).update(
        created_at=datetime(*received, 9, tzinfo=SHANGHAI),
        decided_at=datetime(*decided, 9, tzinfo=SHANGHAI) if decided else None,
    )


def test_received_adopted_rate_and_rewards_in_each_subtree(cast):
    union = cast.users["qiye"]
    the_box = box(cast)
    adopted = services.adopt_suggestion(union, from_phone(the_box), reward=500)
    _dated(adopted, (2025, 2, 1), (2025, 2, 10))
    cheap = services.adopt_suggestion(union, from_form(cast), reward="200.5")
    _dated(cheap, (2025, 2, 5), (2025, 4, 2))  # received in Q1, adopted in Q2
    declined = services.decline_suggestion(union, from_phone(the_box), reason="x")
    _dated(declined, (2025, 3, 1), (2025, 3, 3))
    _dated(from_phone(the_box), (2025, 3, 20))  # still pending
    _dated(from_phone(box(cast, org=cast.gaoyou_firm, user="gaoyou")), (2025, 2, 2))

    assert figure("platform_suggestions_received", cast.jiangyin, "2025Q1") == 4
    assert figure("platform_suggestions_received", cast.province, "2025Q1") == 5
    assert figure("platform_suggestions_adopted", cast.jiangyin, "2025Q1") == 1
    assert figure("platform_suggestions_adopted", cast.jiangyin, "2025") == 2
    assert figure("platform_suggestion_adoption_rate", cast.jiangyin, "2025Q1") == Decimal("25.0")  # 1 of 4 by 31 March
    assert figure("platform_suggestion_adoption_rate", cast.jiangyin, "2025") == Decimal("50.0")
    assert figure("platform_suggestion_adoption_rate", cast.yangzhou, "2025Q1") == Decimal("0.0")
    assert figure("platform_suggestion_adoption_rate", cast.wuxi, "2024") is None
    assert figure("platform_suggestion_rewards", cast.jiangyin, "2025Q1") == Decimal("500")
    assert figure("platform_suggestion_rewards", cast.province, "2025") == Decimal("700.5")

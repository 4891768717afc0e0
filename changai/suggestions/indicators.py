"""Figures of worker suggestions: received, adopted, adoption rate and rewards, counted by the enterprise's place."""

from decimal import Decimal

from django.db.models import Sum

from changai.indicators.registry import as_of, count_in_subtrees, register
from changai.orgs.models import Org

_INSTITUTIONAL = "institutional"
_PATH = "org__path"
CODES = [
    "platform_suggestions_received",
    "platform_suggestions_adopted",
    "platform_suggestion_adoption_rate",
    "platform_suggestion_rewards",
]


def _received(period):
    from .models import Suggestion

    return Suggestion.objects.filter(created_at__date__range=(period.start, period.end))


def _adopted_in(period):
    from .models import Suggestion

    return Suggestion.objects.filter(
        status=Suggestion.Status.ADOPTED, decided_at__date__range=(period.start, period.end)
    )


@register(
    "platform_suggestions_received",
    "平台收到职工建议数",
    "项",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内平台上各企业建议箱（手机提交）和工会录入收到的职工合理化建议数（不含下级填报的征集数）。",
)
def suggestions_received(period, orgs):
    return count_in_subtrees(_received(period), orgs, path_field=_PATH)


@register(
    "platform_suggestions_adopted",
    "平台采纳职工建议数",
    "项",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内决定采纳的职工合理化建议数。",
)
def suggestions_adopted(period, orgs):
    return count_in_subtrees(_adopted_in(period), orgs, path_field=_PATH)


@register(
    "platform_suggestion_adoption_rate",
    "职工建议采纳率",
    "%",
    _INSTITUTIONAL,
    description="期内收到的职工建议中，截至期末已采纳的比例。",
)
def suggestions_adoption_rate(period, orgs):
    from .models import Suggestion

    received = _received(period)
    adopted = received.filter(status=Suggestion.Status.ADOPTED, decided_at__date__lte=as_of(period))
    totals = count_in_subtrees(received, orgs, path_field=_PATH)
    hits = count_in_subtrees(adopted, orgs, path_field=_PATH)
    return {
        pk: (Decimal(hits[pk] * 100) / totals[pk]).quantize(Decimal("0.1")) if totals[pk] else None for pk in totals
    }


@register(
    "platform_suggestion_rewards",
    "职工建议奖励金额",
    "元",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内采纳的职工建议所确定的奖励金额合计。",
)
def suggestions_reward_total(period, orgs):
    return count_in_subtrees(_adopted_in(period), orgs, path_field=_PATH, aggregate=Sum("reward"))


def forget(org: Org) -> None:
    """Drop the cached suggestion figures of `org` and the orgs above it, so they are computed afresh when read."""
    from changai.indicators.models import Rollup

    chain = [*Org.objects.get_ancestors(org), org]
    Rollup.objects.filter(indicator__code__in=CODES, org__in=chain).delete()

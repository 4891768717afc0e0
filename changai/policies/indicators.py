"""Figures of policies going down: how many were published, and how many of their receipts were read."""

from decimal import Decimal

from changai.indicators.registry import as_of, count_in_subtrees, register
from changai.orgs.models import Org

_INSTITUTIONAL = "institutional"
CODES = ["policies_published", "policy_read_rate"]


def _published(period):
    from .models import Policy

    return Policy.objects.filter(published_at__date__range=(period.start, period.end)).exclude(
        status=Policy.Status.DRAFT
    )


@register(
    "policies_published",
    "平台发布政策举措数",
    "项",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内通过平台政策直达发布的政策举措数（含其后撤回的），按发布单位统计到其所在的各级。",
)
def policies_published(period, orgs):
    return count_in_subtrees(_published(period), orgs, path_field="issuer__path")


@register(
    "policy_read_rate",
    "政策送达阅读率",
    "%",
    _INSTITUTIONAL,
    description="期内发布的政策举措送达各接收单位的回执中，截至期末已阅读的比例，按发布单位统计。",
)
def policy_read_rate(period, orgs):
    from .models import Receipt

    receipts = Receipt.objects.filter(policy__in=_published(period).values("pk"))
    path = "policy__issuer__path"
    totals = count_in_subtrees(receipts, orgs, path_field=path)
    read = count_in_subtrees(receipts.filter(read_at__date__lte=as_of(period)), orgs, path_field=path)
    return {
        pk: (Decimal(read[pk] * 100) / totals[pk]).quantize(Decimal("0.1")) if totals[pk] else None for pk in totals
    }


def forget(org: Org) -> None:
    """Drop the cached policy figures of `org` and the orgs above it, so they are computed afresh when read."""
    from changai.indicators.models import Rollup

    chain = [*Org.objects.get_ancestors(org), org]
    Rollup.objects.filter(indicator__code__in=CODES, org__in=chain).delete()

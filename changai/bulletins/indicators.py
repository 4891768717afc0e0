"""Bulletin figures for any org's subtree and period: items sent up, items taken into bulletins, issues signed."""

from changai.indicators.registry import count_in_subtrees, register

from .models import Issue, Item

_INSTITUTIONAL = "institutional"


@register(
    "bulletin_items_submitted",
    "专报投稿数",
    "个",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内下级单位向上级专报投送的稿件数（不含撤回的），按投稿单位统计。",
)
def items_submitted(period, orgs):
    items = Item.objects.exclude(status=Item.Status.WITHDRAWN).filter(
        submitted_at__date__range=(period.start, period.end)
    )
    return count_in_subtrees(items, orgs, path_field="org__path")


@register(
    "bulletin_items_accepted",
    "专报投稿采用数",
    "个",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内被上级专报采用的稿件数，按投稿单位统计。",
)
def items_accepted(period, orgs):
    items = Item.objects.filter(status=Item.Status.ACCEPTED, decided_at__date__range=(period.start, period.end))
    return count_in_subtrees(items, orgs, path_field="org__path")


@register(
    "bulletin_issues_signed",
    "编发专报期数",
    "期",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内签发的专报期数，按编发单位统计。",
)
def issues_signed(period, orgs):
    issues = Issue.objects.filter(status=Issue.Status.SIGNED, signed_at__date__range=(period.start, period.end))
    return count_in_subtrees(issues, orgs, path_field="series__org__path")

"""Allowance figures from approved rosters: amounts paid, one-off rewards, people receiving an allowance."""

from django.db.models import Count, Sum

from changai.indicators.models import Pillar, Unit
from changai.indicators.registry import count_in_subtrees, register

from .engine import month_of
from .models import RewardPayment, Roster, RosterLine


def months_in(period) -> list[str]:
    """The months wholly inside a period (none for a week)."""
    months, month = [], month_of(period.start)
    while month.end <= period.end:
        if month.start >= period.start:
            months.append(month.code)
        month = month.next()
    return months


def _approved_lines(period):
    return RosterLine.objects.filter(roster__status=Roster.Status.APPROVED, roster__month__in=months_in(period))


@register(
    "allowance_paid_amount",
    "技能津贴发放金额",
    Unit.YUAN,
    Pillar.QUALITY,
    aggregation="sum",
    description="期内各月已审批技能津贴花名册的合计金额（等级津贴、特殊人才津贴和一次性晋级奖励），按职工所在企业统计。",
)
def allowance_paid_amount(period, orgs):
    return count_in_subtrees(_approved_lines(period), orgs, path_field="enterprise__path", aggregate=Sum("total"))


@register(
    "allowance_reward_amount",
    "技能晋级一次性奖励金额",
    Unit.YUAN,
    Pillar.QUALITY,
    aggregation="sum",
    description="期内各月已审批花名册中发放的新晋等级一次性奖励金额（每人每个等级只发一次）。",
)
def allowance_reward_amount(period, orgs):
    payments = RewardPayment.objects.filter(month__in=months_in(period))
    return count_in_subtrees(payments, orgs, path_field="enterprise__path", aggregate=Sum("amount"))


@register(
    "allowance_recipients",
    "享受技能津贴人数",
    Unit.PEOPLE,
    Pillar.QUALITY,
    description="期内各月已审批花名册中合计金额大于零的职工人数（同一人多月只计一次）。",
)
def allowance_recipients(period, orgs):
    paid = _approved_lines(period).filter(total__gt=0)
    return count_in_subtrees(paid, orgs, path_field="enterprise__path", aggregate=Count("worker_id", distinct=True))

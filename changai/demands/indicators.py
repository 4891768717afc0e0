"""Ledger figures of the two-way channel, for any org's subtree and period."""

from decimal import Decimal

from django.db.models import F, Q
from django.db.models.functions import TruncDate

from changai.indicators.registry import as_of, count_in_subtrees, register

from .models import Assignment, Demand

_PATH = "org__path"
_INSTITUTIONAL = "institutional"


def _raised(period):
    return Demand.objects.exclude(status=Demand.Status.MERGED).filter(
        created_at__date__range=(period.start, period.end)
    )


@register(
    "channel_demands_received",
    "收集诉求数",
    "个",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内提出（不含合并的重复诉求）的诉求数。",
)
def demands_received(period, orgs):
    return count_in_subtrees(_raised(period), orgs, path_field=_PATH)


@register(
    "channel_demands_answered",
    "已答复诉求数",
    "个",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内提出且截至期末已由主办单位答复的诉求数。",
)
def demands_answered(period, orgs):
    answered = _raised(period).filter(answered_at__date__lte=as_of(period))
    return count_in_subtrees(answered, orgs, path_field=_PATH)


@register(
    "channel_demands_answered_on_time",
    "按时答复诉求数",
    "个",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内提出且主办单位在答复期限（含批准的延期）内答复的诉求数。",
)
def demands_answered_on_time(period, orgs):
    on_time = (
        Assignment.objects.filter(role=Assignment.Role.LEAD, demand__in=_raised(period))
        .annotate(answered_date=TruncDate("answered_at"))
        .filter(
            Q(extension_approved=True, answered_date__lte=F("extension_until")) | Q(answered_date__lte=F("answer_due"))
        )
    )
    return count_in_subtrees(on_time, orgs, path_field="demand__org__path")


@register(
    "channel_demands_implemented",
    "已落实诉求数",
    "个",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内提出且截至期末已确认落实的诉求数。",
)
def demands_implemented(period, orgs):
    implemented = _raised(period).filter(implemented_at__date__lte=as_of(period))
    return count_in_subtrees(implemented, orgs, path_field=_PATH)


@register(
    "channel_demands_overdue",
    "逾期未答复诉求数",
    "个",
    _INSTITUTIONAL,
    description="期末仍未答复且已超过答复期限的分办数。",
)
def demands_overdue(period, orgs):
    day = as_of(period)
    late = Assignment.objects.filter(
        Q(answered_at__isnull=True) | Q(answered_at__date__gt=day),
        Q(extension_approved=True, extension_until__lt=day) | Q(~Q(extension_approved=True), answer_due__lt=day),
        routed_at__date__lte=day,
    ).exclude(status=Assignment.Status.RETURNED)
    return count_in_subtrees(late, orgs, path_field="demand__org__path")


@register(
    "channel_demands_satisfaction_rate",
    "诉求办理满意率",
    "%",
    _INSTITUTIONAL,
    description="期内办结并评价的诉求中，评价为满意或基本满意的比例。",
)
def demands_satisfaction_rate(period, orgs):
    rated = Demand.objects.filter(rated_at__date__range=(period.start, period.end))
    total = count_in_subtrees(rated, orgs, path_field=_PATH)
    happy = count_in_subtrees(rated.exclude(rating=Demand.Rating.UNSATISFIED), orgs, path_field=_PATH)
    return {pk: (Decimal(happy[pk] * 100) / total[pk]).quantize(Decimal("0.1")) if total[pk] else None for pk in total}

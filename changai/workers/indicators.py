"""Figures of the worker ledger: people on the ledgers at the period's end, and how many are high-skilled."""

from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from changai.certificates.models import HIGH_SKILL_LEVEL, Certificate
from changai.indicators.registry import as_of, count_in_subtrees, register

from .models import Employment

_QUALITY = "quality"
_PATH = "enterprise__path"


def employed_on(day):
    """Stints open on `day` (hired by then or undated, not yet left): one per worker employed that day."""
    return Employment.objects.filter(Q(hired_on__isnull=True) | Q(hired_on__lte=day)).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=day)
    )


def high_skilled_on(day):
    """Employed on `day` holding a certificate of 高级工 or above that is valid that day."""
    valid = Certificate.objects.valid_on(day).filter(worker=OuterRef("worker_id"), level__gte=HIGH_SKILL_LEVEL)
    return employed_on(day).filter(Exists(valid))


@register("workers", "职工台账人数", "人", _QUALITY, description="期末在企业职工台账中在职的职工人数（含下级）。")
def workers(period, orgs):
    return count_in_subtrees(employed_on(as_of(period)), orgs, path_field=_PATH)


@register(
    "workers_frontline",
    "一线职工人数",
    "人",
    _QUALITY,
    description="期末在职且标记为一线职工的职工人数。",
)
def workers_frontline(period, orgs):
    return count_in_subtrees(employed_on(as_of(period)).filter(frontline=True), orgs, path_field=_PATH)


@register(
    "workers_high_skill",
    "高技能人才人数",
    "人",
    _QUALITY,
    description="期末在职、且持有期末有效的高级工及以上职业技能等级证书的职工人数。",
)
def workers_high_skill(period, orgs):
    return count_in_subtrees(high_skilled_on(as_of(period)), orgs, path_field=_PATH)


@register(
    "workers_high_skill_share",
    "高技能人才占比",
    "%",
    _QUALITY,
    description="高技能人才人数占期末在职职工人数的比例。",
)
def workers_high_skill_share(period, orgs):
    day = as_of(period)
    total = count_in_subtrees(employed_on(day), orgs, path_field=_PATH)
    high = count_in_subtrees(high_skilled_on(day), orgs, path_field=_PATH)
    return {pk: (Decimal(high[pk] * 100) / total[pk]).quantize(Decimal("0.1")) if total[pk] else None for pk in total}

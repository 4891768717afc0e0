"""Small builders for allowance tests: policies, certificates, titles, designations (models directly)."""

from datetime import date
from decimal import Decimal
from itertools import count

from changai.allowances import services
from changai.allowances.models import AllowancePolicy, MidMonthRule, TalentDesignation
from changai.certificates.models import Certificate, EngineeringTitle, Route
from changai.workers.models import Occupation
from changai.workers.tests.factories import worker_at

_numbers = count(1)
DEFAULT_LEVELS = {4: 300, 5: 500, 6: 800}
DEFAULT_TIERS = {"leading": 3000, "special": 2000, "key": 1000}
DEFAULT_REWARDS = {4: 1000, 5: 5000}


def policy(
    org,
    effective_from=date(2026, 1, 1),
    effective_to=None,
    *,
    rule=MidMonthRule.NEXT_MONTH,
    levels=None,
    tiers=None,
    rewards=None,
    titles_count=True,
    name="技能津贴办法",
):
    made = AllowancePolicy(
        org=org,
        name=name,
        effective_from=effective_from,
        effective_to=effective_to,
        mid_month_rule=rule,
        titles_count=titles_count,
    )
    as_decimal = lambda values: {k: Decimal(v) for k, v in values.items()}  # noqa: E731
    return services.save_policy(
        None,
        made,
        levels=as_decimal(DEFAULT_LEVELS if levels is None else levels),
        tiers=as_decimal(DEFAULT_TIERS if tiers is None else tiers),
        rewards=as_decimal(DEFAULT_REWARDS if rewards is None else rewards),
    )


def occupation():
    found, _ = Occupation.objects.get_or_create(code="6-18-01-01", defaults={"name": "车工"})
    return found


def certificate(worker, level, issued_on, expires_on=None, *, revoked=False):
    return Certificate.objects.create(
        worker=worker,
        occupation=occupation(),
        level=level,
        number=f"T{next(_numbers):08d}",
        route=Route.SOCIAL,
        issued_on=issued_on,
        expires_on=expires_on,
        revoked=revoked,
    )


def title(worker, rank, awarded_on=date(2019, 6, 1)):
    return EngineeringTitle.objects.create(worker=worker, rank=rank, awarded_on=awarded_on)


def designation(org, worker, tier="key", valid_from=date(2020, 1, 1), valid_to=None):
    return TalentDesignation.objects.create(org=org, worker=worker, tier=tier, valid_from=valid_from, valid_to=valid_to)


def worker(enterprise, name="张三", level=None, issued_on=date(2018, 5, 1), **fields):
    made = worker_at(enterprise, name, **fields)
    if level:
        certificate(made, level, issued_on)
    return made

"""Allowance records at a secret org, for the URL walk of changai/tests/test_authorization.py."""

from datetime import date
from decimal import Decimal

from changai.allowances.models import (
    AllowancePolicy,
    PolicyLevelAmount,
    RewardPayment,
    Roster,
    RosterLine,
    TalentDesignation,
)
from changai.workers.tests.factories import worker_at


def secrets(secret) -> tuple[dict, list]:
    org = secret.org
    person = worker_at(org, f"{secret.name}技师")
    policy = AllowancePolicy.objects.create(org=org, name=f"{secret.name}津贴办法", effective_from=date(2026, 1, 1))
    PolicyLevelAmount.objects.create(policy=policy, level=5, amount=Decimal(500))
    designation = TalentDesignation.objects.create(
        org=org, worker=person, tier="key", valid_from=date(2026, 1, 1), basis=f"{secret.name}认定文件"
    )
    roster = Roster.objects.create(
        org=org, month="2026-05", status=Roster.Status.APPROVED, line_count=1, paid_count=1, total_amount=5500
    )
    roster.policies.add(policy)
    RosterLine.objects.create(
        roster=roster,
        worker=person,
        enterprise=org,
        name=f"{secret.name}技师",
        id_masked=person.id_masked,
        basis_level=5,
        level_amount=500,
        reward_amount=5000,
        total=5500,
        reasons=f"{secret.name}晋级",
    )
    RewardPayment.objects.create(
        worker=person, level=5, amount=5000, enterprise=org, roster=roster, month="2026-05", reached_on=date(2026, 5, 3)
    )
    values = {"roster_pk": roster.pk, "policy_pk": policy.pk, "designation_pk": designation.pk}
    return values, [roster, policy]

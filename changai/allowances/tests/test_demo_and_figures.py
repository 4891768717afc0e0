"""The demo loader, the registered figures and the reward timeline."""

from datetime import date
from decimal import Decimal

import pytest

from changai.allowances import services
from changai.allowances.demo import load_demo_allowances
from changai.allowances.models import AllowancePolicy, Roster, TalentDesignation
from changai.core.periods import Period
from changai.indicators.registry import get_computed

from .factories import certificate, policy, worker

pytestmark = pytest.mark.django_db


def test_the_demo_sets_up_a_group_policy_and_last_months_approved_roster(cast):
    firm = cast.jiangyin_firm
    for n, level in enumerate([4, 5, 6, 5, 3]):
        worker(firm, f"演示{n}", level)
    assert load_demo_allowances() > 0
    made = AllowancePolicy.objects.get()
    assert made.org == firm and {row.level: row.amount for row in made.level_amounts.all()} == {
        4: Decimal(300),
        5: Decimal(500),
        6: Decimal(800),
    }
    assert {row.tier: row.amount for row in made.tiers.all()} == {
        "leading": Decimal(3000),
        "special": Decimal(2000),
        "key": Decimal(1000),
    }
    assert {row.level: row.amount for row in made.reward_rules.all()} == {4: Decimal(1000), 5: Decimal(5000)}
    this_month = services.current_month()
    last = Roster.objects.get(month=this_month.previous().code)
    draft = Roster.objects.get(month=this_month.code)
    assert last.is_locked and not draft.is_locked and last.paid_count == 4
    assert TalentDesignation.objects.count() == 3
    assert cast.line_firm.__class__.objects.filter(group=firm).exists()  # a demo group around the enterprise
    assert load_demo_allowances() == 0


def test_figures_count_approved_rosters_and_rewards_by_enterprise(cast):
    firm = cast.jiangyin_firm
    policy(firm)
    worker(firm, "甲", 5)
    newcomer = worker(firm, "乙", 3)
    certificate(newcomer, 4, date(2026, 5, 6))
    may = services.compute_roster(firm, "2026-05")
    services.compute_roster(cast.line_firm, "2026-05")
    orgs = [cast.jiangyin, cast.gaoyou]
    paid = get_computed("allowance_paid_amount").compute(Period.parse("2026Q2"), orgs)
    assert paid == {cast.jiangyin.pk: 0, cast.gaoyou.pk: 0}  # nothing approved yet
    services.approve_roster(cast.users["qiye"], may)
    paid = get_computed("allowance_paid_amount").compute(Period.parse("2026Q2"), orgs)
    assert paid[cast.jiangyin.pk] == Decimal("1500.00") and paid[cast.gaoyou.pk] == 0  # 500 + a 1,000 reward
    rewards = get_computed("allowance_reward_amount").compute(Period.parse("2026M05"), orgs)
    assert rewards[cast.jiangyin.pk] == Decimal("1000.00")
    people = get_computed("allowance_recipients").compute(Period.parse("2026"), orgs)
    assert people[cast.jiangyin.pk] == 2
    assert get_computed("allowance_paid_amount").compute(Period.parse("2026W20"), orgs)[cast.jiangyin.pk] == 0


def test_a_paid_reward_shows_on_the_workers_timeline(cast):
    from changai.workers.timeline import timeline_for

    firm = cast.jiangyin_firm
    policy(firm)
    person = worker(firm, "晋级", 4, issued_on=date(2019, 1, 1))
    certificate(person, 5, date(2026, 5, 6))
    services.approve_roster(cast.users["qiye"], services.compute_roster(firm, "2026-05"))
    entries = [entry for entry in timeline_for(person) if entry.kind == "晋级奖励"]
    assert len(entries) == 1 and entries[0].day == date(2026, 5, 6) and "5,000元" in entries[0].text

"""The roster rules: equivalence, tiers, mid-month changes both ways under both rules, rewards, policies."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from changai.allowances import services
from changai.allowances.models import MidMonthRule, RewardPayment, RosterLine
from changai.certificates.models import TitleRank
from changai.workers import services as worker_services

from .factories import certificate, designation, policy, title, worker

pytestmark = pytest.mark.django_db
PRO_RATA = MidMonthRule.PRO_RATA


def line_of(roster, person, enterprise=None):
    lines = RosterLine.objects.filter(roster=roster, worker=person)
    if enterprise is not None:
        lines = lines.filter(enterprise=enterprise)
    return lines.get()


def compute(org, month="2026-05", **kwargs):
    return services.compute_roster(org, month, **kwargs)


# ---------------------------------------------------------------------------- levels and titles


def test_it_pays_the_amount_of_the_workers_level(cast):
    firm = cast.jiangyin_firm
    policy(firm)
    senior, technician, chief = worker(firm, "甲", 4), worker(firm, "乙", 5), worker(firm, "丙", 8)
    worker(firm, "丁", 3)  # an intermediate worker gets nothing and is not listed
    roster = compute(firm)
    assert line_of(roster, senior).level_amount == Decimal("300.00")
    assert line_of(roster, technician).level_amount == Decimal("500.00")
    # A level above the highest with an amount gets the nearest lower one.
    assert line_of(roster, chief).level_amount == Decimal("800.00")
    assert roster.line_count == 3 and roster.total_amount == Decimal("1600.00")
    assert {row["level"]: row["count"] for row in roster.totals["levels"]} == {4: 1, 5: 1, 8: 1}


def test_a_title_counts_as_its_equivalent_level_and_the_higher_of_the_two_is_paid_not_both(cast):
    firm = cast.jiangyin_firm
    policy(firm)
    engineer = worker(firm, "工程师高级工", 4)
    title(engineer, TitleRank.ENGINEER)
    technician = worker(firm, "技师助工", 5)
    title(technician, TitleRank.ASSISTANT)
    untrained = worker(firm, "高工无证")
    title(untrained, TitleRank.SENIOR)
    roster = compute(firm)
    line = line_of(roster, engineer)
    assert (line.level_amount, line.basis_level, line.basis_source) == (Decimal("500.00"), 5, "title")
    line = line_of(roster, technician)
    assert (line.level_amount, line.basis_level, line.basis_source) == (Decimal("500.00"), 5, "skill")
    assert line_of(roster, untrained).level_amount == Decimal("800.00")
    assert line_of(roster, engineer).total == Decimal("500.00")  # not 300 + 500


def test_titles_do_not_count_when_the_policy_says_so(cast):
    firm = cast.jiangyin_firm
    policy(firm, titles_count=False)
    engineer = worker(firm, "工程师", 4)
    title(engineer, TitleRank.ENGINEER)
    assert line_of(compute(firm), engineer).level_amount == Decimal("300.00")


def test_expired_and_revoked_certificates_do_not_count(cast):
    firm = cast.jiangyin_firm
    policy(firm)
    lapsed = worker(firm, "过期")
    certificate(lapsed, 5, date(2015, 1, 1), expires_on=date(2026, 4, 30))
    certificate(lapsed, 4, date(2014, 1, 1))
    revoked = worker(firm, "撤销")
    certificate(revoked, 6, date(2020, 1, 1), revoked=True)
    roster = compute(firm)
    assert line_of(roster, lapsed).level_amount == Decimal("300.00")
    assert not RosterLine.objects.filter(roster=roster, worker=revoked).exists()


# ---------------------------------------------------------------------------- talent tiers


def test_a_designated_talent_gets_the_tier_allowance_on_top_of_the_level(cast):
    firm = cast.jiangyin_firm
    policy(firm)
    key = worker(firm, "关键", 5)
    designation(firm, key, "key")
    both = worker(firm, "双认定", 6)
    designation(firm, both, "key")
    designation(firm, both, "leading", valid_from=date(2021, 1, 1))
    ended = worker(firm, "到期", 4)
    designation(firm, ended, "special", valid_to=date(2026, 3, 31))
    roster = compute(firm)
    line = line_of(roster, key)
    assert (line.tier, line.tier_amount, line.total) == ("key", Decimal("1000.00"), Decimal("1500.00"))
    line = line_of(roster, both)
    assert (line.tier, line.tier_amount) == ("leading", Decimal("3000.00"))  # the best tier only
    assert line_of(roster, ended).tier_amount == 0
    assert {row["tier"]: row["count"] for row in roster.totals["tiers"]} == {"leading": 1, "key": 1}


def test_a_designation_by_the_group_counts_in_its_member_enterprises_but_not_elsewhere(cast):
    head, member, other = cast.jiangyin_firm, cast.line_firm, cast.gaoyou_firm
    member.group = head
    member.save()
    policy(head)
    policy(other)
    in_group, outside = worker(member, "集团人才", 4), worker(other, "外企", 4)
    designation(head, in_group, "special")
    designation(head, outside, "special")
    assert line_of(compute(member), in_group).tier_amount == Decimal("2000.00")
    assert line_of(compute(other), outside).tier_amount == 0


# ---------------------------------------------------------------------------- changes within the month


def test_a_new_level_mid_month_counts_from_next_month_under_the_next_month_rule(cast):
    firm = cast.jiangyin_firm
    policy(firm)
    person = worker(firm, "晋级", 4)
    certificate(person, 5, date(2026, 5, 15))
    assert line_of(compute(firm, "2026-05"), person).level_amount == Decimal("300.00")
    assert line_of(compute(firm, "2026-06"), person).level_amount == Decimal("500.00")


def test_a_lost_level_mid_month_counts_from_next_month_under_the_next_month_rule(cast):
    firm = cast.jiangyin_firm
    policy(firm)
    person = worker(firm, "过期", 4)
    certificate(person, 5, date(2016, 1, 1), expires_on=date(2026, 5, 10))
    assert line_of(compute(firm, "2026-05"), person).level_amount == Decimal("500.00")
    assert line_of(compute(firm, "2026-06"), person).level_amount == Decimal("300.00")


def test_a_new_level_mid_month_is_paid_by_days_under_the_pro_rata_rule(cast):
    firm = cast.jiangyin_firm
    policy(firm, rule=PRO_RATA)
    person = worker(firm, "晋级", 4)
    certificate(person, 5, date(2026, 5, 15))
    line = line_of(compute(firm), person)
    # 14 days at 300 and 17 days at 500, of 31.
    assert line.level_amount == (Decimal(300 * 14 + 500 * 17) / 31).quantize(Decimal("0.01"))
    assert line.basis_level == 5 and line.days == 31
    assert [segment["level"] for segment in line.detail["segments"]] == [4, 5]


def test_a_lost_level_mid_month_is_paid_by_days_under_the_pro_rata_rule(cast):
    firm = cast.jiangyin_firm
    policy(firm, rule=PRO_RATA)
    person = worker(firm, "过期", 4)
    certificate(person, 5, date(2016, 1, 1), expires_on=date(2026, 5, 10))  # valid through the 10th
    line = line_of(compute(firm), person)
    assert line.level_amount == Decimal("364.52")  # (10 × 500 + 21 × 300) / 31
    assert line.basis_level == 4


def test_joining_and_leaving_mid_month_under_both_rules(cast):
    firm, other = cast.jiangyin_firm, cast.line_firm
    policy(firm, rule=PRO_RATA)
    policy(other)
    joiner = worker(firm, "新人", 4, hired_on=date(2026, 5, 11))
    leaver = worker(firm, "离开", 4)
    worker_services.leave_worker(leaver, date(2026, 5, 20))
    pro_rata = compute(firm)
    assert line_of(pro_rata, joiner).level_amount == Decimal("203.23")  # 21 of 31 days
    assert line_of(pro_rata, leaver).level_amount == Decimal("193.55")  # 20 of 31 days
    late, early = worker(other, "月中入职", 4, hired_on=date(2026, 5, 11)), worker(other, "月中离职", 4)
    worker_services.leave_worker(early, date(2026, 5, 20))
    next_month = compute(other)
    assert not RosterLine.objects.filter(roster=next_month, worker=late).exists()  # paid from June
    assert line_of(next_month, early).level_amount == Decimal("300.00")  # the change counts from June


def test_a_designation_starting_mid_month_is_paid_by_days_under_the_pro_rata_rule(cast):
    firm = cast.jiangyin_firm
    policy(firm, rule=PRO_RATA)
    person = worker(firm, "新认定", 4)
    designation(firm, person, "key", valid_from=date(2026, 5, 22))
    line = line_of(compute(firm), person)
    assert line.tier_amount == Decimal("322.58")  # 10 of 31 days of 1,000
    assert line.level_amount == Decimal("300.00")


# ---------------------------------------------------------------------------- policies


def test_a_member_without_its_own_policy_uses_its_groups_and_one_with_its_own_uses_that(cast):
    head, member, own = cast.jiangyin_firm, cast.line_firm, cast.gaoyou_firm
    for firm in (member, own):
        firm.group = head
        firm.save()
    policy(head, levels={4: 400, 5: 600, 6: 900})
    policy(own, levels={4: 100})
    inherits, keeps = worker(member, "沿用", 4), worker(own, "自有", 4)
    assert line_of(compute(member), inherits).level_amount == Decimal("400.00")
    assert line_of(compute(own), keeps).level_amount == Decimal("100.00")
    group = compute(head, whole_group=True)
    assert line_of(group, inherits).level_amount == Decimal("400.00")
    assert line_of(group, keeps).level_amount == Decimal("100.00")
    assert {row["name"] for row in group.totals["enterprises"]} == {member.name, own.name}


def test_the_policy_in_force_for_the_month_is_used_and_a_switch_mid_month_follows_the_rule(cast):
    firm, other = cast.jiangyin_firm, cast.line_firm
    for org, rule in ((firm, MidMonthRule.NEXT_MONTH), (other, PRO_RATA)):
        policy(org, date(2025, 1, 1), date(2026, 5, 15), rule=rule, levels={4: 300}, name="旧办法")
        policy(org, date(2026, 5, 16), rule=rule, levels={4: 400}, name="新办法")
    first, second = worker(firm, "甲", 4), worker(other, "乙", 4)
    assert line_of(compute(firm, "2026-04"), first).level_amount == Decimal("300.00")
    assert line_of(compute(firm, "2026-05"), first).level_amount == Decimal("300.00")
    assert line_of(compute(firm, "2026-06"), first).level_amount == Decimal("400.00")
    may = compute(other, "2026-05")
    assert line_of(may, second).level_amount == Decimal("351.61")  # (15 × 300 + 16 × 400) / 31
    assert set(may.policy_snapshot) == {str(p.pk) for p in may.policies.all()} and may.policies.count() == 2


def test_a_policy_starting_mid_month_under_the_next_month_rule_pays_from_next_month(cast):
    firm = cast.jiangyin_firm
    policy(firm, date(2026, 5, 10))
    person = worker(firm, "甲", 4)
    assert not RosterLine.objects.filter(roster=compute(firm, "2026-05"), worker=person).exists()
    assert line_of(compute(firm, "2026-06"), person).level_amount == Decimal("300.00")


def test_an_enterprise_without_any_policy_gets_an_empty_roster(cast):
    worker(cast.jiangyin_firm, "甲", 5)
    roster = compute(cast.jiangyin_firm)
    assert roster.line_count == 0 and roster.total_amount == 0


# ---------------------------------------------------------------------------- one-off rewards


def test_a_newly_reached_level_earns_its_reward_once_even_after_moving_enterprise(cast):
    first, second = cast.jiangyin_firm, cast.line_firm
    policy(first)
    policy(second)
    person = worker(first, "晋级", 3, issued_on=date(2019, 1, 1))
    certificate(person, 4, date(2026, 5, 10))
    may = compute(first, "2026-05")
    line = line_of(may, person)
    assert line.reward_amount == Decimal("1000.00") and line.level_amount == 0  # next-month rule for the level
    assert "新晋高级工一次性奖励1,000元" in line.reasons or "新晋高级工" in line.reasons
    services.approve_roster(cast.users["qiye"], may)
    assert RewardPayment.objects.get(worker=person).amount == Decimal("1000.00")
    assert line_of(compute(first, "2026-06"), person).reward_amount == 0
    worker_services.move_worker(person, second, date(2026, 7, 1))
    assert line_of(compute(second, "2026-07"), person).reward_amount == 0
    assert RewardPayment.objects.filter(worker=person).count() == 1


def test_a_level_reached_before_the_policy_began_or_before_joining_earns_no_reward(cast):
    firm = cast.jiangyin_firm
    policy(firm, date(2026, 3, 1))
    veteran = worker(firm, "老技师", 5, issued_on=date(2026, 2, 20))
    newcomer = worker(firm, "新同事", hired_on=date(2026, 5, 5))
    certificate(newcomer, 5, date(2026, 5, 2))  # reached before joining
    late = worker(firm, "补录")
    certificate(late, 5, date(2026, 3, 20))  # reached under the policy, recorded only now: still due
    roster = compute(firm, "2026-05")
    assert line_of(roster, veteran).reward_amount == 0
    assert not RosterLine.objects.filter(roster=roster, worker=newcomer).exists()
    assert line_of(roster, late).reward_amount == Decimal("6000.00")  # 高级工 and 技师 both reached


def test_the_reward_goes_to_the_enterprise_where_the_level_was_reached(cast):
    first, second = cast.jiangyin_firm, cast.line_firm
    policy(first)
    policy(second)
    person = worker(first, "调动", 4, issued_on=date(2019, 1, 1))
    certificate(person, 5, date(2026, 5, 3))
    worker_services.move_worker(person, second, date(2026, 5, 20))
    old_job, new_job = compute(first), compute(second)
    assert line_of(old_job, person).reward_amount == Decimal("5000.00")
    assert not RosterLine.objects.filter(roster=new_job, worker=person).exists()  # joined after the 1st
    services.approve_roster(cast.users["qiye"], old_job)
    assert line_of(compute(second, "2026-06"), person).reward_amount == 0


def test_approval_is_refused_when_the_reward_was_paid_meanwhile(cast):
    head, member = cast.jiangyin_firm, cast.line_firm
    member.group = head
    member.save()
    policy(head)
    person = worker(member, "晋级", 4, issued_on=date(2019, 1, 1))
    certificate(person, 5, date(2026, 5, 3))
    own, group = compute(member), compute(head, whole_group=True)
    assert line_of(own, person).reward_amount == line_of(group, person).reward_amount == Decimal("5000.00")
    services.approve_roster(cast.users["qiye"], own)
    with pytest.raises(ValidationError, match="同一企业同一月份只能有一份已审批花名册"):
        services.approve_roster(cast.users["qiye"], group)

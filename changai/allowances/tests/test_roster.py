"""The roster as a whole: changes against last month with reasons, lock, recompute, the cross-check, export."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from changai.allowances import services
from changai.allowances.exports import roster_workbook
from changai.allowances.models import Roster, RosterLine
from changai.workers import services as worker_services

from .factories import certificate, designation, policy, worker

pytestmark = pytest.mark.django_db
Change = RosterLine.Change


def line_of(roster, person):
    return RosterLine.objects.get(roster=roster, worker=person)


@pytest.fixture
def april(cast):
    """An approved April roster of the Jiangyin firm (next-month rule), and the people on it."""
    firm = cast.jiangyin_firm
    policy(firm, rewards={})
    people = {
        "raised": worker(firm, "晋级", 4),
        "lapsed": worker(firm, "过期", 4),
        "leaving": worker(firm, "离职", 4),
        "moving": worker(firm, "调走", 5),
        "named": worker(firm, "认定", 4),
        "steady": worker(firm, "不变", 6),
    }
    certificate(people["raised"], 5, date(2026, 4, 20))
    certificate(people["lapsed"], 5, date(2016, 1, 1), expires_on=date(2026, 4, 15))
    roster = services.compute_roster(firm, "2026-04")
    services.approve_roster(cast.users["qiye"], roster)
    return people


def test_the_first_roster_has_no_changes_to_explain(cast, april):
    roster = Roster.objects.get(month="2026-04")
    assert set(roster.lines.values_list("change", flat=True)) == {Change.FIRST}
    assert roster.changed_count == 0 and roster.paid_count == 6


def test_changes_against_last_months_approved_roster_carry_their_reasons(cast, april):
    firm, other = cast.jiangyin_firm, cast.line_firm
    worker_services.leave_worker(april["leaving"], date(2026, 4, 30))
    worker_services.move_worker(april["moving"], other, date(2026, 5, 1))
    designation(firm, april["named"], "key", valid_from=date(2026, 5, 1))
    newcomer = worker(firm, "新人", 4, hired_on=date(2026, 5, 1))
    may = services.compute_roster(firm, "2026-05")
    expected = {
        "raised": (Change.UP, "新取得技师证书"),
        "lapsed": (Change.DOWN, "技师证书过期"),
        "leaving": (Change.GONE, "离职"),
        "moving": (Change.GONE, "调离"),
        "named": (Change.UP, "新认定为关键技能人才"),
    }
    for key, (change, reason) in expected.items():
        line = line_of(may, april[key])
        assert line.change == change, key
        assert reason in line.reasons, (key, line.reasons)
    steady = line_of(may, april["steady"])
    assert (steady.change, steady.reasons, steady.previous_total) == (Change.SAME, "", Decimal("800.00"))
    line = line_of(may, newcomer)
    assert (line.change, line.reasons) == (Change.NEW, "新入职")
    assert line_of(may, april["leaving"]).total == 0
    assert may.changed_count == 6
    assert may.totals["changes"][Change.GONE] == 2


def test_an_approved_roster_is_locked_and_a_draft_is_replaced_when_recomputed(cast, april):
    firm = cast.jiangyin_firm
    with pytest.raises(ValidationError, match="已审批锁定"):
        services.compute_roster(firm, "2026-04")
    with pytest.raises(ValidationError, match="无需重复审批"):
        services.approve_roster(cast.users["qiye"], Roster.objects.get(month="2026-04"))
    draft = services.compute_roster(firm, "2026-05")
    assert draft.line_count == 6
    worker(firm, "新增", 5, hired_on=date(2026, 4, 1))
    again = services.compute_roster(firm, "2026-05")
    assert again.pk == draft.pk and again.line_count == 7
    assert RosterLine.objects.filter(roster=again).count() == 7


def test_a_future_month_and_a_group_member_as_group_are_refused(cast):
    with pytest.raises(ValidationError, match="尚未开始"):
        services.compute_roster(cast.jiangyin_firm, services.current_month().next().code)
    cast.line_firm.group = cast.jiangyin_firm
    cast.line_firm.save()
    with pytest.raises(ValidationError, match="集团本部"):
        services.compute_roster(cast.line_firm, "2026-05", whole_group=True)
    with pytest.raises(ValidationError, match="月份格式"):
        services.compute_roster(cast.jiangyin_firm, "五月")


def test_a_reward_paid_on_an_earlier_roster_meanwhile_blocks_approval_until_recomputed(cast):
    firm = cast.jiangyin_firm
    policy(firm)
    person = worker(firm, "晋级", 4, issued_on=date(2019, 1, 1))
    certificate(person, 5, date(2026, 5, 3))
    may, june = services.compute_roster(firm, "2026-05"), services.compute_roster(firm, "2026-06")
    assert line_of(june, person).reward_amount == Decimal("5000.00")  # not paid yet when June was computed
    services.approve_roster(cast.users["qiye"], may)
    with pytest.raises(ValidationError, match="晋级奖励已在其他花名册中发放"):
        services.approve_roster(cast.users["qiye"], june)
    june = services.compute_roster(firm, "2026-06")
    assert line_of(june, person).reward_amount == 0
    services.approve_roster(cast.users["qiye"], june)


def test_the_cross_check_finds_entitled_workers_on_no_approved_roster(cast):
    listed_firm, silent_firm = cast.jiangyin_firm, cast.line_firm
    policy(listed_firm)
    policy(silent_firm)
    on_roster = worker(listed_firm, "在册", 4)
    worker(listed_firm, "无等级", 2)
    roster = services.compute_roster(listed_firm, "2026-05")
    services.approve_roster(cast.users["qiye"], roster)
    forgotten = worker(listed_firm, "漏报", 5, hired_on=date(2026, 3, 1))  # recorded after the approval
    unlisted = worker(silent_firm, "未编制", 6)
    report = services.entitled_but_unlisted(cast.jiangyin, "2026-05")
    assert {line.worker_id for line in report.lines} == {forgotten.pk, unlisted.pk}
    assert on_roster.pk not in {line.worker_id for line in report.lines}
    assert report.count == 2 and report.amount == Decimal("1300.00")
    assert report.enterprises == {listed_firm.pk: [1, Decimal("500.00")], silent_firm.pk: [1, Decimal("800.00")]}
    data = report.as_json()
    assert data["enterprises"][0]["name"] in (listed_firm.name, silent_firm.name)
    assert services.entitled_but_unlisted(cast.gaoyou, "2026-05").count == 0


def test_the_export_masks_identity_numbers_for_users_without_the_full_number_permission(cast, april):
    roster = Roster.objects.get(month="2026-04")
    workbook, rows = roster_workbook(roster, cast.users["jiangyin"])
    buffer = BytesIO()
    workbook.save(buffer)
    sheet = load_workbook(BytesIO(buffer.getvalue()))["明细"]
    values = list(sheet.iter_rows(values_only=True))
    assert rows == 6 and values[0][3] == "身份证号"
    numbers = [row[3] for row in values[1:]]
    assert all("*" in number for number in numbers)
    assert {row[2] for row in values[1:]} == {"晋级", "过期", "离职", "调走", "认定", "不变"}
    summary = load_workbook(BytesIO(buffer.getvalue()))["汇总"]
    assert any(row[0] == "技师" for row in summary.iter_rows(values_only=True))

"""Pages and API: enterprise unions manage, offices read and check, outsiders get 404."""

from datetime import date
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from changai.accounts.roles import Role
from changai.accounts.tests.factories import member
from changai.allowances import services
from changai.allowances.models import AllowancePolicy, Roster, TalentDesignation
from changai.workers.models import FullNumberView
from changai.workers.tests.factories import id_number

from .factories import certificate, policy, worker

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def policy_post(org, **overrides):
    data = {
        "org": org.pk,
        "name": "技能人才津贴办法",
        "effective_from": "2026-01-01",
        "effective_to": "",
        "mid_month_rule": "next_month",
        "titles_count": "on",
        "level_4": "300",
        "level_5": "500",
        "level_6": "800",
        "tier_key": "1000",
        "reward_5": "5000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def may_roster(cast):
    firm = cast.jiangyin_firm
    policy(firm)
    worker(firm, "王技师", 5)
    worker(firm, "李高工", 4)
    return services.compute_roster(firm, "2026-05")


def test_the_enterprise_union_creates_a_policy_and_sees_chinese_messages_for_bad_input(cast):
    client = client_for(cast.users["qiye"])
    response = client.post(reverse("allowances:policy_create"), policy_post(cast.jiangyin_firm))
    made = AllowancePolicy.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/policies/{made.pk}/")
    assert {row.level: row.amount for row in made.level_amounts.all()} == {4: 300, 5: 500, 6: 800}
    page = client.get(reverse("allowances:policy_detail", kwargs={"policy_pk": made.pk})).content.decode()
    assert "技能人才津贴办法" in page and "关键技能人才" in page
    overlap = client.post(
        reverse("allowances:policy_create"), policy_post(cast.jiangyin_firm, effective_from="2026-06-01")
    )
    assert "有效期重叠" in overlap.content.decode()
    bad = client.post(
        reverse("allowances:policy_create"),
        policy_post(cast.jiangyin_firm, effective_from="2027-01-01", effective_to="2026-12-01", level_4="-5"),
    )
    body = bad.content.decode()
    assert "金额不能为负数" in body
    lower = client.post(
        reverse("allowances:policy_create"),
        policy_post(cast.jiangyin_firm, effective_from="2025-01-01", effective_to="2025-12-31", level_5="200"),
    )
    assert "不应低于" in lower.content.decode()
    backwards = client.post(
        reverse("allowances:policy_create"),
        policy_post(cast.jiangyin_firm, effective_from="2025-06-01", effective_to="2025-01-31"),
    )
    assert "截止日期不能早于生效日期" in backwards.content.decode()
    outside = client.post(
        reverse("allowances:policy_create"), policy_post(cast.gaoyou_firm, effective_from="2027-01-01")
    )
    assert "只能为您管理的企业" in outside.content.decode()
    assert AllowancePolicy.objects.count() == 1


def test_a_policy_used_by_an_approved_roster_keeps_its_amounts_and_is_copied_to_a_new_version(cast, may_roster):
    client = client_for(cast.users["qiye"])
    services.approve_roster(cast.users["qiye"], may_roster)
    used = AllowancePolicy.objects.get()
    edit = reverse("allowances:policy_edit", kwargs={"policy_pk": used.pk})
    response = client.post(edit, policy_post(cast.jiangyin_firm, level_4="350"))
    assert "不能再修改津贴金额" in response.content.decode()
    copy = client.post(
        reverse("allowances:policy_copy", kwargs={"policy_pk": used.pk}), {"effective_from": "2026-07-01"}
    )
    new = AllowancePolicy.objects.exclude(pk=used.pk).get()
    assert copy.status_code == 302 and new.effective_from == date(2026, 7, 1)
    used.refresh_from_db()
    assert used.effective_to == date(2026, 6, 30)
    too_early = client.post(
        reverse("allowances:policy_copy", kwargs={"policy_pk": new.pk}), {"effective_from": "2026-05-01"}
    )
    assert "应晚于原政策的生效日期" in too_early.content.decode()


def test_the_union_computes_searches_approves_and_exports_the_roster(cast):
    firm = cast.jiangyin_firm
    policy(firm)
    worker(firm, "王技师", 5)
    worker(firm, "李高工", 4)
    client = client_for(cast.users["qiye"])
    response = client.post(reverse("allowances:roster_create"), {"org": firm.pk, "month": "2026-05"})
    roster = Roster.objects.get()
    detail = reverse("allowances:roster_detail", kwargs={"roster_pk": roster.pk})
    assert response.status_code == 302 and response["Location"] == detail
    page = client.get(detail).content.decode()
    assert "王技师" in page and "李高工" in page and "800.00" in page
    found = client.get(detail, {"q": "王"}).content.decode()
    assert "王技师" in found and "李高工" not in found
    assert client.post(reverse("allowances:roster_approve", kwargs={"roster_pk": roster.pk})).status_code == 302
    roster.refresh_from_db()
    assert roster.is_locked and roster.approved_by == cast.users["qiye"]
    again = client.post(reverse("allowances:roster_recompute", kwargs={"roster_pk": roster.pk}), follow=True)
    assert "已审批锁定" in again.content.decode()
    export = client.get(reverse("allowances:roster_export", kwargs={"roster_pk": roster.pk}))
    assert export.status_code == 200 and "spreadsheet" in export["Content-Type"]
    sheet = load_workbook(BytesIO(export.content))["明细"]
    rows = list(sheet.iter_rows(values_only=True))[1:]
    assert {row[2] for row in rows} == {"王技师", "李高工"}
    # The enterprise union may see its workers' full numbers (workers.services decides); the export is logged.
    assert all("*" not in row[3] and len(row[3]) == 18 for row in rows)
    view = FullNumberView.objects.get()
    assert (view.user, view.channel, view.rows, view.enterprise) == (cast.users["qiye"], "export", 2, firm)
    masked = client_for(cast.users["zhutang"]).get(reverse("allowances:roster_export", kwargs={"roster_pk": roster.pk}))
    rows = list(load_workbook(BytesIO(masked.content))["明细"].iter_rows(values_only=True))[1:]
    assert all("*" in row[3] for row in rows) and FullNumberView.objects.count() == 1


def test_a_future_month_is_refused_on_the_form(cast):
    client = client_for(cast.users["qiye"])
    month = services.current_month().next().code
    response = client.post(reverse("allowances:roster_create"), {"org": cast.jiangyin_firm.pk, "month": month})
    assert "尚未开始" in response.content.decode() and not Roster.objects.exists()


def test_offices_and_leaders_read_but_do_not_manage_and_outsiders_get_404(cast, may_roster):
    detail = reverse("allowances:roster_detail", kwargs={"roster_pk": may_roster.pk})
    approve = reverse("allowances:roster_approve", kwargs={"roster_pk": may_roster.pk})
    for name in ("zhutang", "jiangyin", "lingdao"):
        client = client_for(cast.users[name])
        assert client.get(detail).status_code == 200, name
        assert client.post(approve).status_code == 403, name
        assert client.get(reverse("allowances:roster_create")).status_code == 403, name
    outsider = client_for(cast.users["gaoyou"])
    assert outsider.get(detail).status_code == 404
    assert outsider.post(approve).status_code == 404
    assert "江阴测试机械" not in outsider.get(reverse("allowances:roster_list")).content.decode()
    assert client_for(cast.users["renshe"]).get(reverse("allowances:roster_list")).status_code == 403


def test_the_office_runs_the_cross_check_and_exports_it(cast, may_roster):
    client = client_for(cast.users["jiangyin"])
    response = client.post(reverse("allowances:unlisted_check"), {"month": "2026-05"})
    assert response.status_code == 302 and "?job=" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "王技师" in page and "李高工" in page and "800.00" in page
    export = client.get(response["Location"] + "&export=xlsx")
    assert "spreadsheet" in export["Content-Type"]
    services.approve_roster(cast.users["qiye"], may_roster)
    again = client.get(client.post(reverse("allowances:unlisted_check"), {"month": "2026-05"})["Location"])
    assert "都已列入已审批的花名册" in again.content.decode()
    # Another user cannot open someone else's check.
    other = client_for(cast.users["zhutang"]).get(response["Location"]).content.decode()
    assert "王技师" not in other
    assert client_for(cast.users["qiye"]).get(reverse("allowances:unlisted_check")).status_code == 200
    assert client_for(cast.users["lingdao"]).get(reverse("allowances:unlisted_check")).status_code == 403


def test_the_union_designates_a_talent_by_identity_number(cast):
    firm = cast.jiangyin_firm
    number = id_number()
    person = worker(firm, "赵关键", 5, number=number)
    client = client_for(cast.users["qiye"])
    data = {"org": firm.pk, "id_number": number, "tier": "key", "valid_from": "2026-01-01", "basis": "2026年认定"}
    response = client.post(reverse("allowances:designation_list"), data)
    assert response.status_code == 302
    designation = TalentDesignation.objects.get()
    assert designation.worker == person and designation.created_by == cast.users["qiye"]
    twice = client.post(reverse("allowances:designation_list"), data).content.decode()
    assert "期间重叠" in twice
    unknown = client.post(reverse("allowances:designation_list"), {**data, "id_number": id_number()}).content.decode()
    assert "职工台账中没有" in unknown
    invalid = client.post(reverse("allowances:designation_list"), {**data, "id_number": "123"}).content.decode()
    assert "身份证号" in invalid and TalentDesignation.objects.count() == 1
    edit = reverse("allowances:designation_edit", kwargs={"designation_pk": designation.pk})
    client.post(edit, {"tier": "key", "valid_from": "2026-01-01", "valid_to": "2026-06-30", "basis": "到期"})
    designation.refresh_from_db()
    assert designation.valid_to == date(2026, 6, 30)
    listing = client_for(cast.users["jiangyin"]).get(reverse("allowances:designation_list")).content.decode()
    assert "赵关键" in listing
    assert client_for(cast.users["gaoyou"]).get(edit).status_code == 403  # an office does not designate
    other_union = member("gaoyou-union", cast.gaoyou_firm, Role.ENTERPRISE_UNION)
    assert client_for(other_union).get(edit).status_code == 404


def test_the_api_lists_rosters_in_scope_with_masked_lines(cast, may_roster):
    client = client_for(cast.users["jiangyin"])
    listing = client.get("/api/v1/rosters/").json()
    assert [row["id"] for row in listing["results"]] == [may_roster.pk]
    detail = client.get(f"/api/v1/rosters/{may_roster.pk}/").json()
    assert {line["name"] for line in detail["lines"]} == {"王技师", "李高工"}
    assert all("*" in line["id_masked"] for line in detail["lines"])
    lines = client.get(f"/api/v1/rosters/{may_roster.pk}/lines/").json()
    assert lines["count"] == 2
    assert client.get("/api/v1/allowance-policies/").json()["count"] == 1
    outsider = client_for(cast.users["gaoyou"])
    assert outsider.get(f"/api/v1/rosters/{may_roster.pk}/").status_code == 404
    assert outsider.get("/api/v1/rosters/").json()["count"] == 0


def test_a_large_roster_is_computed_as_a_job(cast, monkeypatch):
    firm = cast.jiangyin_firm
    policy(firm)
    certificate(worker(firm, "甲"), 5, date(2020, 1, 1))
    monkeypatch.setattr(services, "SYNC_LIMIT", 0)
    client = client_for(cast.users["qiye"])
    client.post(reverse("allowances:roster_create"), {"org": firm.pk, "month": "2026-05"})
    roster = Roster.objects.get()
    assert roster.job is not None and roster.job.status == "succeeded"  # eager without a broker
    assert roster.line_count == 1


def test_every_page_renders_empty_and_filled(cast):
    client = client_for(cast.users["qiye"])
    pages = [
        reverse("allowances:roster_list"),
        reverse("allowances:roster_create"),
        reverse("allowances:policy_list"),
        reverse("allowances:policy_create"),
        reverse("allowances:designation_list"),
        reverse("allowances:unlisted_check"),
    ]
    empty = {url: client.get(url) for url in pages}
    assert all(response.status_code == 200 for response in empty.values())
    assert "还没有技能津贴花名册" in empty[pages[0]].content.decode()
    assert "还没有技能津贴政策" in empty[pages[2]].content.decode()
    assert "还没有认定特殊人才" in empty[pages[4]].content.decode()
    firm = cast.jiangyin_firm
    made = policy(firm)
    worker(firm, "王技师", 5)
    roster = services.compute_roster(firm, "2026-05")
    filled = [
        *pages,
        reverse("allowances:policy_detail", kwargs={"policy_pk": made.pk}),
        reverse("allowances:policy_edit", kwargs={"policy_pk": made.pk}),
        reverse("allowances:policy_copy", kwargs={"policy_pk": made.pk}),
        reverse("allowances:roster_detail", kwargs={"roster_pk": roster.pk}),
    ]
    for url in filled:
        assert client.get(url, {"q": "王", "state": "current", "month": "2026-05"}).status_code == 200, url
    listing = client.get(reverse("allowances:roster_list"), {"month": "2026-05"}).content.decode()
    assert "2026年5月" in listing and firm.name in listing
    policies = client.get(reverse("allowances:policy_list"), {"state": "current"}).content.decode()
    assert "执行中" in policies and "技能津贴办法" in policies

"""An enterprise union sets its allowance policy, computes last month's roster, approves it and exports it."""

from datetime import date

import pytest

from changai.allowances.engine import month_of
from changai.allowances.models import Roster
from changai.allowances.tests.factories import certificate, worker

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_union_sets_a_policy_and_approves_and_exports_the_roster(page, live_server, live_cast):
    firm = live_cast.jiangyin_firm
    worker(firm, "王技师", 5)
    senior = worker(firm, "李高工", 3, issued_on=date(2015, 1, 1))
    certificate(senior, 4, date(2016, 3, 1))
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "qiye", live_cast.password)

    page.goto("/allowances/policies/new/")
    page.get_by_label("制定单位").select_option(str(firm.pk))
    page.get_by_label("政策名称").fill("技能人才津贴办法")
    page.get_by_label("生效日期").fill("2024-01-01")
    page.get_by_label("高级工（三级）", exact=True).fill("300")
    page.get_by_label("技师（二级）", exact=True).fill("500")
    page.get_by_label("高级技师（一级）", exact=True).fill("800")
    page.get_by_role("button", name="保存").click()
    assert "已保存津贴政策" in page.content()

    month = month_of(date.today().replace(day=1)).previous()
    page.goto("/allowances/rosters/new/")
    page.get_by_label("编制单位").select_option(str(firm.pk))
    page.get_by_label("月份").fill(month.code)
    page.get_by_role("button", name="计算花名册").click()
    assert page.locator("#paid-count").inner_text().strip() == "2"
    assert page.locator("#total-amount").inner_text().strip() == "800.00"
    assert page.locator("#line-table").get_by_text("王技师").is_visible()

    page.locator("#approve").click()
    page.wait_for_selector("text=已审批并锁定")
    assert Roster.objects.get().is_locked
    with page.expect_download() as download:
        page.locator("#export-link").click()
    assert download.value.suggested_filename.endswith(f"{month.code}.xlsx")

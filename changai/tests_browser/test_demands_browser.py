"""A worker's demand end to end: raised on the phone page, routed, chased, answered late, implemented,
rated through the worker's private link, and counted in the ledger."""

from datetime import date
from unittest import mock

import pytest

from changai.demands import services
from changai.demands.models import Category, Demand, DemandBox

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_workers_demand_from_the_phone_page_to_the_ledger(page, live_server, live_cast):
    box = DemandBox.objects.create(org=live_cast.jiangyin_firm)
    # Transactional tests flush the categories the migration seeds: make sure this one exists.
    pay, _ = Category.objects.get_or_create(code="pay", defaults={"name": "工资待遇与津贴", "pillar": "rights"})
    page.goto(f"/demands/q/{box.token}/")
    page.get_by_label("诉求类别").select_option(str(pay.pk))
    page.get_by_label("一句话说明").fill("高级工技能津贴没有按月发放")
    page.get_by_label("具体情况").fill("车间取得高级工证书的职工，企业至今没有发放技能津贴")
    page.get_by_role("button", name="提交诉求").click()
    number = page.locator("#demand-number").inner_text()
    follow_url = page.locator("#follow-link").get_attribute("href")
    demand = Demand.objects.get(number=number)

    login(page, live_server, "jiangyin", live_cast.password)
    page.goto(f"/demands/{demand.pk}/")
    page.get_by_label("主办单位").select_option(str(live_cast.hrss.pk))
    with mock.patch("changai.demands.services.today", return_value=date.today()):
        page.get_by_role("button", name="分办").click()
    due = demand.assignments.get().answer_due
    page.context.clear_cookies()

    with mock.patch("changai.demands.services.today", return_value=date.fromordinal(due.toordinal() + 1)):
        assert services.supervise()["chased"] == 1  # the daily round, the day after the deadline

    login(page, live_server, "renshe", live_cast.password)
    page.goto(f"/demands/{demand.pk}/")
    assert "已催办" in page.locator("body").inner_text()
    page.get_by_label("答复内容").fill("已约谈企业，督促按月足额发放技能津贴")
    page.get_by_role("button", name="提交答复").click()
    page.get_by_label("落实计划").fill("下月起补发并按月发放")
    page.get_by_label("计划落实日期").fill("2027-01-31")
    page.get_by_role("button", name="提交计划").click()
    page.get_by_label("落实情况").fill("已补发三个月技能津贴")
    page.get_by_role("button", name="报告已落实").click()
    page.context.clear_cookies()

    page.goto(follow_url)
    page.get_by_role("button", name="确认已落实").click()
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    assert page.locator("#follow-status").inner_text() == "已办结"

    login(page, live_server, "jiangyin", live_cast.password)
    page.goto("/demands/ledger/")
    row = page.get_by_role("row", name="省人力资源社会保障厅").inner_text()
    assert "100" in row  # every demand answered, implemented and rated satisfied

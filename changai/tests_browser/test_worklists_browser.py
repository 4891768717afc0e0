"""A county's plan item supervised end to end: created, missed, red, noticed, reported late, answered."""

from datetime import date
from unittest import mock

import pytest

from changai.worklists import services
from changai.worklists.models import PlanItem, SupervisionNotice

from .conftest import login

pytestmark = pytest.mark.browser


class Clock:
    """Moves the date the work plans are judged on."""

    def __init__(self):
        self.day = date(2026, 1, 5)
        self.patch = mock.patch("changai.worklists.services.today", side_effect=lambda: self.day)

    def __enter__(self):
        self.patch.start()
        return self

    def __exit__(self, *exc):
        self.patch.stop()


def save(page):
    page.get_by_role("button", name="保存").click()


def test_a_missed_checkpoint_turns_the_item_red_and_the_notice_is_answered(page, live_server, live_cast):
    with Clock() as clock:
        login(page, live_server, "jiangyin", live_cast.password)
        page.goto("/worklists/plans/new/")
        page.fill("#id_year", "2026")
        page.fill("#id_title", "江阴市产改重点项目清单")
        save(page)
        page.get_by_role("link", name="添加任务").first.click()
        page.fill("#id_number", "1")
        page.fill("#id_title", "推进企业技能等级自主评价")
        page.select_option("#id_pillar", "quality")
        page.select_option("#id_lead_unit", str(live_cast.hrss.pk))
        page.fill("#id_target", "新增自主评价企业20家")
        page.fill("#id_starts_on", "2026-01-01")
        page.fill("#id_deadline", "2026-12-31")
        save(page)
        assert "正常推进" in page.get_by_role("row", name="推进企业技能等级自主评价").inner_text()
        item = PlanItem.objects.get(title="推进企业技能等级自主评价")

        clock.day = date(2026, 2, 10)  # the January dispatch was due on 4 February
        services.supervise()  # the daily round
        page.goto(f"/worklists/items/{item.pk}/")
        assert "逾期" in page.locator("#item-light").inner_text()
        assert "督办省人力资源社会保障厅" in page.locator("#notices").inner_text()
        page.context.clear_cookies()

        login(page, live_server, "renshe", live_cast.password)
        page.goto(f"/worklists/items/{item.pk}/")
        page.fill("#id_percent", "10")
        page.fill("#id_narrative", "已确定首批试点企业名单")
        page.get_by_role("button", name="报送").click()
        assert "逾期报送" in page.locator("#timeline").inner_text()
        page.get_by_label("答复督办单").fill("已补报一月进展，后续按月报送")
        page.get_by_role("button", name="提交答复").click()
        assert "已答复" in page.locator("#notices").inner_text()

    notice = SupervisionNotice.objects.get(item=item)
    assert notice.status == "answered" and notice.issued_by is None

"""A quarterly round end to end: the town reports, the county returns it, the town corrects it,
the county approves it and the figure reaches the county's dashboard."""

from unittest import mock

import pytest

from changai.indicators.tests.conftest import IN_WINDOW, PERIOD
from changai.indicators.tests.factories import indicator, quarterly_form

from .conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def round_open(live_cast):
    form = quarterly_form(
        indicator("training_person_times", "培训人次"),
        indicator("certified", "取证人数", unit="人"),
        code="town_quarterly",  # the data set whose indicators the dashboard shows first
    )
    with mock.patch("changai.indicators.services.today", return_value=IN_WINDOW):
        yield form


def logout(page):
    page.context.clear_cookies()


def test_a_quarterly_round_from_entry_to_the_county_dashboard(page, live_server, live_cast, round_open):
    entry = f"/figures/entry/{round_open.code}/{live_cast.zhutang.pk}/{PERIOD}/"
    login(page, live_server, "zhutang", live_cast.password)
    page.goto(entry)
    page.get_by_label("培训人次", exact=True).fill("120")
    page.get_by_label("取证人数", exact=True).fill("30")
    page.get_by_role("button", name="上报").click()
    assert page.locator("#submission-status").inner_text() == "已上报"
    logout(page)

    login(page, live_server, "jiangyin", live_cast.password)
    page.goto(f"/figures/completeness/{round_open.code}/{PERIOD}/")
    page.get_by_role("link", name="审核", exact=True).click()
    page.fill("#id_reason", "培训人次与台账不一致，请核实")
    page.click("#return-button")
    assert page.locator("#submission-status").inner_text() == "已退回"
    logout(page)

    login(page, live_server, "zhutang", live_cast.password)
    page.goto(entry)
    assert "培训人次与台账不一致" in page.locator("#return-reason").inner_text()
    page.get_by_label("培训人次", exact=True).fill("150")
    page.get_by_role("button", name="上报").click()
    assert page.locator("#submission-status").inner_text() == "已上报"
    logout(page)

    login(page, live_server, "jiangyin", live_cast.password)
    page.goto(f"/figures/completeness/{round_open.code}/{PERIOD}/")
    page.get_by_role("link", name="审核", exact=True).click()
    assert "150" in page.locator("#diff-table").inner_text()
    page.click("#approve-button")
    assert page.locator("#submission-status").inner_text() == "已审核"
    assert_dashboard_shows(page, live_cast, "150")


def assert_dashboard_shows(page, cast, value):
    page.goto(f"/?org={cast.jiangyin.pk}&period_type=quarter&period={PERIOD}&indicator=training_person_times")
    headline = page.locator("[data-indicator=training_person_times]")
    assert value in headline.inner_text()

"""A narrative report end to end: an enterprise union uploads it, the town accepts one of its figures, and the
figure's provenance on the figures page leads back to the quote in the report."""

from unittest import mock

import pytest

from changai.indicators.models import Submission
from changai.indicators.tests.conftest import IN_WINDOW, PERIOD
from changai.indicators.tests.factories import indicator, quarterly_form

from .conftest import login

pytestmark = pytest.mark.browser

REPORT = "今年以来，公司工会扎实推进技能提升工作。\n全年举办职工技能培训班6期，培训职工860人次；新建职工小家2个。\n"


@pytest.fixture
def enterprise_form(live_cast):
    form = quarterly_form(
        indicator("n_training_times", "职工技能培训人次"), code="firm_quarterly", kinds=("enterprise",)
    )
    Submission.objects.create(dataset=form, org=live_cast.jiangyin_firm, period=PERIOD)  # a draft already started
    with (
        mock.patch("changai.indicators.services.today", return_value=IN_WINDOW),
        mock.patch("changai.narratives.services.schedule_refresh"),
    ):
        yield form


def logout(page):
    page.context.clear_cookies()


def test_upload_accept_and_follow_the_provenance(page, live_server, live_cast, enterprise_form):
    login(page, live_server, "qiye", live_cast.password)
    page.goto("/narratives/new/")
    page.fill("#id_period", PERIOD)
    page.fill("#id_title", "公司工会技能提升工作情况")
    page.set_input_files("#id_file", files=[{"name": "总结.txt", "mimeType": "text/plain", "buffer": REPORT.encode()}])
    page.get_by_role("button", name="上传并识别").click()
    assert page.locator("#report-title").inner_text() == "公司工会技能提升工作情况"
    assert page.locator("#fact-table tbody tr").count() == 3
    logout(page)

    login(page, live_server, "zhutang", live_cast.password)
    page.goto("/narratives/")
    page.get_by_role("link", name="公司工会技能提升工作情况").click()
    page.locator("#document").get_by_role("link", name="860人次").click()
    assert page.locator("#quote .figure").inner_text() == "860人次"
    assert page.locator("#id_value").input_value() == "860"
    page.select_option("#id_indicator", label="职工技能培训人次（人次）")
    page.click("#accept-button")
    assert "已采用" in page.locator(".alert-success").inner_text()

    page.goto(f"/figures/entry/{enterprise_form.code}/{live_cast.jiangyin_firm.pk}/{PERIOD}/")
    assert page.get_by_label("职工技能培训人次", exact=True).input_value() == "860"
    page.locator(".provenance-link").click()
    assert page.locator("#quote .figure").inner_text() == "860人次"
    assert page.locator("#accepted-value").inner_text() == "860人次"

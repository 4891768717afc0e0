import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from changai.indicators.models import DataValue, Submission
from changai.indicators.tests.factories import quarterly_form
from changai.narratives import services
from changai.narratives.models import FactProposal, NarrativeReport

from .factories import REPORT_TEXT, make_report, txt_upload

Status = FactProposal.Status


@pytest.fixture(autouse=True)
def no_rollup_jobs(monkeypatch):
    monkeypatch.setattr("changai.narratives.services.schedule_refresh", lambda *args, **kwargs: None)


def url(name, **kwargs):
    return reverse(f"narratives:{name}", kwargs=kwargs)


def login(client, cast, name):
    client.force_login(cast.users[name])
    return client


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def report(cast, catalogue):
    return make_report(cast.users["qiye"], cast.jiangyin_firm)


def figure(report, unit):
    return report.proposals.get(unit=unit)


# ---------------------------------------------------------------------------- list and upload


def test_the_list_shows_reports_in_scope_with_their_counts(client, cast, report):
    body = page(login(client, cast, "zhutang").get(url("list")))
    assert "祝塘镇产改工作情况" in body and "江阴测试机械有限公司" in body
    assert 'href="/narratives/new/"' in body
    assert "还没有上传材料" in page(login(client, cast, "gaoyou").get(url("list")))


def test_the_list_searches_and_filters(client, cast, report):
    login(client, cast, "zhutang")
    assert "祝塘镇产改工作情况" in page(client.get(url("list"), {"q": "祝塘"}))
    assert "没有符合条件的材料" in page(client.get(url("list"), {"q": "不存在的标题"}))
    assert "祝塘镇产改工作情况" in page(client.get(url("list"), {"state": "open"}))
    assert "没有符合条件的材料" in page(client.get(url("list"), {"state": "done"}))
    assert "没有符合条件的材料" in page(client.get(url("list"), {"period": "2025"}))


def test_the_list_exports_to_excel(client, cast, report):
    response = login(client, cast, "zhutang").get(url("list"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(2, 1).value == "祝塘镇产改工作情况" and sheet.cell(2, 7).value == 5


def test_readers_see_no_upload_button_and_may_not_upload(client, cast, report):
    login(client, cast, "lingdao")
    assert 'href="/narratives/new/"' not in page(client.get(url("list")))
    assert client.get(url("create")).status_code == 403


def test_uploading_a_file_proposes_its_figures(client, cast, catalogue):
    login(client, cast, "zhutang")
    assert client.get(url("create")).status_code == 200
    response = client.post(url("create"), {"org": cast.zhutang.pk, "period": "2026", "file": txt_upload()})
    report = NarrativeReport.objects.get()
    assert response["Location"] == url("detail", report_pk=report.pk)
    assert report.proposals.count() == 5
    assert "识别出5处数字" in page(client.get(response["Location"]))


def test_an_upload_with_errors_shows_them_and_stores_nothing(client, cast):
    login(client, cast, "zhutang")
    response = client.post(url("create"), {"org": cast.zhutang.pk, "period": "今年"})
    body = page(response)
    assert "期间格式不对" in body and "请选择要上传的文件，或粘贴材料文字" in body
    bad = SimpleUploadedFile("材料.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    body = page(client.post(url("create"), {"org": cast.zhutang.pk, "period": "2026", "file": bad}))
    assert "类型不支持" in body
    assert not NarrativeReport.objects.exists()


def test_an_enterprise_union_may_only_pick_its_own_org(client, cast):
    login(client, cast, "qiye")
    body = page(client.get(url("create")))
    assert "江阴测试机械有限公司" in body and "祝塘镇（" not in body
    response = client.post(url("create"), {"org": cast.zhutang.pk, "period": "2026", "text": REPORT_TEXT})
    assert "选择一个有效的选项" in page(response)


# ---------------------------------------------------------------------------- the report and its figures


def test_the_report_page_marks_every_figure_and_lists_them(client, cast, report):
    body = page(login(client, cast, "zhutang").get(url("detail", report_pk=report.pk)))
    assert body.count('class="fact-mark fact-proposed"') == 5
    assert "3600人次</a>" in body
    assert "核对" in body and "quick-accept" in body


def test_readers_see_the_report_without_review_buttons(client, cast, report):
    body = page(login(client, cast, "lingdao").get(url("detail", report_pk=report.pk)))
    assert "fact-mark" in body and "quick-accept" not in body and "忽略其余" not in body


def test_outsiders_get_404(client, cast, report):
    login(client, cast, "gaoyou")
    fact = figure(report, "人次")
    assert client.get(url("detail", report_pk=report.pk)).status_code == 404
    assert client.get(url("fact", fact_pk=fact.pk)).status_code == 404
    assert client.post(url("accept", fact_pk=fact.pk)).status_code == 404
    assert client.post(url("reject", fact_pk=fact.pk)).status_code == 404


def test_the_figure_page_highlights_its_quote(client, cast, report):
    fact = figure(report, "人次")
    body = page(login(client, cast, "zhutang").get(url("fact", fact_pk=fact.pk)))
    assert '<mark class="quote" id="quote">' in body
    assert '<strong class="figure">3600人次</strong>' in body
    assert 'id="accept-form"' in body
    assert f'<option value="{report.org.pk}" selected>' in body


def test_accepting_from_the_figure_page_moves_on_to_the_next(client, cast, report):
    fact = figure(report, "人次")
    login(client, cast, "zhutang")
    data = {"indicator": fact.suggested_indicator.pk, "org": cast.jiangyin_firm.pk, "period": "2026", "value": "3600"}
    response = client.post(url("accept", fact_pk=fact.pk), data)
    assert response["Location"] == url("fact", fact_pk=figure(report, "个").pk)
    fact.refresh_from_db()
    assert fact.status == Status.ACCEPTED and fact.data_value.value == 3600
    body = page(client.get(url("fact", fact_pk=fact.pk)))
    assert "已采用为" in body and "已审核，计入汇总" in body and "撤回审核结果" in body


def test_quick_accept_from_the_report_page_returns_to_the_row(client, cast, report):
    fact = figure(report, "期")
    login(client, cast, "zhutang")
    body = page(client.get(url("detail", report_pk=report.pk)))
    assert f'name="indicator" value="{fact.suggested_indicator.pk}"' in body
    data = {
        "indicator": fact.suggested_indicator.pk,
        "org": report.org.pk,
        "period": "2026",
        "value": "12",
        "next": "report",
    }
    response = client.post(url("accept", fact_pk=fact.pk), data)
    assert response["Location"] == url("detail", report_pk=report.pk) + f"#row-{fact.pk}"


def test_a_refused_acceptance_shows_the_reason_on_the_form(client, cast, report):
    fact = figure(report, "人次")
    form = quarterly_form(fact.suggested_indicator, code="q", kinds=("enterprise",))
    submission = Submission.objects.create(dataset=form, org=cast.jiangyin_firm, period="2026", status="approved")
    DataValue.objects.create(
        indicator=fact.suggested_indicator, org=cast.jiangyin_firm, period="2026", value=3000, submission=submission
    )
    login(client, cast, "zhutang")
    assert "已有已审核的数值" in page(client.get(url("fact", fact_pk=fact.pk)))
    data = {"indicator": fact.suggested_indicator.pk, "org": cast.jiangyin_firm.pk, "period": "2026", "value": "3600"}
    body = page(client.post(url("accept", fact_pk=fact.pk), data))
    assert "不能用材料中的数字覆盖" in body
    fact.refresh_from_db()
    assert fact.status == Status.PROPOSED


def test_a_form_error_keeps_what_was_typed(client, cast, report):
    fact = figure(report, "人次")
    login(client, cast, "zhutang")
    data = {"indicator": fact.suggested_indicator.pk, "org": cast.jiangyin_firm.pk, "period": "2026", "value": "三千"}
    body = page(client.post(url("accept", fact_pk=fact.pk), data))
    assert "请填写数字" in body and 'value="三千"' in body


def test_rejecting_withdrawing_and_ignoring_the_rest(client, cast, report):
    fact = figure(report, "万元")
    login(client, cast, "zhutang")
    client.post(url("reject", fact_pk=fact.pk), {"note": "不是本单位数据"})
    fact.refresh_from_db()
    assert (fact.status, fact.note) == (Status.REJECTED, "不是本单位数据")
    client.post(url("withdraw", fact_pk=fact.pk))
    fact.refresh_from_db()
    assert fact.status == Status.PROPOSED
    client.post(url("reject_open", report_pk=report.pk))
    assert report.proposals.filter(status=Status.REJECTED).count() == 5


def test_read_only_users_may_not_review(client, cast, report):
    fact = figure(report, "人次")
    login(client, cast, "lingdao")
    assert client.get(url("fact", fact_pk=fact.pk)).status_code == 200
    assert client.post(url("accept", fact_pk=fact.pk)).status_code == 403
    assert client.post(url("reject", fact_pk=fact.pk)).status_code == 403
    assert client.post(url("reject_open", report_pk=report.pk)).status_code == 403
    login(client, cast, "qiye")  # the uploader reads its figures but the level above reviews them
    assert "尚待产改办、乡镇或产业系统审核" in page(client.get(url("fact", fact_pk=fact.pk)))
    assert client.post(url("accept", fact_pk=fact.pk)).status_code == 403


def test_the_figures_export_to_excel(client, cast, report):
    response = login(client, cast, "zhutang").get(url("detail", report_pk=report.pk), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [sheet.cell(3, c).value for c in (1, 3, 4, 9)] == [2, "3600", "人次", "待审核"]


def test_the_original_file_is_served_within_scope(client, cast, catalogue):
    report = services.create_report(cast.users["zhutang"], org=cast.zhutang, period="2026", upload=txt_upload())
    response = login(client, cast, "zhutang").get(url("file", report_pk=report.pk))
    assert b"".join(response.streaming_content).decode() == REPORT_TEXT
    pasted = make_report(cast.users["zhutang"], cast.zhutang)
    assert client.get(url("file", report_pk=pasted.pk)).status_code == 404


def test_deleting_a_report(client, cast, report):
    login(client, cast, "qiye")
    assert client.post(url("delete", report_pk=report.pk))["Location"] == url("list")
    assert not NarrativeReport.objects.exists()


# ---------------------------------------------------------------------------- provenance where the value is shown


def test_an_accepted_value_shows_its_provenance_in_the_figures_pages(client, cast, report):
    fact = figure(report, "人次")
    form = quarterly_form(fact.suggested_indicator, code="q", kinds=("enterprise",))
    accepted = services.accept(
        cast.users["zhutang"],
        fact,
        indicator=fact.suggested_indicator,
        org=cast.jiangyin_firm,
        period="2026Q3",
        value="3600",
    )
    submission = Submission.objects.create(dataset=form, org=cast.jiangyin_firm, period="2026Q3", status="draft")
    login(client, cast, "jiangyin")
    source = url("value_source", datavalue_pk=accepted.data_value.pk)
    entry = reverse("figures:entry", kwargs={"dataset_code": "q", "org_pk": cast.jiangyin_firm.pk, "period": "2026Q3"})
    assert source in page(client.get(entry))
    detail = reverse("figures:submission_detail", kwargs={"submission_pk": submission.pk})
    assert source in page(client.get(detail))
    assert client.get(source)["Location"] == url("fact", fact_pk=fact.pk)
    assert login(client, cast, "gaoyou").get(source).status_code == 404

from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changai.core.models import Notification
from changai.indicators.models import DataValue, Submission
from changai.indicators.tests.factories import indicator, quarterly_form
from changai.narratives import services
from changai.narratives.models import FactProposal, NarrativeReport

from .factories import REPORT_TEXT, docx_upload, make_report, pdf_upload, txt_upload

Status = FactProposal.Status


@pytest.fixture(autouse=True)
def no_rollup_jobs():
    with mock.patch("changai.narratives.services.schedule_refresh") as scheduled:
        yield scheduled


def figures_of(report):
    return [(f.figure, f.unit) for f in report.proposals.order_by("position")]


EXPECTED = [("12", "期"), ("3600", "人次"), ("5", "个"), ("8", "项"), ("35.6", "万元")]


def fact(report, unit):
    return report.proposals.get(unit=unit)


# ---------------------------------------------------------------------------- upload


def test_it_reads_a_pasted_text_and_proposes_every_figure(cast, catalogue):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    assert figures_of(report) == EXPECTED
    assert report.author == "祝塘镇总工会"
    training = fact(report, "人次")
    assert report.text[training.start : training.end] == "3600人次"
    assert training.suggested_indicator == catalogue.training
    assert [f.suggested_indicator for f in report.proposals.order_by("position")] == [
        catalogue.classes,
        catalogue.training,
        catalogue.homes,
        catalogue.patents,
        catalogue.funds,
    ]
    assert training.period_phrase == "今年以来"
    assert fact(report, "项").subject == "江阴测试机械有限公司"


@pytest.mark.parametrize(
    "upload,file_type",
    [
        (lambda: txt_upload(), "txt"),
        (lambda: txt_upload(encoding="gb18030"), "txt"),
        (lambda: docx_upload(), "docx"),
        (lambda: pdf_upload(), "pdf"),
    ],
)
def test_it_reads_txt_docx_and_text_pdf(cast, upload, file_type):
    report = services.create_report(cast.users["zhutang"], org=cast.zhutang, period="2026", upload=upload())
    assert report.file_type == file_type
    assert figures_of(report) == EXPECTED
    assert report.title == "材料"
    assert report.file.name.startswith("narratives/")


def test_a_pdf_line_break_inside_a_figure_is_joined(cast):
    upload = pdf_upload("今年以来，全镇举办职工技能培训班12期，培训职工36\n00人次。")
    report = services.create_report(cast.users["zhutang"], org=cast.zhutang, period="2026", upload=upload)
    assert figures_of(report) == [("12", "期"), ("3600", "人次")]


def test_docx_tables_are_read_row_by_row(cast):
    upload = docx_upload("表：活动情况", table=[["项目", "数量"], ["举办招聘会", "3场"]])
    report = services.create_report(cast.users["zhutang"], org=cast.zhutang, period="2026", upload=upload)
    assert figures_of(report) == [("3", "场")]


@pytest.mark.parametrize(
    "upload,message",
    [
        (lambda: txt_upload(name="材料.exe"), "类型不支持"),
        (lambda: txt_upload(name="材料.doc"), "另存为 .docx"),
        (lambda: txt_upload(name="材料.docx"), "内容与扩展名不符"),
        (lambda: pdf_upload("   \n  "), "没有可提取的文字"),
        (lambda: txt_upload("短"), "没有读到文字"),
        (lambda: txt_upload("\x00\x01binary"), "不是文本文件"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_stored(cast, upload, message):
    with pytest.raises(ValidationError) as caught:
        services.create_report(cast.users["zhutang"], org=cast.zhutang, period="2026", upload=upload())
    assert message in str(caught.value.message_dict["file"])
    assert not NarrativeReport.objects.exists()


def test_an_undecodable_text_file_is_refused(cast):
    upload = txt_upload()
    upload.file.write(b"\xff\xfe\xfd\xfc" * 10)
    upload.file.seek(0)
    with mock.patch("changai.narratives.documents._decode", side_effect=ValidationError("编码无法识别")):
        with pytest.raises(ValidationError):
            services.create_report(cast.users["zhutang"], org=cast.zhutang, period="2026", upload=upload)


@pytest.mark.parametrize("period", ["24", "2024Q5", "今年", ""])
def test_the_period_must_be_a_period_code(cast, period):
    with pytest.raises(ValidationError) as caught:
        make_report(cast.users["zhutang"], cast.zhutang, period=period)
    assert "期间格式不对" in str(caught.value.message_dict["period"])


def test_enterprise_unions_upload_only_their_own_reports_and_the_level_above_is_told(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        own = make_report(cast.users["qiye"], cast.jiangyin_firm)
    assert own.org == cast.jiangyin_firm
    assert Notification.objects.filter(user=cast.users["zhutang"], title__contains="待审核材料").exists()
    with pytest.raises(PermissionDenied):
        make_report(cast.users["qiye"], cast.zhutang)


def test_readers_and_outsiders_cannot_upload(cast):
    with pytest.raises(PermissionDenied):
        make_report(cast.users["lingdao"], cast.province)
    with pytest.raises(PermissionDenied):
        make_report(cast.users["gaoyou"], cast.zhutang)


# ---------------------------------------------------------------------------- scope


def test_reports_and_figures_are_seen_within_scope_only(cast):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    for name in ("zhutang", "jiangyin", "wuxi", "sheng", "lingdao"):
        assert NarrativeReport.objects.visible_to(cast.users[name]).filter(pk=report.pk).exists(), name
        assert FactProposal.objects.visible_to(cast.users[name]).filter(report=report).count() == 5
    for name in ("gaoyou", "qiye", "renshe"):
        assert not NarrativeReport.objects.visible_to(cast.users[name]).exists(), name
        assert not FactProposal.objects.visible_to(cast.users[name]).exists(), name


def test_an_industry_line_sees_the_reports_of_its_enterprises(cast):
    report = make_report(cast.users["zhutang"], cast.line_firm)
    assert NarrativeReport.objects.visible_to(cast.users["shengqi"]).filter(pk=report.pk).exists()
    assert services.can_review(cast.users["shengqi"], report)


# ---------------------------------------------------------------------------- accept, correct, reject


def accept(user, fact, **overrides):
    values = {
        "indicator": fact.suggested_indicator,
        "org": fact.report.org,
        "period": fact.report.period,
        "value": f"{services.proposed_value(fact, fact.suggested_indicator):f}",
    }
    values.update(overrides)
    return services.accept(user, fact, **values)


def test_accepting_writes_a_data_value_that_points_back_to_the_quote(
    cast, catalogue, no_rollup_jobs, django_capture_on_commit_callbacks
):
    report = make_report(cast.users["qiye"], cast.jiangyin_firm)
    training = fact(report, "人次")
    with django_capture_on_commit_callbacks(execute=True):
        accepted = accept(cast.users["zhutang"], training)
    assert accepted.status == Status.ACCEPTED
    value = accepted.data_value
    assert (value.org, value.period, value.value) == (cast.jiangyin_firm, "2026", Decimal("3600"))
    assert value.indicator == catalogue.training
    assert value.approved  # the town is the level above the enterprise
    assert value.provenance.startswith("材料识数：江阴测试机械有限公司《祝塘镇产改工作情况》第2处")
    assert services.fact_for_value(cast.users["jiangyin"], value.pk) == accepted
    no_rollup_jobs.assert_called_once()


def test_a_reviewer_recording_for_its_own_org_leaves_the_value_for_the_level_above(cast, catalogue, no_rollup_jobs):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    value = accept(cast.users["zhutang"], fact(report, "人次")).data_value
    assert not value.approved
    no_rollup_jobs.assert_not_called()


def test_money_is_converted_to_the_indicators_unit(cast):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    in_yuan = indicator("funds_yuan", "帮扶资金（元）", unit="元", integer_only=False)
    money = fact(report, "万元")
    assert services.proposed_value(money, in_yuan) == Decimal("356000")
    assert accept(cast.users["zhutang"], money, indicator=in_yuan, value="356000").status == Status.ACCEPTED


def test_changing_the_value_or_the_suggested_indicator_is_a_correction(cast, catalogue):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    corrected = accept(cast.users["zhutang"], fact(report, "人次"), value="3580", note="以台账为准")
    assert (corrected.status, corrected.accepted_value, corrected.note) == (Status.CORRECTED, 3580, "以台账为准")
    assert accept(cast.users["zhutang"], fact(report, "个")).status == Status.ACCEPTED
    moved = make_report(cast.users["zhutang"], cast.zhutang, text="今年以来，全镇培训职工1200人次。")
    figure = moved.proposals.get()
    assert figure.suggested_indicator == catalogue.training
    assert accept(cast.users["zhutang"], figure, indicator=catalogue.lectures).status == Status.CORRECTED


def test_an_equal_value_already_reported_is_linked_not_written(cast, catalogue):
    form = quarterly_form(catalogue.training, code="q")
    submission = Submission.objects.create(dataset=form, org=cast.zhutang, period="2026", status="approved")
    reported = DataValue.objects.create(
        indicator=form.indicators.get(), org=cast.zhutang, period="2026", value=3600, submission=submission
    )
    report = make_report(cast.users["zhutang"], cast.zhutang)
    accepted = accept(cast.users["zhutang"], fact(report, "人次"))
    reported.refresh_from_db()
    assert accepted.data_value == reported and not accepted.created_value
    assert reported.provenance.startswith("材料识数：")


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_a_submitted_or_approved_value_is_never_overwritten(cast, catalogue, status):
    form = quarterly_form(catalogue.training, code="q")
    submission = Submission.objects.create(dataset=form, org=cast.zhutang, period="2026", status=status)
    DataValue.objects.create(
        indicator=form.indicators.get(), org=cast.zhutang, period="2026", value=3000, submission=submission
    )
    report = make_report(cast.users["zhutang"], cast.zhutang)
    training = fact(report, "人次")
    with pytest.raises(ValidationError) as caught:
        accept(cast.users["zhutang"], training, replace=True)
    assert "不能用材料中的数字覆盖" in str(caught.value.message_dict["value"])
    assert DataValue.objects.get(org=cast.zhutang).value == 3000
    training.refresh_from_db()
    assert training.status == Status.PROPOSED


def test_an_unreviewed_value_is_replaced_only_when_the_reviewer_says_so(cast, catalogue):
    draft = DataValue.objects.create(indicator=catalogue.training, org=cast.zhutang, period="2026", value=3000)
    report = make_report(cast.users["zhutang"], cast.zhutang)
    training = fact(report, "人次")
    with pytest.raises(ValidationError) as caught:
        accept(cast.users["zhutang"], training)
    assert "替换已有数值" in str(caught.value.message_dict["replace"])
    accepted = accept(cast.users["zhutang"], training, replace=True)
    draft.refresh_from_db()
    assert draft.value == 3600 and accepted.data_value == draft


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"value": "abc"}, "value"),
        ({"value": "-3"}, "value"),
        ({"value": "12.5"}, "value"),
        ({"value": ""}, "value"),
        ({"period": "2026Q9"}, "period"),
        ({"indicator": None}, "indicator"),
    ],
)
def test_bad_review_input_is_refused_with_a_reason(cast, catalogue, overrides, field):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    with pytest.raises(ValidationError) as caught:
        accept(cast.users["zhutang"], fact(report, "人次"), **overrides)
    assert field in caught.value.message_dict
    assert not DataValue.objects.exists()


def test_ratios_and_orgs_outside_scope_cannot_be_chosen(cast, catalogue):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    with pytest.raises(ValidationError) as caught:
        accept(cast.users["zhutang"], fact(report, "人次"), indicator=catalogue.rate)
    assert "indicator" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        accept(cast.users["zhutang"], fact(report, "人次"), org=cast.tangzhuang)
    assert "org" in caught.value.message_dict


def test_only_reviewers_in_scope_review(cast, catalogue):
    report = make_report(cast.users["qiye"], cast.jiangyin_firm)
    training = fact(report, "人次")
    for name in ("qiye", "lingdao", "gaoyou"):
        with pytest.raises(PermissionDenied):
            accept(cast.users[name], training)
        with pytest.raises(PermissionDenied):
            services.reject(cast.users[name], training)


def test_rejecting_and_ignoring_the_rest(cast):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    rejected = services.reject(cast.users["zhutang"], fact(report, "万元"), "不是本镇数据")
    assert (rejected.status, rejected.note, rejected.reviewed_by) == (
        Status.REJECTED,
        "不是本镇数据",
        cast.users["zhutang"],
    )
    with pytest.raises(ValidationError):
        services.reject(cast.users["zhutang"], rejected)
    assert services.reject_open(cast.users["zhutang"], report) == 4
    assert services.status_counts(report)[Status.REJECTED] == 5


def test_withdrawing_an_acceptance_removes_the_value_it_created(
    cast, catalogue, no_rollup_jobs, django_capture_on_commit_callbacks
):
    report = make_report(cast.users["qiye"], cast.jiangyin_firm)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = accept(cast.users["zhutang"], fact(report, "人次"))
    value_pk = accepted.data_value.pk
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = services.withdraw(cast.users["zhutang"], accepted)
    assert withdrawn.status == Status.PROPOSED and withdrawn.data_value is None
    assert not DataValue.objects.filter(pk=value_pk).exists()
    assert no_rollup_jobs.call_count == 2  # after the acceptance, and after the withdrawal
    again = accept(cast.users["zhutang"], withdrawn)
    assert again.status == Status.ACCEPTED


def test_withdrawing_keeps_a_value_that_was_only_linked(cast, catalogue):
    reported = DataValue.objects.create(indicator=catalogue.training, org=cast.zhutang, period="2026", value=3600)
    report = make_report(cast.users["zhutang"], cast.zhutang)
    accepted = accept(cast.users["zhutang"], fact(report, "人次"))
    services.withdraw(cast.users["zhutang"], accepted)
    reported.refresh_from_db()
    assert reported.value == 3600 and reported.provenance == ""


def test_a_value_taken_into_a_submission_cannot_be_withdrawn(cast, catalogue):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    accepted = accept(cast.users["zhutang"], fact(report, "人次"))
    form = quarterly_form(accepted.indicator, code="q")
    submission = Submission.objects.create(dataset=form, org=cast.zhutang, period="2026", status="submitted")
    DataValue.objects.filter(pk=accepted.data_value_id).update(submission=submission)
    with pytest.raises(ValidationError) as caught:
        services.withdraw(cast.users["zhutang"], accepted)
    assert "不能撤回" in caught.value.messages[0]


def test_a_rejected_figure_can_be_reviewed_again(cast):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    rejected = services.reject(cast.users["zhutang"], fact(report, "期"))
    assert services.withdraw(cast.users["zhutang"], rejected).status == Status.PROPOSED


def test_a_report_with_accepted_figures_cannot_be_deleted(cast, catalogue):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    accept(cast.users["zhutang"], fact(report, "人次"))
    with pytest.raises(ValidationError):
        services.delete_report(cast.users["zhutang"], report)
    services.withdraw(cast.users["zhutang"], report.proposals.get(unit="人次"))
    services.delete_report(cast.users["zhutang"], report)
    assert not NarrativeReport.objects.exists()


def test_only_the_uploader_or_a_reviewer_deletes(cast):
    report = make_report(cast.users["qiye"], cast.jiangyin_firm)
    with pytest.raises(PermissionDenied):
        services.delete_report(cast.users["lingdao"], report)
    services.delete_report(cast.users["qiye"], report)


# ---------------------------------------------------------------------------- review defaults


@pytest.mark.parametrize(
    "phrase,period",
    [
        ("", "2026"),
        ("今年以来", "2026"),
        ("去年", "2025"),
        ("2024年", "2024"),
        ("2024年上半年", "2024H1"),
        ("2023年以来", "2026"),
        ("三年来", "2026"),
    ],
)
def test_the_suggested_period_follows_the_phrase(cast, phrase, period):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    figure = fact(report, "期")
    figure.period_phrase = phrase
    assert services.suggest_period(figure) == period


def test_the_suggested_org_is_the_named_subject_when_the_reviewer_may_record_for_it(cast):
    report = make_report(cast.users["zhutang"], cast.zhutang)
    assert services.suggest_org(cast.users["zhutang"], fact(report, "项")) == cast.jiangyin_firm
    assert services.suggest_org(cast.users["zhutang"], fact(report, "期")) == cast.zhutang


def test_the_text_is_kept_as_read(cast):
    report = make_report(cast.users["zhutang"], cast.zhutang, text=REPORT_TEXT + "\r\n\r\n\r\n\r\n附：无。  ")
    assert report.text.endswith("五一劳动奖章。\n\n附：无。")


def test_a_form_the_org_has_started_takes_the_value_in(cast, catalogue):
    form = quarterly_form(catalogue.training, code="q", kinds=("enterprise",))
    draft = Submission.objects.create(dataset=form, org=cast.jiangyin_firm, period="2026")
    report = make_report(cast.users["qiye"], cast.jiangyin_firm)
    accepted = accept(cast.users["zhutang"], fact(report, "人次"))
    value = accepted.data_value
    assert value.submission == draft and not value.approved  # it goes up with the form for review
    services.withdraw(cast.users["zhutang"], accepted)
    assert not DataValue.objects.exists()

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changai.core.models import Notification
from changai.indicators import rollups, services
from changai.indicators.models import DataValue, Submission
from changai.indicators.tests.conftest import PERIOD
from changai.indicators.tests.factories import indicator, quarterly_form
from changai.orgs.tests.factories import add_org


@pytest.fixture
def form(db):
    trained = indicator("training_person_times", "培训人次")
    certified = indicator("certified", "取证人数", unit="人")
    rule = (certified, "<=", trained, "取证人数不能超过培训人次")
    return quarterly_form(trained, certified, rules=[rule])


def test_it_saves_a_draft_and_submits(cast, form):
    submission = services.submission_for(form, cast.zhutang, PERIOD)
    result = services.save_draft(cast.users["zhutang"], submission, {"training_person_times": "120"})
    assert result.ok and Submission.objects.get().status == Submission.Status.DRAFT
    result = services.submit(cast.users["zhutang"], submission, {"training_person_times": "120", "certified": "30"})
    assert result.ok
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert DataValue.objects.get(indicator__code="certified").approved is False


def test_it_rejects_negative_fractional_and_missing_values(cast, form):
    submission = services.submission_for(form, cast.zhutang, PERIOD)
    result = services.submit(cast.users["zhutang"], submission, {"training_person_times": "-3", "certified": "2.5"})
    assert result.errors == {"training_person_times": "不能为负数。", "certified": "应为整数（单位：人）。"}
    result = services.submit(cast.users["zhutang"], submission, {"training_person_times": "10"})
    assert result.errors == {"certified": "必填。"}
    assert not DataValue.objects.exists()


def test_cross_field_rule(cast, form):
    submission = services.submission_for(form, cast.zhutang, PERIOD)
    result = services.submit(cast.users["zhutang"], submission, {"training_person_times": "10", "certified": "11"})
    assert result.errors == {"certified": "取证人数不能超过培训人次"}


def test_a_big_change_from_last_period_needs_an_explanation(cast, form):
    trained = form.indicators.get(code="training_person_times")
    DataValue.objects.create(indicator=trained, org=cast.zhutang, period="2026Q2", value=100, approved=True)
    submission = services.submission_for(form, cast.zhutang, PERIOD)
    values = {"training_person_times": "400", "certified": "20"}
    result = services.submit(cast.users["zhutang"], submission, values)
    assert "变动超过50%" in result.errors["training_person_times"]
    result = services.submit(cast.users["zhutang"], submission, values, {"training_person_times": "新增两期培训班"})
    assert result.ok
    assert DataValue.objects.get(indicator=trained, period=PERIOD).explanation == "新增两期培训班"


def test_the_county_returns_with_a_reason_and_sees_the_diff(cast, form):
    town, county = cast.users["zhutang"], cast.users["jiangyin"]
    submission = services.submission_for(form, cast.zhutang, PERIOD)
    services.submit(town, submission, {"training_person_times": "120", "certified": "30"})
    with pytest.raises(ValidationError, match="退回原因"):
        services.return_submission(county, submission, "  ")
    services.return_submission(county, submission, "培训人次与台账不符")
    assert Notification.objects.filter(user=town, body="培训人次与台账不符").exists()
    assert services.submit(town, submission, {"training_person_times": "150", "certified": "30"}).ok
    assert services.diff(submission) == [
        {"code": "training_person_times", "name": "培训人次", "before": "120", "after": "150"}
    ]
    actions = [e.action for e in services.history(submission)]
    assert actions == ["submitted", "returned", "submitted"]


def test_approval_locks_the_values_and_rolls_them_up(cast, form):
    submission = services.submission_for(form, cast.zhutang, PERIOD)
    services.submit(cast.users["zhutang"], submission, {"training_person_times": "120", "certified": "30"})
    with pytest.raises(PermissionDenied):
        services.approve(cast.users["zhutang"], submission)  # a town cannot approve itself
    with pytest.raises(PermissionDenied):
        services.approve(cast.users["gaoyou"], submission)
    with mock.patch("changai.indicators.services.transaction.on_commit", side_effect=lambda f: f()):
        services.approve(cast.users["jiangyin"], submission)
    trained = form.indicators.get(code="training_person_times")
    assert rollups.figure(trained, cast.jiangyin, PERIOD) == 120
    assert rollups.figure(trained, cast.province, "2026") == 120
    with pytest.raises(ValidationError, match="已审核"):
        services.save_draft(cast.users["zhutang"], submission, {"training_person_times": "1"})


def test_the_form_locks_after_the_deadline_unless_the_level_above_grants_more_time(cast, form):
    submission = services.submission_for(form, cast.zhutang, PERIOD)
    late = date(2026, 11, 2)
    with mock.patch("changai.indicators.services.today", return_value=late):
        with pytest.raises(ValidationError, match="截止"):
            services.save_draft(cast.users["zhutang"], submission, {"training_person_times": "1"})
        with pytest.raises(PermissionDenied):
            services.grant_exception(cast.users["zhutang"], form, cast.zhutang, PERIOD, late, "自己给自己延期")
        services.grant_exception(
            cast.users["jiangyin"], form, cast.zhutang, PERIOD, late + timedelta(days=3), "系统故障"
        )
        assert services.save_draft(cast.users["zhutang"], submission, {"training_person_times": "1"}).ok


def test_completeness_counts_orgs_opened_and_closed_mid_period(cast, form):
    closed_before = add_org(
        cast.jiangyin, name="撤并镇", code="320281199", kind="town", closed_on=date(2026, 6, 30), is_active=False
    )
    add_org(
        cast.jiangyin, name="年中撤并镇", code="320281198", kind="town", closed_on=date(2026, 8, 15), is_active=False
    )
    opened_after = add_org(cast.jiangyin, name="新设镇", code="320281197", kind="town", opened_on=date(2026, 10, 1))
    services.submit(
        cast.users["zhutang"],
        services.submission_for(form, cast.zhutang, PERIOD),
        {"training_person_times": "5", "certified": "1"},
    )
    Submission.objects.update(first_submitted_at=datetime(2026, 10, 9, 10, tzinfo=UTC))
    report = services.completeness(form, PERIOD, cast.jiangyin, cast.users["jiangyin"])
    names = [row.org.name for row in report.rows]
    assert "祝塘镇" in names and "年中撤并镇" in names
    assert closed_before.name not in names and opened_after.name not in names
    assert (report.expected, report.reported, report.rate) == (2, 1, 50.0)
    assert report.by_status()["not_started"] == 1 and report.on_time == 1


def test_the_rate_never_exceeds_a_hundred_percent_when_an_org_closes_after_reporting(cast, form):
    services.submit(
        cast.users["zhutang"],
        services.submission_for(form, cast.zhutang, PERIOD),
        {"training_person_times": "5", "certified": "1"},
    )
    cast.zhutang.closed_on, cast.zhutang.is_active = date(2026, 6, 1), False
    cast.zhutang.save()
    report = services.completeness(form, PERIOD, cast.jiangyin)
    assert report.rate <= 100 and report.expected == 0


def test_completeness_is_scoped_and_reminders_reach_the_missing(cast, form):
    tangzhuang_user = cast.users["gaoyou"]
    report = services.completeness(form, PERIOD, None, cast.users["jiangyin"])
    assert [row.org.name for row in report.rows] == ["祝塘镇"]
    assert services.remind_missing(cast.users["jiangyin"], form, PERIOD) == 1
    assert Notification.objects.filter(user=cast.users["zhutang"], title__contains="请按时填报").exists()
    assert not Notification.objects.filter(user=tangzhuang_user).exists()


def test_an_outsider_cannot_enter(cast, form):
    submission = services.submission_for(form, cast.zhutang, PERIOD)
    with pytest.raises(PermissionDenied):
        services.save_draft(cast.users["gaoyou"], submission, {"training_person_times": "1"})
    with pytest.raises(PermissionDenied):
        services.save_draft(cast.users["lingdao"], submission, {"training_person_times": "1"})

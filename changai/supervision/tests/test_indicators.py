from datetime import date, datetime
from unittest import mock

from django.utils import timezone

from changai.core.periods import Period
from changai.indicators.registry import get_computed
from changai.supervision import services
from changai.supervision.models import Brand, Rectification

from .factories import brand, finding, meeting, on


def figures(code, period, *orgs):
    values = get_computed(code).compute(Period.parse(period), list(orgs))
    return [values[org.pk] for org in orgs]


def _at(day):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10))


def test_rectified_findings_are_counted_in_the_quarter_they_were_done(cast):
    user = cast.users["jiangyin"]
    with on(date(2024, 5, 10)):
        found = finding(cast)
        done = services.order_rectification(user, found, task="整改一", unit=cast.zhutang, deadline=date(2024, 6, 1))
        services.order_rectification(user, found, task="整改二", unit=cast.zhutang, deadline=date(2024, 6, 1))
        services.complete_rectification(cast.users["zhutang"], done, "已完成")
    Rectification.objects.filter(pk=done.pk).update(done_at=_at(date(2024, 5, 20)))
    assert figures("spot_check_rectified", "2024Q2", cast.jiangyin, cast.province, cast.gaoyou) == [1, 1, 0]
    assert figures("spot_check_rectified", "2024Q3", cast.jiangyin) == [0]
    assert figures("spot_check_rectified", "2024", cast.wuxi) == [1]


def test_brands_are_counted_as_of_the_period_end(cast):
    named = brand(cast)
    Brand.objects.filter(pk=named.pk).update(promoted_at=_at(date(2024, 5, 1)))
    with mock.patch("changai.indicators.registry.timezone.localdate", return_value=date(2024, 12, 31)):
        assert figures("brands_named", "2024Q1", cast.jiangyin) == [0]
        assert figures("brands_named", "2024Q2", cast.jiangyin, cast.wuxi, cast.yangzhou) == [1, 1, 0]
        assert figures("brands_named", "2024Q4", cast.province) == [1]


def test_meetings_are_counted_where_they_were_convened(cast):
    meeting(cast)
    meeting(cast, user=cast.users["sheng"], org=cast.province, attendees=[cast.hrss], title="省联席会议")
    assert figures("meetings_held", "2024Q1", cast.jiangyin, cast.wuxi, cast.province, cast.hrss) == [1, 1, 2, 0]
    assert figures("meetings_held", "2024Q2", cast.province) == [0]

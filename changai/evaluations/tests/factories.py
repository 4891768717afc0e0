from contextlib import contextmanager
from datetime import date, datetime
from unittest import mock

from django.utils import timezone

from changai.evaluations import services
from changai.orgs.models import Kind
from changai.orgs.tests.factories import add_org


def town(cast, name: str, code: str):
    return add_org(cast.jiangyin, name=name, code=code, kind=Kind.TOWN)


def scorecard(cast, *, year=2024, max_points=3, rules=(), assessees=None, open_it=False):
    """Jiangyin's assessment of its towns: rules as dicts for `add_rule`, zhutang assessed unless told otherwise."""
    office = cast.users["jiangyin"]
    card = services.create_scorecard(office, cast.jiangyin, year=year, title="乡镇产改工作考核", max_points=max_points)
    for rule in rules:
        services.add_rule(office, card, **rule)
    services.add_assessees(office, card, assessees if assessees is not None else [cast.zhutang])
    if open_it:
        services.open_scorecard(office, card)
    return card


def on(day: date):
    """Move the worklists clock (lights, deadlines, evidence) to `day`."""
    return mock.patch("changai.worklists.services.today", return_value=day)


@contextmanager
def at(day: date):
    """Both clocks on `day` at noon, so a progress report is stamped then."""
    noon = timezone.make_aware(datetime(day.year, day.month, day.day, 12))
    with on(day), mock.patch("django.utils.timezone.now", return_value=noon):
        yield

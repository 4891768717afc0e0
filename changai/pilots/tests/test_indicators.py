from datetime import date

from changai.core.periods import Period
from changai.indicators import rollups
from changai.indicators.models import Indicator
from changai.indicators.registry import get_computed, sync_catalogue
from changai.orgs.models import PilotLevel
from changai.pilots import services

from .factories import apply, running


def figure(code, org, period):
    return get_computed(code).compute(Period.parse(period), [org])[org.pk]


def test_every_level_has_an_indicator():
    codes = [f"pilot_units_{level.value}" for level in PilotLevel]
    assert all(get_computed(code) for code in codes)
    assert get_computed("pilot_units_provincial").name == "省级试点单位数"


def test_pilots_count_from_approval_until_withdrawal_in_every_subtree(cast):
    apply(cast, org=cast.line_firm)  # never approved: never counted
    pilot = running(cast)  # approved 2025-03-01
    running(cast, org=cast.zhutang, level=PilotLevel.CITY, user="jiangyin", reviewer="wuxi")
    for org, expected in [(cast.province, 1), (cast.wuxi, 1), (cast.zhutang, 1), (cast.yangzhou, 0)]:
        assert figure("pilot_units_county", org, "2025Q1") == expected, org
    assert figure("pilot_units_county", cast.province, "2024Q4") == 0
    assert figure("pilot_units_city", cast.jiangyin, "2025Q2") == 1
    assert figure("pilot_units_total", cast.jiangyin, "2025Q2") == 2
    services.withdraw_pilot(cast.users["jiangyin"], pilot, reason="停产", on=date(2025, 8, 1))
    assert figure("pilot_units_county", cast.jiangyin, "2025Q2") == 1
    assert figure("pilot_units_county", cast.jiangyin, "2025Q3") == 0


def test_demonstrations_count_from_the_naming_date(cast):
    pilot = running(cast)
    pilot = services.request_acceptance(cast.users["zhutang"], pilot, on=date(2026, 3, 1))
    services.name_demonstration(cast.users["jiangyin"], pilot, on=date(2026, 4, 10))
    assert figure("pilot_demonstrations_named", cast.province, "2026Q1") == 0
    assert figure("pilot_demonstrations_named", cast.province, "2026Q2") == 1
    assert figure("pilot_units_county", cast.province, "2026Q2") == 1  # a demonstration stays a pilot


def test_projects_on_track_compare_progress_with_elapsed_time(cast):
    pilot = running(cast)
    town = cast.users["zhutang"]

    def project(title, progress, **extra):
        fields = {"pillar": "quality", "target": "x", "start_date": date(2025, 1, 1), "deadline": date(2025, 12, 31)}
        return services.add_project(town, pilot, title=title, progress=progress, **{**fields, **extra})

    project("ahead", 80)
    project("behind", 10)
    project("done", 0, status="done")
    project("stopped", 90, status="stopped")
    project("later", 0, start_date=date(2026, 1, 1), deadline=date(2026, 12, 31))
    # 2025-06-30 is 180 days into a 364-day project: 49% of the time has passed.
    assert figure("pilot_projects", cast.jiangyin, "2025Q2") == 3
    assert figure("pilot_projects_on_track", cast.jiangyin, "2025Q2") == 2
    assert figure("pilot_projects_on_track", cast.yangzhou, "2025Q2") == 0


def test_cached_figures_are_forgotten_when_a_pilot_moves(cast, django_capture_on_commit_callbacks):
    sync_catalogue()
    indicator = Indicator.objects.get(code="pilot_units_county")
    pilot = apply(cast)
    assert rollups.figure(indicator, cast.jiangyin, "2025") == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.start_review(cast.users["jiangyin"], pilot, on=date(2025, 2, 1))
        services.approve_pilot(cast.users["jiangyin"], pilot, on=date(2025, 3, 1))
    assert rollups.figure(indicator, cast.jiangyin, "2025") == 1
    assert rollups.figure(indicator, cast.province, "2025") == 1

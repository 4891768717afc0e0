from datetime import date

from changai.core.periods import Period
from changai.demands import services
from changai.demands.tests.test_services import on, routed
from changai.indicators.registry import get_computed


def figure(code, org, period=None):
    period = Period.containing(date.today(), "year") if period is None else Period.parse(period)
    return get_computed(code).compute(period, [org])[org.pk]


def test_the_ledger_figures_move_as_demands_are_handled(cast):
    demand = routed(cast)
    assert figure("channel_demands_received", cast.jiangyin) == 1
    assert figure("channel_demands_answered", cast.province) == 0
    services.answer(cast.users["renshe"], demand.assignments.get(), "已答复")
    assert figure("channel_demands_answered", cast.province) == 1
    assert figure("channel_demands_received", cast.gaoyou) == 0
    with on(date(2024, 9, 27)):  # routed with a 2024 clock, answered now: late
        assert figure("channel_demands_answered_on_time", cast.jiangyin) == 0
    services.commit_plan(cast.users["renshe"], demand, "计划", date(2030, 1, 1))
    services.report_implemented(cast.users["renshe"], demand, "已落实")
    services.confirm_implemented(cast.users["qiye"], demand)
    services.rate(cast.users["qiye"], demand, "basic")
    assert figure("channel_demands_implemented", cast.jiangyin) == 1
    assert figure("channel_demands_satisfaction_rate", cast.jiangyin) == 100

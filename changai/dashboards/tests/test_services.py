from decimal import Decimal

from changai.core.periods import Period
from changai.dashboards import services
from changai.indicators.models import Submission
from changai.orgs.tests.factories import add_org

Q3 = Period.parse("2026Q3")


def test_it_defaults_to_the_latest_quarter_with_approved_data(cast, figures):
    assert services.default_period(cast.province).code == "2026Q3"  # the unapproved 2026Q4 value does not count
    assert services.default_period(cast.province, "year").code == "2026"
    assert services.default_period(cast.hrss).code == "2026Q4"  # nothing there: the current quarter


def test_headline_changes_come_from_the_approved_values(cast, figures):
    [change] = services.headline(cast.province, Q3, [figures.trained])
    assert (change.value, change.previous, change.last_year) == (170, 100, 60)
    assert change.delta_previous == 70 and change.pct_previous == Decimal("70.0")
    assert change.delta_year == 110 and change.pct_year == Decimal("183.3")


def test_headline_without_a_base_has_no_percentage(cast, figures):
    [change] = services.headline(cast.yangzhou, Q3, [figures.trained])
    assert change.value == 50 and change.previous is None
    assert change.delta_previous is None and change.pct_previous is None


def test_headline_indicators_are_the_forms_first_ones_plus_the_counts(cast, figures, settings):
    codes = [i.code for i in services.headline_indicators()]
    assert codes == ["training_person_times", "worker_homes", "enterprises", "enterprises_with_union"]
    settings.DASHBOARD_HEADLINE_INDICATORS = ["worker_homes", "no_such_thing"]
    assert [i.code for i in services.headline_indicators()] == ["worker_homes"]


def test_map_colours_the_cities_under_the_province(cast, figures):
    chart = services.map_chart(figures.trained, cast.province, Q3, services.map_cities(cast.province))
    assert chart.rows == [["320200", "无锡市", 120], ["321000", "扬州市", 50]]
    assert services.map_cities(cast.wuxi) == [cast.wuxi]
    assert services.map_cities(cast.jiangyin) is None


def test_ranking_orders_the_children_and_leaves_member_units_out(cast, figures):
    chart = services.ranking_chart(figures.trained, cast.province, Q3)
    assert chart.rows == [[1, "无锡市", 120], [2, "扬州市", 50]]
    assert chart.meta["pks"] == [cast.wuxi.pk, cast.yangzhou.pk]


def test_ranking_puts_orgs_without_figures_last(cast, figures):
    add_org(cast.jiangyin, name="华士镇", code="320281101", kind="town")
    chart = services.ranking_chart(figures.trained, cast.jiangyin, Q3)
    assert chart.rows == [[1, "祝塘镇", 120], [2, "华士镇", None]]


def test_trend_covers_the_last_eight_periods(cast, figures):
    chart = services.trend_chart(figures.trained, cast.zhutang, Q3)
    assert [row[0] for row in chart.rows] == [
        "2024Q4",
        *[f"2025Q{i}" for i in range(1, 5)],
        "2026Q1",
        "2026Q2",
        "2026Q3",
    ]
    assert [row[2] for row in chart.rows] == [None, None, None, 60, None, None, 100, 120]


def test_computed_indicators_fill_themselves(cast, figures):
    chart = services.ranking_chart(figures.enterprises, cast.province, Q3)
    assert chart.rows == [[1, "无锡市", 2], [2, "扬州市", 1]]


def test_completeness_covers_the_forms_the_children_report(cast, figures):
    Submission.objects.create(dataset=figures.dataset, org=cast.zhutang, period="2026Q3", status="approved")
    [round_] = services.completeness_rounds(cast.jiangyin, cast.users["jiangyin"])
    assert round_.period.code == "2026Q3" and (round_.expected, round_.reported, round_.rate) == (1, 1, 100.0)
    assert round_.url == "/figures/completeness/town_quarterly/2026Q3/"
    assert services.completeness_rounds(cast.zhutang, cast.users["zhutang"]) == []  # enterprises report no form


def test_the_explorer_grid_is_one_query_for_reported_indicators(cast, figures, django_assert_num_queries):
    orgs = [cast.province, cast.wuxi, cast.jiangyin, cast.zhutang, cast.yangzhou, cast.gaoyou, cast.tangzhuang]
    periods = [p.code for p in services.period_range(Period.parse("2025Q1"), Q3)]
    with django_assert_num_queries(1):
        values = services.grid([figures.trained, figures.homes], orgs, periods)
    assert values[(figures.trained.pk, cast.gaoyou.pk, "2026Q3")] == 50
    assert values[(figures.homes.pk, cast.province.pk, "2026Q3")] == 4


def test_chart_workbooks_hold_exactly_the_chart_rows(cast, figures):
    chart = services.ranking_chart(figures.trained, cast.province, Q3)
    sheet = chart.workbook().active
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [chart.columns, *chart.rows]

"""What the dashboards show: headline changes, the map, trends, rankings, completeness and the explorer grid.

Every figure is read from the rollup table (`changai.indicators.rollups`); every chart is a `Chart`
(columns + rows), so the JSON a chart draws and the workbook it downloads are the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from changai.core.periods import HALF_YEAR, MONTH, QUARTER, YEAR, Period
from changai.indicators import rollups
from changai.indicators import services as reporting
from changai.indicators.models import DataSet, Indicator, Rollup, Source
from changai.orgs.models import Kind, Org
from changai.orgs.services import line_members

PERIOD_TYPES = [(QUARTER, "季度"), (MONTH, "月度"), (HALF_YEAR, "半年"), (YEAR, "年度")]
_PERIOD_PATTERN = {
    QUARTER: r"^[0-9]{4}Q[1-4]$",
    MONTH: r"^[0-9]{4}M[0-9]{2}$",
    HALF_YEAR: r"^[0-9]{4}H[12]$",
    YEAR: r"^[0-9]{4}$",
}
HEADLINE_DATASET = "town_quarterly"
HEADLINE_FROM_DATASET = 6
HEADLINE_COMPUTED = ["enterprises", "enterprises_with_union"]
TREND_LENGTH = 8
RANKING_LIMIT = 200
EXPLORER_MAX_PERIODS = 40
_HUNDRED = Decimal(100)


def today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------------------- charts as data


@dataclass
class Chart:
    """The data of one chart: what it draws, what its table shows and what its workbook holds."""

    title: str
    columns: list[str]
    rows: list[list]
    meta: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "columns": self.columns,
            "rows": [[_plain(cell) for cell in row] for row in self.rows],
            **self.meta,
        }

    def workbook(self) -> Workbook:
        book = Workbook()
        sheet = book.active
        sheet.title = _sheet_title(self.title)
        sheet.append(self.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in self.rows:
            sheet.append(row)
        for index, column in enumerate(self.columns, start=1):
            width = max([len(str(column)), *(len(str(row[index - 1] or "")) for row in self.rows)]) * 2 + 2
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(width, 40)
        return book


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31] or "数据"


def number(value: Decimal | None) -> Decimal | None:
    """A figure without the storage's trailing zeros (12.0000 → 12)."""
    if value is None:
        return None
    normalized = value.normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


# ---------------------------------------------------------------------------- periods and indicators


def current_period(period_type: str) -> Period:
    return Period.containing(today(), period_type)


def default_period(org: Org, period_type: str = QUARTER) -> Period:
    """The latest period of the type with approved reported data at the org, else the current one."""
    current = current_period(period_type)
    latest = (
        Rollup.objects.filter(org=org, period__regex=_PERIOD_PATTERN[period_type], period__lte=current.code)
        .exclude(value=None)
        .exclude(indicator__source=Source.COMPUTED)
        .aggregate(latest=Max("period"))["latest"]
    )
    return Period.parse(latest) if latest else current


def recent_periods(period_type: str, count: int = 12) -> list[Period]:
    current = current_period(period_type)
    return [current.shift(-step) for step in range(count)]


def headline_indicators() -> list[Indicator]:
    """The indicators of the headline cards: a setting, else the town quarterly form's first few plus two counts."""
    codes = getattr(settings, "DASHBOARD_HEADLINE_INDICATORS", None)
    if codes is None:
        dataset = DataSet.objects.filter(code=HEADLINE_DATASET, is_active=True).first()
        codes = [i.code for i in dataset.ordered_indicators()[:HEADLINE_FROM_DATASET]] if dataset else []
        codes += HEADLINE_COMPUTED
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes, is_active=True)}
    return [found[code] for code in codes if code in found]


def chart_indicators():
    return Indicator.objects.filter(is_active=True).order_by("pillar", "sort", "code")


# ---------------------------------------------------------------------------- headline


@dataclass
class Change:
    indicator: Indicator
    value: Decimal | None
    previous: Decimal | None
    last_year: Decimal | None

    @property
    def delta_previous(self) -> Decimal | None:
        return _delta(self.value, self.previous)

    @property
    def pct_previous(self) -> Decimal | None:
        return _pct(self.value, self.previous)

    @property
    def delta_year(self) -> Decimal | None:
        return _delta(self.value, self.last_year)

    @property
    def pct_year(self) -> Decimal | None:
        return _pct(self.value, self.last_year)


def _delta(value, base):
    return None if value is None or base is None else number(value - base)


def _pct(value, base):
    if value is None or not base:
        return None
    return ((value - base) * _HUNDRED / base).quantize(Decimal("0.1"))


def headline(org: Org, period: Period, indicators: list[Indicator]) -> list[Change]:
    """Each indicator now, in the previous period and in the same period last year (one query each)."""
    codes = [period.code, period.previous().code, period.same_period_last_year().code]
    changes = []
    for indicator in indicators:
        now, previous, last_year = (number(v) for v in rollups.series(indicator, org, codes))
        changes.append(Change(indicator, now, previous, last_year))
    return changes


def headline_chart(org: Org, period: Period, changes: list[Change]) -> Chart:
    columns = ["指标", "单位", period.label, period.previous().label, "环比增减", "环比（%）"]
    columns += [period.same_period_last_year().label, "同比增减", "同比（%）"]
    rows = [
        [
            c.indicator.name,
            c.indicator.unit,
            c.value,
            c.previous,
            c.delta_previous,
            c.pct_previous,
            c.last_year,
            c.delta_year,
            c.pct_year,
        ]
        for c in changes
    ]
    return Chart(f"{org.name}主要指标（{period.label}）", columns, rows, {"period": period.code})


# ---------------------------------------------------------------------------- map, ranking, trend


def ranked_children(org: Org) -> list[Org]:
    """The orgs one level below, as rankings compare them (an industry line's member enterprises)."""
    if org.kind == Kind.INDUSTRY_LINE:
        return list(line_members(org).filter(is_active=True).order_by("path")[:RANKING_LIMIT])
    children = Org.objects.get_children(org).filter(is_active=True)
    children = children.exclude(kind__in=[Kind.MEMBER_UNIT, Kind.INDUSTRY_LINE])
    return list(children.order_by("path")[:RANKING_LIMIT])


def map_cities(org: Org) -> list[Org] | None:
    """The cities a Jiangsu map colours for this org: all under a province, the one city itself, else no map."""
    if org.kind == Kind.PROVINCE:
        return list(Org.objects.get_children(org).filter(kind=Kind.CITY, is_active=True).order_by("code"))
    if org.kind == Kind.CITY:
        return [org]
    return None


def map_chart(indicator: Indicator, org: Org, period: Period, cities: list[Org]) -> Chart:
    values = rollups.figures(indicator, cities, period.code)
    rows = [[city.code, city.name, number(values[city.pk])] for city in cities]
    title = f"{indicator.name}分布（{period.label}）"
    meta = {"unit": indicator.unit, "indicator": indicator.name, "pks": [city.pk for city in cities]}
    return Chart(title, ["区划代码", "设区市", f"{indicator.name}（{indicator.unit}）"], rows, meta)


def ranking_chart(indicator: Indicator, org: Org, period: Period) -> Chart:
    children = ranked_children(org)
    values = rollups.figures(indicator, children, period.code) if children else {}
    ordered = sorted(children, key=lambda o: (values[o.pk] is None, -(values[o.pk] or 0), o.path))
    rows = [[rank, child.name, number(values[child.pk])] for rank, child in enumerate(ordered, start=1)]
    title = f"{org.name}下级单位{indicator.name}排名（{period.label}）"
    meta = {"unit": indicator.unit, "indicator": indicator.name, "pks": [child.pk for child in ordered]}
    return Chart(title, ["名次", "单位", f"{indicator.name}（{indicator.unit}）"], rows, meta)


def trend_periods(period: Period, length: int = TREND_LENGTH) -> list[Period]:
    return [period.shift(step) for step in range(1 - length, 1)]


def trend_chart(indicator: Indicator, org: Org, period: Period) -> Chart:
    periods = trend_periods(period)
    values = rollups.series(indicator, org, [p.code for p in periods])
    rows = [[p.code, p.label, number(v)] for p, v in zip(periods, values, strict=True)]
    title = f"{org.name}{indicator.name}走势"
    return Chart(title, ["期间代码", "期间", f"{indicator.name}（{indicator.unit}）"], rows, {"unit": indicator.unit})


# ---------------------------------------------------------------------------- completeness


def datasets_reported_below(org: Org) -> list[DataSet]:
    """Active data sets that some org below this one reports (one indexed existence check per kind)."""
    datasets = list(DataSet.objects.filter(is_active=True))
    below = Org.objects.filter(path__startswith=org.path, depth__gt=org.depth, is_active=True)
    kinds = {kind for ds in datasets for kind in ds.reporting_kinds}
    present = {kind for kind in kinds if below.filter(kind=kind).exists()}
    return [ds for ds in datasets if present & set(ds.reporting_kinds)]


@dataclass
class Round:
    dataset: DataSet
    period: Period
    expected: int
    reported: int
    rate: float
    timely_rate: float
    deadline: date

    @property
    def url(self) -> str:
        return f"/figures/completeness/{self.dataset.code}/{self.period.code}/"


def completeness_rounds(org: Org, user) -> list[Round]:
    rounds = []
    for dataset in datasets_reported_below(org):
        period = reporting.current_round(dataset)
        report = reporting.completeness(dataset, period.code, root=org, user=user)
        rounds.append(
            Round(
                dataset,
                period,
                report.expected,
                report.reported,
                report.rate,
                report.timely_rate,
                report.deadline,
            )
        )
    return rounds


def completeness_chart(org: Org, rounds: list[Round]) -> Chart:
    columns = ["填报表", "期间", "应报单位数", "已上报单位数", "上报率（%）", "按时上报率（%）", "截止日期"]
    rows = [[r.dataset.name, r.period.label, r.expected, r.reported, r.rate, r.timely_rate, r.deadline] for r in rounds]
    return Chart(f"{org.name}本轮填报完成情况", columns, rows, {"links": [r.url for r in rounds]})


# ---------------------------------------------------------------------------- explorer


def period_range(start: Period, end: Period) -> list[Period]:
    if start.type != end.type:
        raise ValueError("起止期间的类型不同。")
    if end < start:
        start, end = end, start
    periods = [start]
    while periods[-1] < end:
        periods.append(periods[-1].next())
    return periods[-EXPLORER_MAX_PERIODS:]


def grid(indicators: list[Indicator], orgs: list[Org], periods: list[str]) -> dict[tuple[int, int, str], Decimal]:
    """Rolled-up values for every (indicator, org, period): one query, plus the fill of missing computed cells."""
    if not indicators or not orgs or not periods:
        return {}
    cells = Rollup.objects.filter(indicator__in=indicators, org__in=orgs, period__in=periods)
    found = {(r.indicator_id, r.org_id, r.period): r.value for r in cells.only("indicator", "org", "period", "value")}
    computed = [i for i in indicators if i.source == Source.COMPUTED]
    missing = {(i.pk, o.pk, p) for i in computed for o in orgs for p in periods if (i.pk, o.pk, p) not in found}
    if missing:
        codes = {i.code for i in computed if any(key[0] == i.pk for key in missing)}
        rollups.refresh_computed(codes, orgs, sorted({key[2] for key in missing}))
        refill = Rollup.objects.filter(
            Q(indicator__in=[i for i in computed if i.code in codes]), org__in=orgs, period__in=periods
        )
        found.update({(r.indicator_id, r.org_id, r.period): r.value for r in refill})
    return found


def explorer_chart(indicators: list[Indicator], orgs: list[Org], periods: list[Period]) -> Chart:
    values = grid(indicators, orgs, [p.code for p in periods])
    rows = []
    for indicator in indicators:
        for org in orgs:
            cells = [number(values.get((indicator.pk, org.pk, p.code))) for p in periods]
            rows.append([indicator.name, indicator.unit, org.name, *cells])
    columns = ["指标", "单位", "组织", *(p.label for p in periods)]
    title = f"指标查询（{periods[0].label}至{periods[-1].label}）" if periods else "指标查询"
    return Chart(title, columns, rows, {"periods": [p.code for p in periods]})


def explorer_orgs(user, root: Org, limit: int = 300) -> list[Org]:
    """Orgs offered in the explorer's picker: the root and two levels of divisions, towns and parks below it."""
    kinds = [Kind.PROVINCE, Kind.CITY, Kind.COUNTY, Kind.TOWN, Kind.PARK, Kind.INDUSTRY_LINE]
    orgs = Org.objects.visible_to(user).filter(
        path__startswith=root.path, depth__lte=root.depth + 2, kind__in=kinds, is_active=True
    )
    return list(orgs.order_by("path")[:limit])

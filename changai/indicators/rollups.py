"""The rollup table: every indicator rolled up each org's subtree (and each industry line) per period.

One implementation serves both a full refresh and the refresh after a change: the database sums
the approved values below an org per indicator and native period, and Python derives the coarser
periods (quarter, half-year, year) and the ratios, so a dashboard figure is one indexed lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import lru_cache
from itertools import groupby
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from changai.core.periods import HALF_YEAR, MONTH, QUARTER, WEEK, YEAR, Period
from changai.orgs.models import Kind, Org, current_line_memberships

from .models import Aggregation, DataValue, Indicator, Rollup, Source
from .registry import get_computed

_COARSER = {MONTH: [QUARTER, HALF_YEAR, YEAR], QUARTER: [HALF_YEAR, YEAR], HALF_YEAR: [YEAR], WEEK: [], YEAR: []}
_HUNDRED = Decimal(100)


def combine(aggregation: str, values: list[tuple[str, Decimal]]) -> Decimal:
    """Combine (period code, value) pairs of sub-periods into one value of the coarser period."""
    if aggregation == Aggregation.MAX:
        return max(value for _, value in values)
    if aggregation == Aggregation.LATEST:
        return max(values)[1]
    return sum((value for _, value in values), Decimal(0))


@lru_cache(maxsize=8192)
def _coarser_codes(code: str) -> tuple[str, ...]:
    """The codes of the coarser periods a native period rolls into (a handful of distinct codes per refresh)."""
    period = Period.parse(code)
    return tuple(Period.containing(period.start, coarser).code for coarser in _COARSER[period.type])


def rolled_values(raw: dict[tuple[int, str], tuple[Decimal, Decimal]], indicators: dict[int, Indicator]):
    """From {(indicator, native period): (sum over orgs, max over orgs)} to every period's rolled-up value."""
    native: dict[tuple[int, str], Decimal] = {}
    for (indicator_id, period), (total, top) in raw.items():
        aggregation = indicators[indicator_id].aggregation
        native[(indicator_id, period)] = top if aggregation == Aggregation.MAX else total
    derived: dict[tuple[int, str], list[tuple[str, Decimal]]] = {}
    for (indicator_id, code), value in native.items():
        for coarser in _coarser_codes(code):
            derived.setdefault((indicator_id, coarser), []).append((code, value))
    result = dict(native)
    for key, parts in derived.items():
        if key not in native:  # a value reported for the coarse period itself wins
            result[key] = combine(indicators[key[0]].aggregation, parts)
    return result


def add_ratios(values: dict[tuple[int, str], Decimal], ratios: Iterable[Indicator]) -> None:
    periods = {period for _, period in values}
    for ratio in ratios:
        for period in periods:
            numerator = values.get((ratio.numerator_id, period))
            denominator = values.get((ratio.denominator_id, period))
            if numerator is not None and denominator:
                values[(ratio.pk, period)] = (numerator * _HUNDRED / denominator).quantize(Decimal("0.01"))


def _reported_indicators() -> tuple[dict[int, Indicator], list[Indicator]]:
    indicators = {i.pk: i for i in Indicator.objects.exclude(source=Source.COMPUTED)}
    plain = {pk: i for pk, i in indicators.items() if i.aggregation != Aggregation.RATIO}
    ratios = [
        i for i in indicators.values() if i.aggregation == Aggregation.RATIO and i.numerator_id and i.denominator_id
    ]
    return plain, ratios


def _year_filter(years: Iterable[int] | None) -> Q:
    if not years:
        return Q()
    condition = Q()
    for year in years:
        condition |= Q(period__startswith=str(year))
    return condition


Row = tuple[int, int, str, Decimal]  # indicator, org, period, value
_LOCK_KEY = 4_300_721  # arbitrary, shared by every refresh


def _take_turns() -> None:
    """Inside a transaction: wait for any other refresh to commit (a full one rewrites every row)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _write_rollups(rows: list[Row], now) -> int:
    """Insert (indicator, org, period, value) rows: COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        columns = "indicator_id, org_id, period, value, refreshed_at"
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {Rollup._meta.db_table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((*row, now))
    else:
        Rollup.objects.bulk_create(
            [Rollup(indicator_id=i, org_id=o, period=p, value=v, refreshed_at=now) for i, o, p, v in rows],
            batch_size=2000,
        )
    return len(rows)


def _rows(org_id: int, raw, plain: dict[int, Indicator], ratios: list[Indicator]) -> list[Row]:
    values = rolled_values(raw, plain)
    add_ratios(values, ratios)
    return [(indicator_id, org_id, period, value) for (indicator_id, period), value in values.items()]


def _refresh(org: Org, values_below: Q, years: Iterable[int] | None, indicator_ids: Iterable[int] | None) -> int:
    plain, ratios = _reported_indicators()
    if indicator_ids is not None:
        wanted = set(indicator_ids)
        wanted |= {r.numerator_id for r in ratios if r.pk in wanted} | {
            r.denominator_id for r in ratios if r.pk in wanted
        }
        ratios = [r for r in ratios if r.pk in wanted or r.numerator_id in wanted or r.denominator_id in wanted]
        wanted |= {r.numerator_id for r in ratios} | {r.denominator_id for r in ratios}
        plain = {pk: i for pk, i in plain.items() if pk in wanted}
    rows = (
        DataValue.objects.filter(values_below, _year_filter(years), approved=True, indicator_id__in=list(plain))
        .order_by()
        .values("indicator_id", "period")
        .annotate(total=Sum("value"), top=Max("value"))
    )
    raw = {(r["indicator_id"], r["period"]): (r["total"], r["top"]) for r in rows}
    touched = [*plain, *(r.pk for r in ratios)]
    with transaction.atomic():
        _take_turns()
        Rollup.objects.filter(_year_filter(years), org=org, indicator_id__in=touched).delete()
        return _write_rollups(_rows(org.pk, raw, plain, ratios), timezone.now())


def refresh_org(org: Org, years: Iterable[int] | None = None, indicator_ids: Iterable[int] | None = None) -> int:
    """Recompute the reported indicators rolled up `org`'s territorial subtree."""
    if org.kind == Kind.INDUSTRY_LINE:
        return refresh_line(org, years, indicator_ids)
    return _refresh(org, Q(org__path__startswith=org.path), years, indicator_ids)


def refresh_line(line: Org, years: Iterable[int] | None = None, indicator_ids: Iterable[int] | None = None) -> int:
    """Recompute the reported indicators rolled up the enterprises currently in an industry line."""
    members = list(Org.objects.filter(pk__in=current_line_memberships().filter(line=line).values("org_id")))
    below = Q(pk__in=[])
    for member in members:
        below |= Q(org__path__startswith=member.path)
    return _refresh(line, below, years, indicator_ids)


def refresh_for_change(org: Org, period: str, indicator_ids: Iterable[int] | None = None) -> int:
    """After a value of `org` changed: refresh it, its ancestors and the industry lines it belongs to."""
    years = [Period.parse(period).year]
    targets = [*Org.objects.get_ancestors(org), org]
    lines = Org.objects.filter(pk__in=current_line_memberships().filter(org__in=targets).values("line_id"))
    return sum(refresh_org(target, years, indicator_ids) for target in [*targets, *lines])


def orgs_to_refresh():
    """Every org that can have figures below it: all but enterprises without values of their own."""
    with_values = DataValue.objects.filter(org__kind=Kind.ENTERPRISE).values("org_id").distinct()
    return Org.objects.filter(Q(~Q(kind=Kind.ENTERPRISE)) | Q(pk__in=with_values)).order_by("depth", "path")


def _refresh_depth(depth: int, plain: dict[int, Indicator], ratios: list[Indicator], now) -> int:
    """Refresh every territorial org at `depth` in one pass over the values below that depth.

    Each approved value counts towards the org whose path is its own path's first `depth` steps, so one
    GROUP BY (ordered by that prefix) yields every org's sums; the coarser periods and ratios are derived in
    Python exactly as for a single org, and rows are written in large batches.
    """
    org_ids = dict(
        Org.objects.filter(depth=depth).exclude(kind=Kind.INDUSTRY_LINE).order_by().values_list("path", "pk")
    )
    rows = (
        DataValue.objects.filter(approved=True, org__depth__gte=depth, indicator_id__in=list(plain))
        .annotate(ancestor=Substr("org__path", 1, depth * Org.steplen))
        .values_list("ancestor", "indicator_id", "period")
        .annotate(total=Sum("value"), top=Max("value"))
        .order_by("ancestor")
    )
    written = 0
    batch: list[Row] = []
    for path, group in groupby(rows.iterator(chunk_size=20_000), key=itemgetter(0)):
        org_id = org_ids.get(path)
        if org_id is None:  # an industry line: refreshed from its members
            continue
        batch += _rows(org_id, {(i, p): (total, top) for _, i, p, total, top in group}, plain, ratios)
        if len(batch) >= 50_000:
            written += _write_rollups(batch, now)
            batch = []
    return written + _write_rollups(batch, now)


def refresh_all(progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every reported rollup: one aggregate query per tree depth, then the industry lines.

    Runs in one transaction, so readers keep seeing the previous figures until the new ones are complete.
    """
    plain, ratios = _reported_indicators()
    touched = [*plain, *(r.pk for r in ratios)]
    per_depth = dict(
        orgs_to_refresh().exclude(kind=Kind.INDUSTRY_LINE).order_by().values_list("depth").annotate(n=Count("pk"))
    )
    lines = list(Org.objects.filter(kind=Kind.INDUSTRY_LINE).order_by("path"))
    total = sum(per_depth.values()) + len(lines)
    now = timezone.now()
    written = done = 0
    with transaction.atomic():
        _take_turns()
        Rollup.objects.filter(indicator_id__in=touched).exclude(org__kind=Kind.INDUSTRY_LINE).delete()
        for depth in sorted(per_depth):
            written += _refresh_depth(depth, plain, ratios, now)
            done += per_depth[depth]
            if progress:
                progress(done, total)
        for line in lines:
            written += refresh_line(line)
            done += 1
            if progress and (done % 50 == 0 or done == total):
                progress(done, total)
    return written


# ---------------------------------------------------------------------------- reading


def refresh_computed(codes: Iterable[str], orgs: list[Org], periods: Iterable[str]) -> None:
    indicators = Indicator.objects.filter(code__in=list(codes), source=Source.COMPUTED)
    now = timezone.now()
    rows = []
    for indicator in indicators:
        item = get_computed(indicator.code)
        if item is None:
            continue
        for code in periods:
            for org_id, value in item.compute(Period.parse(code), orgs).items():
                rows.append(Rollup(indicator=indicator, org_id=org_id, period=code, value=value, refreshed_at=now))
    with transaction.atomic():
        for row in rows:
            Rollup.objects.update_or_create(
                indicator=row.indicator,
                org_id=row.org_id,
                period=row.period,
                defaults={"value": row.value, "refreshed_at": now},
            )


def figures(indicator: Indicator, orgs: list[Org], period: str) -> dict[int, Decimal | None]:
    """The rolled-up value of one indicator for several orgs and one period (one query)."""
    found = dict(Rollup.objects.filter(indicator=indicator, org__in=orgs, period=period).values_list("org_id", "value"))
    missing = [org for org in orgs if org.pk not in found]
    if missing and indicator.source == Source.COMPUTED:
        refresh_computed([indicator.code], missing, [period])
        found.update(
            Rollup.objects.filter(indicator=indicator, org__in=missing, period=period).values_list("org_id", "value")
        )
    return {org.pk: found.get(org.pk) for org in orgs}


def figure(indicator: Indicator, org: Org, period: str) -> Decimal | None:
    return figures(indicator, [org], period)[org.pk]


def series(indicator: Indicator, org: Org, periods: list[str]) -> list[Decimal | None]:
    found = dict(Rollup.objects.filter(indicator=indicator, org=org, period__in=periods).values_list("period", "value"))
    missing = [p for p in periods if p not in found]
    if missing and indicator.source == Source.COMPUTED:
        refresh_computed([indicator.code], [org], missing)
        found.update(
            Rollup.objects.filter(indicator=indicator, org=org, period__in=missing).values_list("period", "value")
        )
    return [found.get(p) for p in periods]

"""Benchmark the rollup table at province scale (issue #3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/changai_bench .venv/bin/python bench/rollups.py \
        [--enterprises 100000] [--towns 1300] [--years 5] [--indicators 40] [--keep]

Creates its own PostgreSQL database (the name must end in ``_bench``; it is dropped first), migrates it,
builds a province → cities → counties → towns → enterprises tree with precomputed treebeard paths, loads
monthly approved values at town level with COPY, times ``rollups.refresh_all()`` and measures the latency
of a rolled-up figure against the same figure computed with a GROUP BY over the raw values.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITIES = 13
COUNTIES = 95
READ_TARGET_MS = 20.0
REFRESH_TARGET_S = 300.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Province-scale rollup benchmark (PostgreSQL only).")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--towns", type=int, default=1_300)
    parser.add_argument("--years", type=int, default=5, help="years of monthly values, ending last year")
    parser.add_argument("--indicators", type=int, default=40, help="reported (non-ratio) indicators with values")
    parser.add_argument("--ratios", type=int, default=2, help="ratio indicators on top (no values of their own)")
    parser.add_argument(
        "--enterprise-values",
        type=int,
        default=0,
        help="also load the last year's monthly values for this many enterprises (adds them to the refresh)",
    )
    parser.add_argument("--reads", type=int, default=200, help="random reads per level")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--again", action="store_true", help="run refresh_all() a second time over the full rollup table"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------- database


def bench_database() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("DATABASE_URL must be a postgres:// URL, e.g. postgres://postgres@127.0.0.1:5432/changai_bench")
    name = parts.path.lstrip("/")
    if not name.endswith("_bench"):
        sys.exit(f"Refusing to run against database {name!r}: its name must end in '_bench'.")
    return {
        "dbname": name,
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password,
    }


def maintenance(db: dict, statement: str) -> None:
    import psycopg
    from psycopg import sql

    conninfo = {k: v for k, v in db.items() if k != "dbname" and v is not None}
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        conn.execute(sql.SQL(statement).format(name=sql.Identifier(db["dbname"])))


def recreate_database(db: dict) -> None:
    maintenance(db, "DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    maintenance(db, "CREATE DATABASE {name}")


def drop_database(db: dict) -> None:
    from django.db import connections

    connections.close_all()
    maintenance(db, "DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changai.settings")
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings

    # DJANGO_DEBUG=1 only to load the settings without production secrets; with DEBUG on, Django would
    # log every SQL statement (megabytes of bulk INSERTs), which production does not pay for.
    settings.DEBUG = False


# ---------------------------------------------------------------------------- data


def spread(count: int, parents: int, rng: random.Random, jitter: float = 0.5) -> list[int]:
    """How many of `count` children each of `parents` gets: uneven, every parent at least one when possible."""
    weights = [1 + rng.random() * jitter * 2 - jitter for _ in range(parents)]
    total = sum(weights)
    sizes = [max(1 if count >= parents else 0, int(count * w / total)) for w in weights]
    diff = count - sum(sizes)
    i = 0
    while diff:
        j = i % parents
        if diff > 0:
            sizes[j] += 1
            diff -= 1
        elif sizes[j] > 1:
            sizes[j] -= 1
            diff += 1
        i += 1
    return sizes


def build_tree(args, rng: random.Random):
    """Bulk-create the tree with precomputed treebeard paths; return each level's orgs."""
    from changai.orgs.models import Industry, Kind, Org, Ownership, Size

    def children(parent: Org, kind: str, count: int, name: str, code_of=None) -> list[Org]:
        parent.numchild = count
        return [
            Org(
                path=Org._get_path(parent.path, parent.depth + 1, n),
                depth=parent.depth + 1,
                numchild=0,
                name=name.format(n=n, parent=parent.name),
                kind=kind,
                code=code_of(parent, n) if code_of else None,
            )
            for n in range(1, count + 1)
        ]

    def division_code(parent: Org, n: int) -> str:
        return f"{parent.code}{n:02d}" if len(parent.code) < 6 else f"{parent.code}{n:03d}"

    province = Org(path=Org._get_path(None, 1, 1), depth=1, numchild=0, name="基准省", kind=Kind.PROVINCE, code="32")

    cities = children(province, Kind.CITY, CITIES, "第{n}市", division_code)

    counties = []
    for city, size in zip(cities, spread(COUNTIES, CITIES, rng), strict=True):
        counties += children(city, Kind.COUNTY, size, "{parent}第{n}县", division_code)

    towns = []
    for county, size in zip(counties, spread(args.towns, len(counties), rng), strict=True):
        towns += children(county, Kind.TOWN, size, "{parent}第{n}镇", division_code)

    enterprises = []
    industries, sizes, ownerships = list(Industry.values), list(Size.values), list(Ownership.values)
    for town, size in zip(towns, spread(args.enterprises, len(towns), rng, jitter=0.9), strict=True):
        town.numchild = size
        depth = town.depth + 1
        for n in range(1, size + 1):
            enterprises.append(
                Org(
                    path=Org._get_path(town.path, depth, n),
                    depth=depth,
                    numchild=0,
                    name=f"{town.name}企业{n}",
                    kind=Kind.ENTERPRISE,
                    industry=rng.choice(industries),
                    size=rng.choice(sizes),
                    ownership=rng.choice(ownerships),
                    headcount=rng.randint(5, 3000),
                    has_union=rng.random() < 0.7,
                )
            )

    # Parents first so numchild is final when written (set above, before each level is created).
    Org.objects.bulk_create([province])
    Org.objects.bulk_create(cities, batch_size=5000)
    Org.objects.bulk_create(counties, batch_size=5000)
    Org.objects.bulk_create(towns, batch_size=5000)
    Org.objects.bulk_create(enterprises, batch_size=5000)
    return province, cities, counties, towns, enterprises


def create_indicators(args) -> tuple[list, list]:
    """40 reported indicators (mostly sum, some latest, a few max) plus optional ratios of two sums."""
    from changai.indicators.models import Aggregation, Indicator, Pillar, Unit

    pillars = list(Pillar.values)
    n_max = max(1, args.indicators // 20)
    n_latest = max(1, args.indicators * 3 // 20)
    aggregations = [Aggregation.MAX] * n_max + [Aggregation.LATEST] * n_latest
    aggregations = [Aggregation.SUM] * (args.indicators - len(aggregations)) + aggregations
    reported = Indicator.objects.bulk_create(
        [
            Indicator(
                code=f"bench-{n:03d}",
                name=f"基准指标{n}",
                unit=Unit.PERSON_TIMES if aggregation == Aggregation.SUM else Unit.ITEMS,
                pillar=pillars[n % len(pillars)],
                aggregation=aggregation,
                sort=n,
            )
            for n, aggregation in enumerate(aggregations, start=1)
        ]
    )
    sums = [i for i in reported if i.aggregation == Aggregation.SUM]
    ratios = Indicator.objects.bulk_create(
        [
            Indicator(
                code=f"bench-ratio-{n}",
                name=f"基准比率{n}",
                unit=Unit.PERCENT,
                pillar=pillars[0],
                aggregation=Aggregation.RATIO,
                numerator=sums[2 * n],
                denominator=sums[2 * n + 1],
                integer_only=False,
                sort=1000 + n,
            )
            for n in range(min(args.ratios, len(sums) // 2))
        ]
    )
    return reported, ratios


def month_codes(years: list[int]) -> list[str]:
    return [f"{year}M{month:02d}" for year in years for month in range(1, 13)]


def copy_values(rows_of, total_hint: int) -> int:
    """COPY (indicator_id, org_id, period, value) rows into indicators_datavalue as approved values."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now().isoformat()
    tail = f"\tt\t\t\t{now}\n"
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        statement = (
            "COPY indicators_datavalue (indicator_id, org_id, period, value, approved, explanation, provenance,"
            " updated_at) FROM STDIN"
        )
        with raw.copy(statement) as copy:
            buffer = io.StringIO()
            for indicator_id, org_id, period, value in rows_of():
                buffer.write(f"{indicator_id}\t{org_id}\t{period}\t{value}{tail}")
                written += 1
                if written % 200_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
                    print(f"    {written:>10,} / {total_hint:,} values", flush=True)
            copy.write(buffer.getvalue())
    return written


def load_values(args, rng: random.Random, reported, towns, enterprises, years: list[int]) -> int:
    from changai.indicators.models import Aggregation

    months = month_codes(years)
    last_year_months = month_codes(years[-1:])
    randrange = rng.randrange

    def town_rows():
        for indicator in reported:
            latest = indicator.aggregation == Aggregation.LATEST
            for town in towns:
                level = randrange(50, 400)
                for period in months:
                    if latest:  # a stock that grows slowly
                        level += randrange(0, 3)
                        yield indicator.pk, town.pk, period, level
                    else:
                        yield indicator.pk, town.pk, period, randrange(0, 500)

    def enterprise_rows():
        chosen = rng.sample(enterprises, min(args.enterprise_values, len(enterprises)))
        for indicator in reported:
            for enterprise in chosen:
                for period in last_year_months:
                    yield indicator.pk, enterprise.pk, period, randrange(0, 50)

    def rows():
        yield from town_rows()
        if args.enterprise_values:
            yield from enterprise_rows()

    total = len(reported) * (len(towns) * len(months) + min(args.enterprise_values, len(enterprises)) * 12)
    return copy_values(rows, total)


# ---------------------------------------------------------------------------- measuring


class SqlTimer:
    """A connection.execute_wrapper that adds up the time spent in the database per kind of statement."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.count = defaultdict(int)

    def __call__(self, execute, sql, params, many, context):
        kind = sql.lstrip().split(None, 1)[0].upper()
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[kind] += time.perf_counter() - started
            self.count[kind] += 1


class RefreshRun:
    """One timed refresh_all(): wall clock, rows, and where the time went."""

    def __init__(self, label: str):
        self.label = label
        self.seconds = 0.0
        self.written = 0
        self.per_kind: dict[str, float] = defaultdict(float)
        self.orgs_per_kind: dict[str, int] = defaultdict(int)
        self.sql = SqlTimer()
        self.commit_seconds = 0.0
        self.commits = 0

    def breakdown(self) -> list[tuple[str, str]]:
        lines = []
        for kind in ("province", "city", "county", "town", "park", "enterprise", "industry_line"):
            if self.orgs_per_kind.get(kind):
                seconds, count = self.per_kind[kind], self.orgs_per_kind[kind]
                lines.append(
                    (
                        f"  refresh_org {kind}",
                        f"{seconds:.1f} s over {count:,} orgs ({seconds / count * 1000:.0f} ms each)",
                    )
                )
        for kind in sorted(self.sql.seconds, key=self.sql.seconds.get, reverse=True):
            lines.append((f"  SQL {kind}", f"{self.sql.seconds[kind]:.1f} s in {self.sql.count[kind]:,} statements"))
        lines.append(("  COMMIT", f"{self.commit_seconds:.1f} s in {self.commits:,} commits (deferred FK checks)"))
        rest = self.seconds - sum(self.sql.seconds.values()) - self.commit_seconds
        lines.append(("  other", f"{rest:.1f} s (Python, model instances, COPY, cursor fetches)"))
        return lines


def timed_refresh_all(label: str) -> RefreshRun:
    """Run refresh_all() once, timing statements by kind, commits, and refresh_org() per org kind."""
    from django.db import connection

    from changai.indicators import rollups

    run = RefreshRun(label)
    original_refresh_org = rollups.refresh_org
    original_commit = connection.commit

    def refresh_org(org, *a, **kw):  # refresh_all() calls it per org (or, for industry lines only)
        started = time.perf_counter()
        try:
            return original_refresh_org(org, *a, **kw)
        finally:
            run.per_kind[org.kind] += time.perf_counter() - started
            run.orgs_per_kind[org.kind] += 1

    def commit():  # the end of each transaction.atomic(): PostgreSQL checks the deferred foreign keys here
        started = time.perf_counter()
        try:
            return original_commit()
        finally:
            run.commit_seconds += time.perf_counter() - started
            run.commits += 1

    def progress(done, total):
        if done % 200 == 0 or done == total:
            print(f"    {done:>6,} / {total:,} orgs  {time.perf_counter() - started:7.1f} s", flush=True)

    rollups.refresh_org = refresh_org
    connection.commit = commit
    try:
        with connection.execute_wrapper(run.sql):
            started = time.perf_counter()
            run.written = rollups.refresh_all(progress)
            run.seconds = time.perf_counter() - started
    finally:
        rollups.refresh_org = original_refresh_org
        del connection.commit
    return run


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


DIRECT_SQL = (
    "SELECT SUM(dv.value) FROM indicators_datavalue dv JOIN orgs_org o ON o.id = dv.org_id "
    "WHERE o.path LIKE %s AND dv.indicator_id = %s AND dv.period = ANY(%s) AND dv.approved"
)


def random_period(rng: random.Random, years: list[int]) -> tuple[str, list[str]]:
    """A random month, quarter or year code and the month codes it contains."""
    year = rng.choice(years)
    kind = rng.choice(("month", "quarter", "year"))
    if kind == "month":
        month = rng.randint(1, 12)
        return f"{year}M{month:02d}", [f"{year}M{month:02d}"]
    if kind == "quarter":
        quarter = rng.randint(1, 4)
        return f"{year}Q{quarter}", [f"{year}M{m:02d}" for m in range(quarter * 3 - 2, quarter * 3 + 1)]
    return str(year), month_codes([year])


def measure_reads(levels: dict[str, list], sums: list, years: list[int], reads: int, rng: random.Random):
    """p50/p95 of rollups.figure() and of the direct GROUP BY at each level; mismatches between the two."""
    from django.db import connection

    from changai.indicators.rollups import figure

    results = {}
    mismatches = compared = 0
    examples = []
    with connection.cursor() as cursor:
        # Warm up the connection and the plan caches a little (not counted).
        for _ in range(10):
            org = rng.choice(levels["province"])
            indicator = rng.choice(sums)
            code, months = random_period(rng, years)
            figure(indicator, org, code)
            cursor.execute(DIRECT_SQL, [org.path + "%", indicator.pk, months])
            cursor.fetchone()
        for level, orgs in levels.items():
            rolled, direct = [], []
            for _ in range(reads):
                org = rng.choice(orgs)
                indicator = rng.choice(sums)
                code, months = random_period(rng, years)

                started = time.perf_counter()
                value = figure(indicator, org, code)
                rolled.append((time.perf_counter() - started) * 1000)

                started = time.perf_counter()
                cursor.execute(DIRECT_SQL, [org.path + "%", indicator.pk, months])
                (expected,) = cursor.fetchone()
                direct.append((time.perf_counter() - started) * 1000)

                compared += 1
                if (value or Decimal(0)) != (expected or Decimal(0)):
                    mismatches += 1
                    if len(examples) < 5:
                        examples.append((level, org.path, indicator.code, code, value, expected))
            results[level] = {
                "rolled_p50": percentile(rolled, 0.50),
                "rolled_p95": percentile(rolled, 0.95),
                "direct_p50": percentile(direct, 0.50),
                "direct_p95": percentile(direct, 0.95),
                "direct_max": max(direct),
                "rolled_mean": statistics.fmean(rolled),
            }
    return results, compared, mismatches, examples


def explain_samples(province, county, indicator_ids: list[int]) -> str:
    """EXPLAIN ANALYZE of the per-org aggregate (refresh_org, refresh_for_change) for the province and a county."""
    from django.db import connection
    from django.db.models import Max, Sum

    from changai.indicators.models import DataValue

    out = []
    for org in (province, county):
        qs = (
            DataValue.objects.filter(org__path__startswith=org.path, approved=True, indicator_id__in=indicator_ids)
            .order_by()
            .values("indicator_id", "period")
            .annotate(total=Sum("value"), top=Max("value"))
        )
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        out.append(f"-- per-org aggregate for {org.kind} {org.path}\n{plan}")
    return "\n\n".join(out)


# ---------------------------------------------------------------------------- main


def main(argv=None) -> int:
    args = parse_args(argv)
    db = bench_database()
    rng = random.Random(args.seed)
    this_year = date.today().year
    years = list(range(this_year - args.years, this_year))

    load_before = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Benchmark database {db['dbname']} on {db['host']}:{db['port']} (dropped and recreated)")
    recreate_database(db)
    setup_django()

    from django.core.management import call_command
    from django.db import connection

    from changai.indicators.models import Rollup
    from changai.orgs.models import Org

    summary: list[tuple[str, str]] = []
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrate_s = time.perf_counter() - started
        print(f"Migrated in {migrate_s:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            server = cursor.fetchone()[0].split(" on ")[0]

        print("Building the tree …", flush=True)
        build_started = time.perf_counter()
        province, cities, counties, towns, enterprises = build_tree(args, rng)
        tree_s = time.perf_counter() - build_started
        org_count = Org.objects.count()
        print(f"  {org_count:,} orgs in {tree_s:.1f} s")

        reported, ratios = create_indicators(args)
        sums = [i for i in reported if i.aggregation == "sum"]
        shape = f"{len(reported)} indicators × {len(towns):,} towns × {len(years) * 12} months"
        print(f"Loading values with COPY ({shape}) …")
        values_started = time.perf_counter()
        value_count = load_values(args, rng, reported, towns, enterprises, years)
        copy_s = time.perf_counter() - values_started
        analyze_started = time.perf_counter()
        with connection.cursor() as cursor:
            # What autovacuum would do soon after such a load: statistics and the visibility map.
            cursor.execute("VACUUM ANALYZE orgs_org")
            cursor.execute("VACUUM ANALYZE indicators_datavalue")
        analyze_s = time.perf_counter() - analyze_started
        build_s = time.perf_counter() - build_started
        print(f"  {value_count:,} values in {copy_s:.1f} s (+ VACUUM ANALYZE {analyze_s:.1f} s)")
        print(f"Data build {build_s:.1f} s")
        assert Org.objects.find_problems() == ([], [], [], [], []), "the precomputed tree is not a valid treebeard tree"

        runs = []
        for label in ["into an empty rollup table", "again, replacing every row"][: 2 if args.again else 1]:
            print(f"refresh_all() {label} …", flush=True)
            run = timed_refresh_all(label)
            runs.append(run)
            print(f"  {run.written:,} rollup rows written in {run.seconds:.1f} s")
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE indicators_rollup")
        rollup_rows = Rollup.objects.count()
        refresh_s = max(run.seconds for run in runs)

        print("Reads …", flush=True)
        levels = {
            "province": [province],
            "city": cities,
            "county": counties,
            "town": towns,
        }
        reads, compared, mismatches, examples = measure_reads(levels, sums, years, args.reads, rng)

        load_after = "/".join(f"{x:.1f}" for x in os.getloadavg())
        plans = explain_samples(province, rng.choice(counties), [i.pk for i in reported])

        # ------------------------------------------------------------------ summary
        summary += [
            ("PostgreSQL", server),
            ("CPU cores", str(os.cpu_count())),
            ("load average", f"{load_before} at start, {load_after} at the end (1/5/15 min)"),
            (
                "orgs",
                f"{org_count:,} (1 province, {len(cities)} cities, {len(counties)} counties, "
                f"{len(towns):,} towns, {len(enterprises):,} enterprises)",
            ),
            (
                "indicators",
                f"{len(reported)} reported ({len(sums)} sum, "
                f"{sum(i.aggregation == 'latest' for i in reported)} latest, "
                f"{sum(i.aggregation == 'max' for i in reported)} max) + {len(ratios)} ratio",
            ),
            ("approved values", f"{value_count:,} ({years[0]}–{years[-1]}, monthly)"),
            ("tree build", f"{tree_s:.1f} s"),
            ("values COPY", f"{copy_s:.1f} s (+ VACUUM ANALYZE {analyze_s:.1f} s)"),
            ("data build total", f"{build_s:.1f} s"),
        ]
        for run in runs:
            verdict = "OK" if run.seconds <= REFRESH_TARGET_S else "TOO SLOW"
            summary += [
                (f"refresh_all() {run.label}", f"{run.seconds:.1f} s  (target ≤ {REFRESH_TARGET_S:.0f} s)  {verdict}"),
                ("  rollup rows written", f"{run.written:,}"),
                *run.breakdown(),
            ]
        summary.append(("rollup table rows", f"{rollup_rows:,}"))

        print()
        print("=" * 100)
        print("Rollup benchmark")
        print("=" * 100)
        width = max(len(k) for k, _ in summary)
        for key, value in summary:
            print(f"{key:<{width}}  {value}")
        print()
        print(f"Reads ({args.reads} random per level; random sum indicator, random month/quarter/year), ms:")
        print(
            f"{'level':<10}{'rollup p50':>12}{'rollup p95':>12}{'GROUP BY p50':>14}{'GROUP BY p95':>14}"
            f"{'GROUP BY max':>14}  target rollup p95 ≤ {READ_TARGET_MS:.0f}"
        )
        all_ok = True
        for level, r in reads.items():
            ok = r["rolled_p95"] <= READ_TARGET_MS
            all_ok &= ok
            print(
                f"{level:<10}{r['rolled_p50']:>12.2f}{r['rolled_p95']:>12.2f}{r['direct_p50']:>14.2f}"
                f"{r['direct_p95']:>14.2f}{r['direct_max']:>14.2f}  {'OK' if ok else 'TOO SLOW'}"
            )
        print(f"rollup vs GROUP BY: {mismatches} mismatches in {compared} compared figures")
        for example in examples:
            print("  mismatch:", example)
        print()
        print("EXPLAIN ANALYZE of the per-org aggregate query (refresh_org / refresh_for_change):")
        print(plans)
        return 0 if (mismatches == 0 and all_ok and refresh_s <= REFRESH_TARGET_S) else 1
    finally:
        if args.keep:
            print(f"Kept database {db['dbname']}.")
        else:
            drop_database(db)
            print(f"Dropped database {db['dbname']}.")


if __name__ == "__main__":
    sys.exit(main())

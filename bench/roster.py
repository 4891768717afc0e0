"""Benchmark the monthly allowance roster for a group of a million workers (issue #6).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/changai_roster_bench \\
        flock /tmp/bench.lock .venv/bin/python bench/roster.py [--workers 1000000] [--certificates 3] [--export]

Creates its own PostgreSQL database (the name must end in ``_bench``; it is dropped first), migrates it, and
builds with SQL (generate_series, not timed) a group: one head enterprise and ``--members`` member enterprises,
``--workers`` workers with their employments (some moved within the group, hired or leaving during the month),
``--certificates`` certificates per worker (some issued, expiring or revoked in the month), engineering titles for
5 % and talent designations for 0.5 %, a group policy (300/500/800, tiers, rewards) and a few members with their
own. Each timed step runs in a forked child process so its peak memory (ru_maxrss) is its own:

1. compute_roster() for the group and the previous month (no earlier roster to compare with);
2. approve_roster() of it (locks it and records the one-off rewards);
3. compute_roster() for the target month: the timed figure, with every change explained against step 1;
4. with --export, the payroll workbook of step 3; with --check, the cross-check over the group.

See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rollups import bench_database, drop_database, recreate_database, setup_django  # noqa: E402

TARGET_SECONDS = 60.0
TARGET_BYTES = 2 * 1024**3


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Group-scale allowance roster benchmark (PostgreSQL only).")
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--certificates", type=int, default=3, help="certificates per worker")
    parser.add_argument("--members", type=int, default=50, help="member enterprises of the group")
    parser.add_argument("--month", default="", help="target month YYYY-MM (default: last month)")
    parser.add_argument("--rule", choices=["pro_rata_days", "next_month"], default="pro_rata_days")
    parser.add_argument("--export", action="store_true", help="also time the payroll xlsx export")
    parser.add_argument("--check", action="store_true", help="also time the cross-check over the group")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------- data


def build_orgs(members: int):
    """Province → city → county → town → the head and its members (precomputed treebeard paths)."""
    from changai.orgs.models import Kind, Org

    province = Org(path=Org._get_path(None, 1, 1), depth=1, numchild=1, name="基准省", kind=Kind.PROVINCE, code="32")
    city = Org(path=Org._get_path(province.path, 2, 1), depth=2, numchild=1, name="基准市", kind=Kind.CITY)
    county = Org(path=Org._get_path(city.path, 3, 1), depth=3, numchild=1, name="基准县", kind=Kind.COUNTY)
    town = Org(path=Org._get_path(county.path, 4, 1), depth=4, numchild=members + 1, name="基准镇", kind=Kind.TOWN)
    Org.objects.bulk_create([province, city, county, town])
    firms = [
        Org(
            path=Org._get_path(town.path, 5, n),
            depth=5,
            numchild=0,
            name="基准集团本部" if n == 1 else f"基准集团第{n - 1}分公司",
            kind=Kind.ENTERPRISE,
            has_union=True,
        )
        for n in range(1, members + 2)
    ]
    Org.objects.bulk_create(firms)
    head = Org.objects.get(name="基准集团本部")
    Org.objects.filter(kind=Kind.ENTERPRISE).exclude(pk=head.pk).update(group=head)
    return head.pk, list(Org.objects.filter(kind=Kind.ENTERPRISE).order_by("pk").values_list("pk", flat=True))


def build_people(args, firms: list[int], month_start: date) -> dict:
    """Workers, employments, certificates, titles and designations with generate_series (not timed)."""
    from django.db import connection

    from changai.workers.models import Occupation

    occupations = Occupation.objects.bulk_create(
        [Occupation(code=f"6-99-00-{n:02d}", name=f"基准工种{n}") for n in range(1, 11)]
    )
    occupation_ids = [o.pk for o in occupations]
    n, per = args.workers, args.certificates
    start = month_start.isoformat()
    prev_start = (month_start - timedelta(days=1)).replace(day=1).isoformat()
    counts = {}
    firm_array = "%s::int[]"
    # current(i) and previous(i): the enterprise a worker works at now, and (for movers) before the move.
    current = f"({firm_array})[1 + (i %% {len(firms)})]"
    previous = f"({firm_array})[1 + ((i + 1) %% {len(firms)})]"
    with connection.cursor() as cursor:

        def run(label, sql, params=()):
            started = time.perf_counter()
            cursor.execute(sql, params)
            counts[label] = cursor.rowcount
            print(f"  {label}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.1f} s", flush=True)

        # Every 100 workers: #5 leaves during the month, #6 left last month, #7 moved on the 15th within the group,
        # #3 is hired during the month.
        run(
            "workers",
            f"""
            INSERT INTO workers_worker (id, name, id_hash, id_cipher, id_masked, gender, birth_date, phone_cipher,
                phone_masked, education, political_status, enterprise_id, occupation_id, frontline, hired_on,
                sequence, grade, created_at, updated_at)
            SELECT i, '职工' || i, md5(i::text), '', '320***********' || lpad((i %% 10000)::text, 4, '0'),
                CASE WHEN i %% 2 = 0 THEN 'F' ELSE 'M' END, date '1965-01-01' + (i %% 14000), '', '', '', '',
                CASE WHEN i %% 100 IN (5, 6) THEN NULL ELSE {current} END, NULL, true,
                date '2005-01-01' + (i %% 6000), 'skills', '', now(), now()
            FROM generate_series(1, %s) i
            """,
            [firms, n],
        )
        run(
            "employments",
            f"""
            INSERT INTO workers_employment (worker_id, enterprise_id, hired_on, left_on, occupation_id, frontline,
                sequence, grade, ended_by, leave_reason)
            SELECT i, {current},
                CASE WHEN i %% 100 = 7 THEN %s::date + 14 WHEN i %% 100 = 3 THEN %s::date + (i %% 27)
                     ELSE date '2005-01-01' + (i %% 6000) END,
                CASE WHEN i %% 100 = 5 THEN %s::date + (i %% 27) WHEN i %% 100 = 6 THEN %s::date + 10 END,
                NULL::bigint, true, 'skills', '',
                CASE WHEN i %% 100 IN (5, 6) THEN 'left' ELSE '' END, ''
            FROM generate_series(1, %s) i
            UNION ALL
            SELECT i, {previous}, date '2005-01-01' + (i %% 6000), %s::date + 13, NULL::bigint, true, 'skills', '',
                'moved', ''
            FROM generate_series(7, %s, 100) i
            """,
            [firms, start, start, start, prev_start, n, firms, start, n],
        )
        # Per certificate a level from a skewed ladder (most at 2–4), issued from 2008 to the end of the target
        # month; 30 % expire after five years, 0.5 % are revoked.
        run(
            "certificates",
            """
            INSERT INTO certificates_certificate (id, worker_id, occupation_id, level, number, route, issued_on,
                expires_on, issuer, revoked, created_at, revoke_reason)
            SELECT c.id, c.worker, (%s::int[])[1 + c.id %% 10],
                CASE WHEN c.r < 8 THEN 1 WHEN c.r < 38 THEN 2 WHEN c.r < 72 THEN 3 WHEN c.r < 88 THEN 4
                     WHEN c.r < 96 THEN 5 WHEN c.r < 99 THEN 6 ELSE 7 + c.id %% 2 END,
                'B' || c.id, 'social', c.issued,
                CASE WHEN c.id %% 10 < 3 THEN c.issued + 1825 END, '', c.id %% 200 = 0, now(), ''
            FROM (
                SELECT (i - 1) * %s + k AS id, i AS worker, ((i::bigint * 7919 + k * 104729) %% 100) AS r,
                       date '2008-01-01' + ((i * 31 + k * 977) %% (%s::date - date '2008-01-01' + 31)) AS issued
                FROM generate_series(1, %s) i, generate_series(1, %s) k
            ) c
            """,
            [occupation_ids, per, start, n, per],
        )
        run(
            "titles",
            """
            INSERT INTO certificates_engineeringtitle (worker_id, rank, specialty, awarded_on, issuer, via_title_bridge)
            SELECT i, 4 + (i / 20) %% 4, '', date '2012-01-01' + (i %% 5200), '', false
            FROM generate_series(20, %s, 20) i
            """,
            [n],
        )
        run(
            "designations",
            """
            INSERT INTO allowances_talentdesignation (org_id, worker_id, tier, valid_from, valid_to, basis, created_at)
            SELECT %s, i, (ARRAY['leading', 'special', 'key'])[1 + (i / 200) %% 3],
                CASE WHEN i %% 1000 = 0 THEN %s::date + 9 ELSE date '2022-01-01' END, NULL, '', now()
            FROM generate_series(200, %s, 200) i
            """,
            [firms[0], start, n],
        )
        for table in ("workers_worker", "certificates_certificate"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return counts


def build_policies(args, head_id: int, firms: list[int]) -> None:
    from decimal import Decimal

    from changai.allowances import services
    from changai.allowances.models import AllowancePolicy
    from changai.orgs.models import Org

    levels = {4: Decimal(300), 5: Decimal(500), 6: Decimal(800)}
    tiers = {"leading": Decimal(3000), "special": Decimal(2000), "key": Decimal(1000)}
    rewards = {4: Decimal(1000), 5: Decimal(5000)}
    head = Org.objects.get(pk=head_id)
    group_policy = AllowancePolicy(
        org=head, name="集团技能津贴办法", effective_from=date(2024, 1, 1), mid_month_rule=args.rule
    )
    services.save_policy(None, group_policy, levels=levels, tiers=tiers, rewards=rewards)
    for firm in Org.objects.filter(pk__in=firms[1:6]):  # five members keep their own, next-month policy
        own = AllowancePolicy(org=firm, name=f"{firm.name}津贴办法", effective_from=date(2023, 7, 1))
        services.save_policy(
            None, own, levels={4: Decimal(350), 5: Decimal(600), 6: Decimal(900)}, tiers={}, rewards={}
        )


# ---------------------------------------------------------------------------- timed steps


def in_child(label: str, step):
    """Run `step()` in a forked child; return (seconds, peak RSS in bytes, step's result)."""
    import pickle

    from django.db import connections

    connections.close_all()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own database connection, its own peak memory
        os.close(read_end)
        code = 0
        try:
            started = time.perf_counter()
            result = step()
            payload = {"seconds": time.perf_counter() - started, "result": result}
        except BaseException as exc:  # noqa: BLE001 - reported by the parent
            import traceback

            payload = {"error": f"{exc!r}\n{traceback.format_exc()}"}
            code = 1
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(payload, pipe)
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        payload = pickle.load(pipe)
    _, status, usage = os.wait4(pid, 0)
    if "error" in payload:
        raise RuntimeError(f"{label} failed:\n{payload['error']}")
    return payload["seconds"], usage.ru_maxrss * 1024, payload["result"]


def step_compute(head_id: int, month: str):
    def step():
        from changai.allowances import services
        from changai.orgs.models import Org

        roster = services.compute_roster(Org.objects.get(pk=head_id), month, whole_group=True)
        return {
            "pk": roster.pk,
            "lines": roster.line_count,
            "paid": roster.paid_count,
            "changed": roster.changed_count,
            "amount": str(roster.total_amount),
            "rewards": str(roster.reward_amount),
            "changes": roster.totals.get("changes", {}),
            "levels": roster.totals.get("levels", []),
        }

    return step


def step_approve(roster_pk: int):
    def step():
        from changai.allowances import services
        from changai.allowances.models import RewardPayment, Roster

        services.approve_roster(None, Roster.objects.get(pk=roster_pk))
        return {"rewards": RewardPayment.objects.filter(roster_id=roster_pk).count()}

    return step


def step_export(roster_pk: int):
    def step():
        import tempfile

        from changai.allowances.exports import roster_workbook
        from changai.allowances.models import Roster

        workbook, rows = roster_workbook(Roster.objects.select_related("org").get(pk=roster_pk), None)
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            workbook.save(handle.name)
            size = os.path.getsize(handle.name)
        return {"rows": rows, "bytes": size}

    return step


def step_check(head_id: int, month: str):
    def step():
        from changai.allowances import services
        from changai.orgs.models import Org

        report = services.entitled_but_unlisted(Org.objects.get(pk=head_id), month)
        return {"count": report.count, "amount": str(report.amount)}

    return step


def mb(value: int) -> str:
    return f"{value / 1024**2:,.0f} MB"


# ---------------------------------------------------------------------------- main


def main(argv=None) -> int:
    args = parse_args(argv)
    db = bench_database()
    load_before = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Benchmark database {db['dbname']} on {db['host']}:{db['port']} (dropped and recreated)")
    recreate_database(db)
    setup_django()

    from django.core.management import call_command
    from django.db import connection

    from changai.allowances.engine import month_of, parse_month

    today = date.today()
    target = parse_month(args.month) if args.month else month_of(today.replace(day=1) - timedelta(days=1))
    previous = target.previous()
    ok = True
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"Migrated in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            server = cursor.fetchone()[0].split(" on ")[0]
        build_started = time.perf_counter()
        head_id, firms = build_orgs(args.members)
        counts = build_people(args, firms, target.start)
        build_policies(args, head_id, firms)
        with connection.cursor() as cursor:
            for table in (
                "workers_worker",
                "workers_employment",
                "certificates_certificate",
                "certificates_engineeringtitle",
                "allowances_talentdesignation",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")
        build_s = time.perf_counter() - build_started
        print(f"Data build {build_s:.1f} s (not timed below)", flush=True)

        rows = []
        print(f"compute_roster() {previous.code} (no earlier roster) …", flush=True)
        first_s, first_mem, first = in_child("compute", step_compute(head_id, previous.code))
        print(f"  {first['lines']:,} lines in {first_s:.1f} s, peak {mb(first_mem)}")
        rows.append(
            (f"compute_roster() {previous.code}, first roster", first_s, first_mem, f"{first['lines']:,} lines")
        )

        print(f"approve_roster() {previous.code} …", flush=True)
        approve_s, approve_mem, approved = in_child("approve", step_approve(first["pk"]))
        print(f"  {approved['rewards']:,} rewards recorded in {approve_s:.1f} s")
        rows.append((f"approve_roster() {previous.code}", approve_s, approve_mem, f"{approved['rewards']:,} rewards"))

        print(f"compute_roster() {target.code} (against the approved {previous.code}) …", flush=True)
        second_s, second_mem, second = in_child("compute", step_compute(head_id, target.code))
        print(f"  {second['lines']:,} lines in {second_s:.1f} s, peak {mb(second_mem)}")
        rows.append(
            (
                f"compute_roster() {target.code}, with changes",
                second_s,
                second_mem,
                f"{second['lines']:,} lines, {second['changed']:,} changed",
            )
        )
        ok = max(first_s, second_s) <= TARGET_SECONDS and max(first_mem, second_mem) <= TARGET_BYTES

        print(f"compute_roster() {target.code} again (recompute replaces the draft) …", flush=True)
        again_s, again_mem, again = in_child("recompute", step_compute(head_id, target.code))
        print(f"  {again['lines']:,} lines in {again_s:.1f} s, peak {mb(again_mem)}")
        rows.append((f"compute_roster() {target.code}, recomputed", again_s, again_mem, f"{again['lines']:,} lines"))

        if args.check:
            print(f"entitled_but_unlisted() {previous.code} …", flush=True)
            check_s, check_mem, check = in_child("check", step_check(head_id, previous.code))
            rows.append((f"entitled_but_unlisted() {previous.code}", check_s, check_mem, f"{check['count']:,} found"))
        if args.export:
            print(f"xlsx export of {target.code} …", flush=True)
            export_s, export_mem, export = in_child("export", step_export(second["pk"]))
            rows.append(
                ("xlsx export", export_s, export_mem, f"{export['rows']:,} rows, {export['bytes'] / 1024**2:.0f} MB")
            )

        load_after = "/".join(f"{x:.1f}" for x in os.getloadavg())
        print()
        print(f"PostgreSQL: {server}; {os.cpu_count()} cores; load {load_before} → {load_after} (1/5/15 min)")
        print(
            f"Data: 1 group of {len(firms)} enterprises, {counts['workers']:,} workers, "
            f"{counts['employments']:,} employments, {counts['certificates']:,} certificates, "
            f"{counts['titles']:,} titles, {counts['designations']:,} designations; rule {args.rule}"
        )
        print(f"Data build: {build_s:.1f} s")
        print()
        print("| step | seconds | peak memory | |")
        print("|---|---|---|---|")
        for label, seconds, memory, note in rows:
            print(f"| {label} | {seconds:.1f} s | {mb(memory)} | {note} |")
        print()
        print(f"Changes in {target.code}: {second['changes']}")
        print(f"Per level in {target.code}: " + ", ".join(f"{r['label']} {r['count']:,}" for r in second["levels"]))
        print(f"Totals: {target.code} {second['amount']} yuan (rewards {second['rewards']})")
        verdict = "met" if ok else "MISSED"
        print(f"Target ≤ {TARGET_SECONDS:.0f} s and ≤ {mb(TARGET_BYTES)} per roster computation: {verdict}")
    finally:
        if not args.keep:
            drop_database(db)
    resource.getrusage(resource.RUSAGE_SELF)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark importing a 1,000,000-row worker sheet end to end, beside a bare COPY of the same rows (issue #6).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/changai_workers_bench \
        flock /tmp/bench.lock .venv/bin/python bench/worker_import.py [--rows 1000000] [--keep]

Creates its own PostgreSQL database (the name must end in ``_bench``; it is dropped first) and migrates it,
writes an .xlsx sheet of valid, made-up workers (a title row above the header, as enterprises keep them),
puts 1 % of its people on the ledger beforehand (the import must find them and update them), then runs
the web import's own code: ``import_services.upload`` (read + validate, the preview) and
``import_services.commit`` (read, validate, de-duplicate, encrypt, write, as one job). In the same run it
times a bare ``COPY`` of the same rows, already encrypted, into the same table, and prints rows/s of both,
their ratio and the import's peak memory. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 0.25
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰峰辉鹏宇浩然子涵欣怡晨阳博文思远海燕春梅立新永健德胜"
)
HEADER = [
    "序号",
    "姓名",
    "身份证号",
    "手机号",
    "学历",
    "政治面貌",
    "职业（工种）",
    "一线职工",
    "入职日期",
    "岗位序列",
    "岗位等级",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Worker import benchmark (PostgreSQL only).")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--existing", type=float, default=0.01, help="share of the sheet already on the ledger")
    parser.add_argument("--sheet", type=Path, help="reuse (or keep) the generated sheet at this path")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--phase", choices=["all", "import"], default="all", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------- database


def bench_database() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(
            "DATABASE_URL must be a postgres:// URL, e.g. postgres://postgres@127.0.0.1:5432/changai_workers_bench"
        )
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


def setup_django(media_root: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changai.settings")
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["IMPORT_MAX_BYTES"] = str(1024 * 1024 * 1024)  # a deployment taking such sheets raises the limit
    os.environ.pop("CELERY_BROKER_URL", None)  # jobs run in this process, as without a broker
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # DEBUG would keep the SQL of every statement
    settings.MEDIA_ROOT = media_root


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# ---------------------------------------------------------------------------- data


def build_orgs():
    """A province → city → county → town → enterprise line and the enterprise union's user."""
    from changai.accounts.models import Membership, User
    from changai.accounts.roles import Role
    from changai.orgs.models import Kind, Org

    province = Org.objects.add_root({"name": "江苏省", "code": "320000", "kind": Kind.PROVINCE})
    city = Org.objects.add_child(province, {"name": "无锡市", "code": "320200", "kind": Kind.CITY})
    county = Org.objects.add_child(city, {"name": "江阴市", "code": "320281", "kind": Kind.COUNTY})
    town = Org.objects.add_child(county, {"name": "祝塘镇", "code": "320281112", "kind": Kind.TOWN})
    enterprise = Org.objects.add_child(town, {"name": "江阴基准重工集团有限公司", "kind": Kind.ENTERPRISE})
    user = User.objects.create_user(username="bench_qiye", password="bench-Pass-2026", full_name="基准企业工会")
    Membership.objects.create(user=user, org=enterprise, role=Role.ENTERPRISE_UNION)
    return enterprise, user


def people(count: int, rng: random.Random):
    """Distinct valid identity numbers with a name, phone and the other cells of a ledger row."""
    from changai.workers.idgen import JIANGSU_REGIONS, make_id_number
    from changai.workers.models import Occupation

    occupations = list(Occupation.objects.values_list("name", flat=True))
    educations = ["初中", "高中", "中专", "技校", "大专", "本科", "硕士研究生"]
    politics = ["群众", "群众", "群众", "中共党员", "共青团员"]
    sequences = ["技能序列", "技能序列", "技能序列", "技术序列", "管理序列"]
    seen = set()
    start = date(1965, 1, 1)
    while len(seen) < count:
        number = make_id_number(
            rng.choice(JIANGSU_REGIONS), start + timedelta(days=rng.randrange(14600)), rng.randrange(1000)
        )
        if number in seen:
            continue
        seen.add(number)
        yield [
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            number,
            f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            rng.choice(educations),
            rng.choice(politics),
            rng.choice(occupations),
            "是" if rng.random() < 0.8 else "否",
            date(2000, 1, 1) + timedelta(days=rng.randrange(8800)),
            rng.choice(sequences),
            f"{rng.randint(1, 8)}级",
        ]


def write_sheet(path: Path, rows: list[list]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("职工花名册")
    sheet.append(["江阴基准重工集团有限公司职工花名册"])
    sheet.append(HEADER)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    workbook.save(path)


def seed_existing(enterprise, rows: list[list]) -> None:
    """Put these people on the ledger already, through the same bulk writer (not timed)."""
    from changai.workers import bulk
    from changai.workers.cleaning import id_facts

    records = []
    hashes = bulk.hash_all(row[1] for row in rows)
    for (name, number, phone, *_), key in zip(rows, hashes, strict=True):
        gender, born = id_facts(number)
        records.append(
            {
                "name": name,
                "number": number,
                "phone": phone,
                "id_hash": key,
                "gender": gender,
                "birth_date": born,
                "education": "",
                "political_status": "",
                "enterprise_id": enterprise.pk,
                "occupation_id": None,
                "frontline": True,
                "hired_on": None,
                "sequence": "skills",
                "grade": "",
            }
        )
    bulk.insert_workers(records)


# ---------------------------------------------------------------------------- measuring


class Timings:
    def __init__(self):
        self.spent: dict[str, float] = {}

    @contextmanager
    def measure(self, label: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.spent[label] = self.spent.get(label, 0.0) + time.perf_counter() - start

    def wrap(self, owner, name: str, label: str) -> None:
        """Time every call of owner.name (the function runs unchanged)."""
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            with self.measure(label):
                return original(*args, **kwargs)

        setattr(owner, name, timed)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def instrument(timings: Timings) -> None:
    """Break the job's time down into reading, validating (with prepare) and writing."""
    from changai.core import import_services
    from changai.workers import bulk, importers

    timings.wrap(import_services, "read_sheet", "read sheet (python-calamine)")
    timings.wrap(import_services, "validate", "validate (cells, duplicates, rows)")
    timings.wrap(importers.WorkerImporter, "prepare", "  of which prepare (ids, hashes, look-ups)")
    timings.wrap(importers.WorkerImporter, "write", "write (encrypt, COPY, updates)")
    timings.wrap(bulk, "_copy_workers", "  of which new workers: COPY (encrypting) + employments")
    timings.wrap(importers.WorkerImporter, "_update", "  of which update existing workers")


def bare_copy(rows: list[list], enterprise) -> float:
    """Seconds to COPY the rows, already encrypted and hashed, into workers_worker and commit; then empty it."""
    from django.db import connection, transaction
    from django.utils import timezone

    from changai.workers import bulk, pii
    from changai.workers.cleaning import id_facts
    from changai.workers.models import Worker

    started, stamp = time.time(), timezone.now()
    prepared = []
    for pk, (name, number, phone, *rest) in enumerate(rows, start=1):
        gender, born = id_facts(number)
        prepared.append(
            (pk, name, pii.keyed_hash(number), pii.encrypt(number), pii.mask_id_number(number), gender, born)
            + (pii.encrypt(phone), pii.mask_phone(phone), "bachelor", "masses", enterprise.pk, None, True)
            + (rest[4], "skills", rest[6], stamp, stamp)
        )
    print(f"prepared {len(prepared):,} encrypted rows for the bare COPY in {time.time() - started:.1f} s (not timed)")
    start = time.perf_counter()
    with transaction.atomic():
        bulk.copy_rows(Worker._meta.db_table, bulk.WORKER_FIELDS, prepared)
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE workers_employment, workers_worker RESTART IDENTITY CASCADE")
    return elapsed


def run_import(args) -> dict:
    """The web import's own path: upload (read + validate, the preview), then commit (the job that writes)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from changai.accounts.models import User
    from changai.core import import_services
    from changai.core.models import ImportBatch
    from changai.workers.models import Employment, Worker

    user = User.objects.get(username="bench_qiye")
    timings = Timings()
    instrument(timings)
    data = args.sheet.read_bytes()
    start = time.perf_counter()
    batch = import_services.upload(user, "workers.workers", SimpleUploadedFile(args.sheet.name, data))
    validate_seconds = time.perf_counter() - start
    if batch.status != ImportBatch.Status.READY:
        return {"error": f"validation: {batch.status} {batch.errors[:5]}"}
    preview = dict(timings.spent)
    timings.spent.clear()
    start = time.perf_counter()
    batch = import_services.commit(user, batch)
    commit_seconds = time.perf_counter() - start
    if batch.status != ImportBatch.Status.COMMITTED:
        return {"error": f"commit: {batch.status} {batch.errors[:5]}"}
    return {
        "validate_seconds": validate_seconds,
        "preview": preview,
        "commit_seconds": commit_seconds,
        "commit": dict(timings.spent),
        "counts": batch.counts,
        "workers": Worker.objects.count(),
        "employments": Employment.objects.count(),
        "peak_mb": peak_rss_mb(),
    }


# ---------------------------------------------------------------------------- main


def import_phase(args) -> int:
    """Run in a fresh process, so its peak memory is the import's own."""
    setup_django(tempfile.mkdtemp(prefix="changai-bench-media-"))
    print("RESULT " + json.dumps(run_import(args), ensure_ascii=False))
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    db = bench_database()
    if args.phase == "import":
        return import_phase(args)
    setup_django(tempfile.mkdtemp(prefix="changai-bench-media-"))
    maintenance(db, "DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    maintenance(db, "CREATE DATABASE {name}")
    started = time.time()
    migrate()
    print(f"migrated {db['dbname']} in {time.time() - started:.1f} s")
    rng = random.Random(args.seed)
    enterprise, _user = build_orgs()

    started = time.time()
    rows = list(people(args.rows, rng))
    sheet = args.sheet or Path(tempfile.gettempdir()) / f"changai_workers_{args.rows}.xlsx"
    if not (args.sheet and sheet.exists()):
        write_sheet(sheet, rows)
    print(
        f"sheet: {args.rows:,} rows, {sheet.stat().st_size / 1024 / 1024:.1f} MB ({sheet}),"
        f" {time.time() - started:.1f} s"
    )

    copy_seconds = bare_copy(rows, enterprise)
    copy_rate = len(rows) / copy_seconds
    print(f"bare COPY of {len(rows):,} rows into workers_worker: {copy_seconds:.1f} s, {copy_rate:,.0f} rows/s")
    existing = rng.sample(rows, int(len(rows) * args.existing))
    seed_existing(enterprise, existing)
    print(f"{len(existing):,} people of the sheet put on the ledger beforehand")
    del rows, existing
    from django.db import connections

    connections.close_all()

    command = [sys.executable, __file__, "--phase", "import", "--rows", str(args.rows), "--sheet", str(sheet)]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in finished.stdout.splitlines() if line.startswith("RESULT ")]
    if finished.returncode or not lines:
        print(finished.stdout[-3000:], finished.stderr[-3000:])
        return 1
    result = json.loads(lines[-1][len("RESULT ") :])
    if "error" in result:
        print(result["error"])
        return 1
    rate = args.rows / result["commit_seconds"]
    ratio = rate / copy_rate

    print()
    print(f"upload + validate (the preview): {result['validate_seconds']:.1f} s")
    for label, seconds in result["preview"].items():
        print(f"  {label:<45} {seconds:7.1f} s")
    print(f"commit (read, validate, de-duplicate, encrypt, write): {result['commit_seconds']:.1f} s")
    for label, seconds in result["commit"].items():
        print(f"  {label:<45} {seconds:7.1f} s")
    top = sum(seconds for label, seconds in result["commit"].items() if not label.startswith(" "))
    print(f"  {'other (COMMIT with its deferred FK checks, bookkeeping)':<45} {result['commit_seconds'] - top:7.1f} s")
    print(f"counts {result['counts']}; workers {result['workers']:,}; employments {result['employments']:,}")
    print()
    print("| measure | figure | target |")
    print("|---|---|---|")
    print(f"| bare COPY into workers_worker | {copy_rate:,.0f} rows/s ({copy_seconds:.1f} s) | — |")
    print(f"| import commit, end to end | {rate:,.0f} rows/s ({result['commit_seconds']:.1f} s) | — |")
    mark = "✓" if ratio >= TARGET_RATIO else "✗"
    print(f"| import ÷ bare COPY | {ratio:.1%} | ≥ {TARGET_RATIO:.0%} {mark} |")
    print(f"| peak memory of the import process | {result['peak_mb']:,.0f} MB | — |")

    if not args.keep:
        maintenance(db, "DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    if not args.sheet:
        sheet.unlink(missing_ok=True)
    return 0 if ratio >= TARGET_RATIO else 2


if __name__ == "__main__":
    sys.exit(main())

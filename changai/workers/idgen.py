"""Valid, made-up identity numbers for demo data, tests and benchmarks (never real people's numbers)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from stdnum.cn import ric

# Division codes of Jiangsu counties that exist in GB/T 2260 (a few per city of the demo tree).
JIANGSU_REGIONS = (
    "320102", "320106", "320111", "320115", "320205", "320211", "320281", "320282", "320303", "320382",
    "320412", "320481", "320506", "320581", "320582", "320583", "320585", "320612", "320681", "320703",
    "320803", "320902", "320981", "321002", "321084", "321102", "321181", "321202", "321282", "321302",
)  # fmt: skip


def make_id_number(region: str, born: date, sequence: int) -> str:
    """The 18-character number of the `sequence`-th person (0..999) born on `born` in `region`."""
    body = f"{region}{born:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def random_id_number(rng: random.Random, *, male: bool | None = None, oldest=1965, youngest=2004) -> str:
    born = date(oldest, 1, 1) + timedelta(days=rng.randrange((date(youngest, 12, 31) - date(oldest, 1, 1)).days))
    sequence = rng.randrange(1000)
    if male is not None and sequence % 2 != int(male):
        sequence = (sequence + 1) % 1000
    return make_id_number(rng.choice(JIANGSU_REGIONS), born, sequence)


def random_mobile(rng: random.Random) -> str:
    return rng.choice(("139", "138", "137", "136", "135", "158", "159", "188", "189", "177")) + (
        f"{rng.randrange(10**8):08d}"
    )

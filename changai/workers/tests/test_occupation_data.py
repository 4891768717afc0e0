"""The shipped occupation list must match the official classification (checked when the reference file is there)."""

import csv
from pathlib import Path

import pytest

from changai.workers.models import Occupation

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "occupations_manufacturing.csv"
REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "data" / "occupations.csv"


def _rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_shipped_list_is_in_the_reference_format_and_sized_for_manufacturing():
    rows = _rows(SHIPPED)
    assert set(rows[0]) == {"code", "name", "level", "parent_code"}
    occupations = [row for row in rows if row["level"] == "occupation"]
    assert 60 <= len(occupations) <= 120
    assert len({row["code"] for row in rows}) == len(rows)


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/data/occupations.csv is not present")
def test_every_code_and_name_matches_the_official_classification():
    official = {row["code"]: row for row in _rows(REFERENCE)}
    for row in _rows(SHIPPED):
        assert row["code"] in official, row
        assert (row["name"], row["level"], row["parent_code"]) == (
            official[row["code"]]["name"],
            official[row["code"]]["level"],
            official[row["code"]]["parent_code"],
        ), row


def test_the_list_is_loaded_by_the_migration(db):
    occupations = [row for row in _rows(SHIPPED) if row["level"] == "occupation"]
    assert Occupation.objects.count() >= len(occupations)
    assert Occupation.objects.get(code="6-18-01-01").category == "机械制造基础加工人员"

"""Load the curated list of common manufacturing occupations (changai/workers/data/occupations_manufacturing.csv).

Only the occupations (细类) become Occupation rows; their middle group's name is the category. The full
national catalogue can be imported later through the occupation importer (same file format).
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "occupations_manufacturing.csv"


def load(apps, schema_editor):
    Occupation = apps.get_model("workers", "Occupation")
    with DATA.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    groups = {row["code"]: row["name"] for row in rows if row["level"] in ("major", "middle")}
    for row in rows:
        if row["level"] != "occupation":
            continue
        middle = "-".join(row["code"].split("-")[:2])
        category = groups.get(middle) or groups.get(row["code"].split("-")[0], "")
        Occupation.objects.update_or_create(code=row["code"], defaults={"name": row["name"], "category": category})


class Migration(migrations.Migration):
    dependencies = [("workers", "0002_employment_ending_and_full_number_permission")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

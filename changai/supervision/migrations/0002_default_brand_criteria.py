"""Seed the "看得见" brand standard: 4 can be seen, 2 gains, 6 felt, one point each."""

from django.db import migrations

DEFAULT_CRITERIA = [
    ("seen", "有载体"),
    ("seen", "有典型人物"),
    ("seen", "有工作成效"),
    ("seen", "有活动阵地"),
    ("gains", "企业有收益"),
    ("gains", "职工有收获"),
    ("felt", "见人物"),
    ("felt", "见事迹"),
    ("felt", "见党性"),
    ("felt", "见劳动精神"),
    ("felt", "见劳模精神"),
    ("felt", "见工匠精神"),
]


def seed(apps, schema_editor):
    BrandCriterion = apps.get_model("supervision", "BrandCriterion")
    if BrandCriterion.objects.exists():
        return
    BrandCriterion.objects.bulk_create(
        BrandCriterion(group=group, name=name, points=1, sort=n * 10, is_active=True)
        for n, (group, name) in enumerate(DEFAULT_CRITERIA, start=1)
    )


def unseed(apps, schema_editor):
    BrandCriterion = apps.get_model("supervision", "BrandCriterion")
    BrandCriterion.objects.filter(name__in=[name for _, name in DEFAULT_CRITERIA]).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

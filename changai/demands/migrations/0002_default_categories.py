from django.db import migrations

CATEGORIES = [
    ("skills_rating", "技能评价", "quality", 10),
    ("pay", "工资待遇与津贴", "rights", 20),
    ("training", "培训", "quality", 30),
    ("titles", "职称评审与贯通", "quality", 40),
    ("rights", "劳动权益", "rights", 50),
    ("services", "服务保障", "rights", 60),
    ("other", "其他", "institutional", 90),
]


def seed(apps, schema_editor):
    Category = apps.get_model("demands", "Category")
    for code, name, pillar, sort in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "pillar": pillar, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("demands", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

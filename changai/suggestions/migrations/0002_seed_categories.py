from django.db import migrations

CATEGORIES = [
    ("skills", "技能提升"),
    ("pay", "工资待遇"),
    ("safety", "安全生产"),
    ("innovation", "技术革新"),
    ("democracy", "民主管理"),
    ("services", "服务保障"),
    ("other", "其他"),
]


def seed(apps, schema_editor):
    SuggestionCategory = apps.get_model("suggestions", "SuggestionCategory")
    for sort, (code, name) in enumerate(CATEGORIES, start=1):
        SuggestionCategory.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

from django.db import migrations

TYPES = [
    ("party_led", "党建引领型", "以党建带工建，推动思想政治引领进车间、进班组。"),
    ("empowerment", "赋能成长型", "技能评价、培训、竞赛、创新和职业发展通道建设。"),
    ("rights", "权益维护型", "集体协商、劳动关系预警、维权服务和职工关爱。"),
]


def seed(apps, schema_editor):
    PilotType = apps.get_model("pilots", "PilotType")
    for sort, (code, name, description) in enumerate(TYPES, start=1):
        PilotType.objects.get_or_create(code=code, defaults={"name": name, "description": description, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("pilots", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

import random

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from changai.accounts.demo import DEMO_PASSWORD, demo_admin, load_demo_users
from changai.allowances.demo import load_demo_allowances
from changai.bulletins.demo import load_demo_bulletins
from changai.careers.demo import load_demo_careers
from changai.certificates.demo import load_demo_certificates
from changai.demands.demo import load_demo_demands
from changai.indicators.demo import load_demo_figures
from changai.narratives.demo import load_demo_narratives
from changai.orgs.demo import import_demo_towns, load_demo_orgs
from changai.orgs.services import load_divisions
from changai.pilots.demo import load_demo_pilots
from changai.policies.demo import load_demo_policies
from changai.suggestions.demo import load_demo_suggestions
from changai.training.demo import load_demo_training
from changai.workers.demo import load_demo_workers
from changai.worklists.demo import load_demo_plans


class Command(BaseCommand):
    help = "Load the demo organisations and users (idempotent)."

    def handle(self, *args, **options):
        with override_settings(CELERY_TASK_ALWAYS_EAGER=True), transaction.atomic():
            load_divisions()
            counts = import_demo_towns(demo_admin())
            load_demo_orgs(random.Random(2026))
            users = load_demo_users()
            load_demo_pilots(random.Random(2026))
            load_demo_policies(random.Random(2026))
            load_demo_suggestions(random.Random(2026))
            load_demo_plans()
            load_demo_demands()
            load_demo_workers(random.Random(2026))
            load_demo_certificates(random.Random(2026))
            load_demo_allowances()
            load_demo_training(random.Random(2026))
            load_demo_careers(random.Random(2026))
            call_command("seed_catalogue", stdout=self.stdout)
            figures = load_demo_figures(random.Random(2026))
            load_demo_bulletins()
            load_demo_narratives()
        if figures:
            self.stdout.write(f"演示填报数据：{figures} 个数值，已汇总。")
        self.stdout.write(
            f"乡镇/街道（通过区划导入）：新建 {counts.get('created', 0)}，已存在 {counts.get('unchanged', 0)}"
        )
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪。演示账号（密码均为 {DEMO_PASSWORD}）："))
        for username, role, org in users:
            self.stdout.write(f"  {username:<10} {role:<12} {org}")

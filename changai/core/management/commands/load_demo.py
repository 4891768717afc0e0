import random

from django.core.management.base import BaseCommand
from django.db import transaction

from changai.accounts.demo import DEMO_PASSWORD, load_demo_users
from changai.orgs.demo import load_demo_orgs


class Command(BaseCommand):
    help = "Load the demo organisations and users (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            load_demo_orgs(random.Random(2026))
            users = load_demo_users()
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪。演示账号（密码均为 {DEMO_PASSWORD}）："))
        for username, role, org in users:
            self.stdout.write(f"  {username:<10} {role:<12} {org}")

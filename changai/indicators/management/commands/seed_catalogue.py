from django.core.management.base import BaseCommand

from changai.indicators.catalogue import ensure_catalogue


class Command(BaseCommand):
    help = "Create the seed indicators and default data sets that are missing (never overwrites edits)."

    def handle(self, *args, **options):
        counts = ensure_catalogue()
        self.stdout.write(self.style.SUCCESS(f"指标目录已就绪：{counts}"))

from django.core.management.base import BaseCommand

from changai.indicators.jobs import schedule_full_refresh


class Command(BaseCommand):
    help = "Rebuild the whole rollup table as a job (approvals refresh it incrementally; run this nightly as a check)."

    def handle(self, *args, **options):
        job = schedule_full_refresh()
        self.stdout.write(self.style.SUCCESS(f"已提交全量汇总任务 #{job.pk}：{job.get_status_display()}"))

from django.core.management.base import BaseCommand

from changai.worklists.jobs import schedule_supervision


class Command(BaseCommand):
    help = "Daily supervision round: refresh status lights, issue notices for red items, chase up and circulate."

    def handle(self, *args, **options):
        job = schedule_supervision()
        self.stdout.write(self.style.SUCCESS(f"督办巡查任务 #{job.pk}：{job.get_status_display()} {job.result}"))

"""A pilot project's progress follows the work-plan item it is tracked by."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from changai.worklists.models import PlanItem

from .models import PilotProject

_STATUS = {
    PlanItem.Status.DONE: PilotProject.Status.DONE,
    PlanItem.Status.CANCELLED: PilotProject.Status.STOPPED,
}


@receiver(post_save, sender=PlanItem)
def follow_tracked_item(sender, instance: PlanItem, **kwargs):
    projects = PilotProject.objects.filter(plan_item=instance)
    status = _STATUS.get(instance.status) or (
        PilotProject.Status.IN_PROGRESS if instance.progress else PilotProject.Status.NOT_STARTED
    )
    projects.exclude(progress=instance.progress, status=status).update(progress=instance.progress, status=status)

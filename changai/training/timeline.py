"""The training app's entries on a worker's talent timeline: classes completed or attended, study and diplomas."""

from django.urls import reverse

from changai.workers.timeline import TimelineEntry


def enrolment_entries(worker) -> list:
    entries = []
    enrolments = worker.training_enrolments.select_related("training_class__course", "training_class__organiser")
    for enrolment in enrolments:
        training_class = enrolment.training_class
        url = reverse("training:class_detail", kwargs={"trainingclass_pk": training_class.pk})
        if enrolment.completed:
            text = f"完成培训“{training_class.title}”，参训{enrolment.attended_hours}学时"
            entries.append(TimelineEntry(enrolment.completed_on, "培训结业", text, training_class.organiser, url))
        else:
            text = f"报名参加培训“{training_class.title}”（{training_class.course.get_mode_display()}）"
            entries.append(TimelineEntry(enrolment.enrolled_on, "参加培训", text, training_class.organiser, url))
    return entries


def upgrade_entries(worker) -> list:
    entries = []
    for upgrade in worker.education_upgrades.select_related("enterprise").prefetch_related("payments"):
        url = reverse("training:upgrade_detail", kwargs={"educationupgrade_pk": upgrade.pk})
        study = f"{upgrade.school}{upgrade.programme}专业（{upgrade.get_level_display()}）"
        entries.append(TimelineEntry(upgrade.started_on, "求学圆梦", f"入学{study}", upgrade.enterprise, url))
        if upgrade.graduated_on:
            entries.append(TimelineEntry(upgrade.graduated_on, "学历提升", f"毕业于{study}", upgrade.enterprise, url))
        if upgrade.withdrawn_on:
            entries.append(TimelineEntry(upgrade.withdrawn_on, "求学圆梦", f"退学：{study}", upgrade.enterprise, url))
        for payment in upgrade.payments.all():
            text = f"获得助学金{payment.amount}元"
            entries.append(TimelineEntry(payment.paid_on, "助学金", text, upgrade.enterprise, url))
    return entries

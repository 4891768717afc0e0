"""The careers app's entries on a worker's talent timeline: moves between posts and title-bridge outcomes."""

from django.urls import reverse

from changai.workers.timeline import TimelineEntry


def move_entries(worker) -> list:
    url = f"{reverse('careers:moves')}?worker={worker.pk}"
    entries = []
    for move in worker.moves.select_related("enterprise"):
        kind = "晋升管理岗位" if move.frontline_promotion else move.get_kind_display()
        text = f"{move.from_label} → {move.to_label}（{move.approving_body}批准）"
        entries.append(TimelineEntry(move.effective_on, kind, text, move.enterprise, url))
    return entries


def bridge_entries(worker) -> list:
    url = reverse("careers:applications")
    entries = []
    for application in worker.title_applications.select_related("enterprise"):
        rank = application.get_target_rank_display()
        text = f"申报{rank}（{application.body}）"
        entries.append(TimelineEntry(application.submitted_on, "贯通评审", text, application.enterprise, url))
        if application.decided_on:
            outcome = "通过，取得" if application.status == application.Status.PASSED else "未通过："
            text = f"贯通评审{outcome}{rank}"
            entries.append(TimelineEntry(application.decided_on, "贯通评审", text, application.enterprise, url))
    return entries

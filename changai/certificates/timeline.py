"""The certificates app's entries on a worker's talent timeline: certificates obtained or revoked, titles."""

from django.urls import reverse

from changai.workers.timeline import TimelineEntry

from .models import level_name


def certificate_entries(worker) -> list[TimelineEntry]:
    entries = []
    certificates = worker.certificates.select_related("occupation", "employer", "rating_enterprise")
    for c in certificates:
        url = reverse("certificates:detail", kwargs={"certificate_pk": c.pk})
        text = f"取得{c.occupation.name}{level_name(c.level)}证书（{c.get_route_display()}，编号{c.number}）"
        entries.append(TimelineEntry(c.issued_on, "取得证书", text, c.rating_enterprise or c.employer, url))
        if c.revoked and c.revoked_on:
            reason = f"：{c.revoke_reason}" if c.revoke_reason else ""
            text = f"{c.occupation.name}{level_name(c.level)}证书（编号{c.number}）撤销{reason}"
            entries.append(TimelineEntry(c.revoked_on, "证书撤销", text, c.employer, url))
    return entries


def title_entries(worker) -> list[TimelineEntry]:
    entries = []
    for title in worker.titles.all():
        bridge = "（经技能人才贯通评审）" if title.via_title_bridge else ""
        specialty = f"{title.specialty}专业" if title.specialty else ""
        text = f"取得{specialty}{title.get_rank_display()}职称{bridge}"
        entries.append(TimelineEntry(title.awarded_on, "取得职称", text, None, None))
    return entries

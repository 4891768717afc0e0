"""One-off rewards on a worker's talent timeline (workers.timeline merges the sources of every app)."""

from __future__ import annotations

from django.urls import reverse


def reward_entries(worker) -> list:
    from changai.workers.timeline import TimelineEntry

    from .models import RewardPayment

    entries = []
    payments = RewardPayment.objects.filter(worker=worker).select_related("enterprise", "roster")
    for payment in payments.order_by("reached_on", "pk"):
        day = payment.reached_on or payment.roster.approved_at.date()
        entries.append(
            TimelineEntry(
                day=day,
                kind="晋级奖励",
                text=f"新取得{payment.get_level_display()}，获一次性奖励{payment.amount:,.0f}元"
                f"（{payment.roster.month_label}技能津贴花名册）",
                org=payment.enterprise,
                url=reverse("allowances:roster_detail", kwargs={"roster_pk": payment.roster_id}),
            )
        )
    return entries


def register_timeline() -> None:
    from changai.workers import timeline

    timeline.register(reward_entries)

"""Supervision records at a secret org, for the URL walk of changai/tests/test_authorization.py."""

from datetime import date

from changai.supervision.models import (
    Brand,
    BrandCriterion,
    BrandEvaluation,
    Decision,
    Finding,
    Meeting,
    Rectification,
    SampledItem,
    SpotCheck,
)
from changai.worklists.models import Plan, PlanItem


def supervision_secrets(org, name: str) -> tuple[dict, list]:
    plan = Plan.objects.create(org=org, year=2026, title=f"{name}督查计划")
    item = PlanItem.objects.create(
        plan=plan,
        number="1",
        title=f"{name}品牌任务",
        pillar="quality",
        lead_unit=org,
        target="目标",
        starts_on=date(2026, 1, 1),
        deadline=date(2026, 12, 31),
    )
    spot_check = SpotCheck.objects.create(plan=plan, period="2026Q2", sample_pct=100, seed=7, population=[item.pk])
    SampledItem.objects.create(spot_check=spot_check, item=item, position=1)
    finding = Finding.objects.create(spot_check=spot_check, item=item, text=f"{name}问题")
    rectification = Rectification.objects.create(
        finding=finding, task=f"{name}整改", unit=org, deadline=date(2026, 9, 30)
    )
    brand = Brand.objects.create(item=item, name=f"{name}品牌")
    BrandEvaluation.objects.create(brand=brand, date=date(2026, 6, 1), total=9, max_total=12)
    criterion = BrandCriterion.objects.order_by("pk").first()
    meeting = Meeting.objects.create(org=org, title=f"{name}联席会议", date=date(2026, 3, 1), minutes=f"{name}纪要")
    meeting.attendees.set([org])
    decision = Decision.objects.create(meeting=meeting, text=f"{name}议定事项", lead_unit=org)
    decision.items.set([item])
    values = {
        "spotcheck_pk": spot_check.pk,
        "finding_pk": finding.pk,
        "rectification_pk": rectification.pk,
        "brand_pk": brand.pk,
        "criterion_pk": criterion.pk,
        "meeting_pk": meeting.pk,
        "decision_pk": decision.pk,
    }
    return values, [spot_check, brand, meeting]

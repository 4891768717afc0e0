"""Quarterly spot checks with findings and rectifications, brands and their evaluation, joint meetings whose
decisions become tasks. Every action writes a row on the item's timeline (worklists.ItemEvent)."""

from __future__ import annotations

import random
import secrets
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from changai.accounts.models import Membership, User
from changai.accounts.scope import scope_for
from changai.core.models import Notification
from changai.core.periods import QUARTER, InvalidPeriod, Period
from changai.indicators.models import Pillar
from changai.orgs.models import Org
from changai.worklists import services as worklists
from changai.worklists.models import ItemEvent, Plan, PlanItem

from .models import (
    Brand,
    BrandCriterion,
    BrandEvaluation,
    BrandScore,
    Decision,
    Finding,
    Meeting,
    Rectification,
    SampledItem,
    SpotCheck,
)
from .permissions import (
    can_complete_rectification,
    can_convene,
    can_draw_sample,
    can_evaluate,
    can_manage_criteria,
    can_manage_meeting,
    can_order_rectification,
    can_promote,
    can_record_finding,
)

DEFAULT_SAMPLE_PCT = 20
SEED_LIMIT = 2**31
SCORE_STEP = Decimal("0.1")


def today() -> date:
    # The work plans' clock, so one patch moves every date the supervision rules judge on.
    return worklists.today()


def current_quarter() -> str:
    return Period.containing(today(), QUARTER).code


# ---------------------------------------------------------------------------- spot checks


def sample_size(population: int, pct: int) -> int:
    """ceil(pct% of the population), in integers so 10% of 30 is exactly 3."""
    return (population * pct + 99) // 100


def pick(population: list[int], pct: int, seed: int) -> list[int]:
    """The sampled pks, in draw order: the same population, percentage and seed always give the same list."""
    ordered = sorted(population)
    return random.Random(seed).sample(ordered, sample_size(len(ordered), pct))


def _quarter(code: str, plan: Plan) -> Period:
    try:
        period = Period.parse(code or "")
    except InvalidPeriod:
        period = None
    if period is None or period.type != QUARTER:
        raise ValidationError({"period": "请按“2026Q2”的格式填写抽查季度。"})
    if period.year != plan.year:
        raise ValidationError({"period": f"抽查季度应在计划年度（{plan.year}年）内。"})
    return period


@transaction.atomic
def draw_sample(user, plan: Plan, period: str, pct: int, checker, seed: int | None = None) -> SpotCheck:
    """Draw a quarter's sample of the plan's active items with a recorded seed (generated when not given)."""
    if not can_draw_sample(user, plan):
        raise PermissionDenied("您无权抽查该工作计划。")
    quarter = _quarter(period, plan)
    if isinstance(pct, bool) or not isinstance(pct, int) or not 1 <= pct <= 100:
        raise ValidationError({"sample_pct": "抽取比例应为1到100之间的整数。"})
    if seed is None:
        seed = secrets.randbelow(SEED_LIMIT)
    elif isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise ValidationError({"seed": "随机种子应为非负整数。"})
    if checker is None or not User.objects.visible_to(user).filter(pk=checker.pk).exists():
        raise ValidationError({"checker": "请选择管辖范围内的检查人。"})
    if SpotCheck.objects.filter(plan=plan, period=quarter.code).exists():
        raise ValidationError({"period": f"该计划{quarter.label}已抽查，同一季度不能重复抽取。"})
    population = list(plan.items.filter(status=PlanItem.Status.ACTIVE).order_by("pk").values_list("pk", flat=True))
    if not population:
        raise ValidationError("该计划没有推进中的任务，无法抽查。")
    picked = pick(population, pct, seed)
    spot_check = SpotCheck.objects.create(
        plan=plan,
        period=quarter.code,
        sample_pct=pct,
        seed=seed,
        population=population,
        checker=checker,
        created_by=user,
    )
    SampledItem.objects.bulk_create(
        SampledItem(spot_check=spot_check, item_id=pk, position=n) for n, pk in enumerate(picked, start=1)
    )
    text = f"列入{quarter.label}季抽查（{len(population)}项中抽取{len(picked)}项，比例{pct}%），检查人：{checker}"
    ItemEvent.objects.bulk_create(ItemEvent(item_id=pk, kind="spotcheck", text=text[:300], actor=user) for pk in picked)
    return spot_check


def reproduce_sample(spot_check: SpotCheck) -> list[PlanItem]:
    """Draw again from the recorded population with the recorded seed: the same items, in the same order."""
    picked = pick(spot_check.population, spot_check.sample_pct, spot_check.seed)
    items = PlanItem.objects.in_bulk(picked)
    return [items[pk] for pk in picked if pk in items]


@transaction.atomic
def record_finding(user, spot_check: SpotCheck, item: PlanItem, text: str, severity: str = "general") -> Finding:
    if not can_record_finding(user, spot_check):
        raise PermissionDenied("您无权记录该抽查的问题。")
    if not spot_check.sample_rows.filter(item=item).exists():
        raise ValidationError({"item": "只能对本次抽中的任务记录问题。"})
    if severity not in Finding.Severity.values:
        raise ValidationError({"severity": "请选择问题的严重程度。"})
    if not (text or "").strip():
        raise ValidationError({"text": "请填写发现的问题。"})
    finding = Finding.objects.create(
        spot_check=spot_check, item=item, text=text.strip(), severity=severity, recorded_by=user
    )
    label = Finding.Severity(severity).label
    _event(item, "spotcheck", f"{spot_check.period}季抽查发现问题（{label}）：{finding.text}", user)
    return finding


def _allowed_unit(user, item: PlanItem, unit: Org) -> bool:
    if unit.pk == item.lead_unit_id or item.supporting_units.filter(pk=unit.pk).exists():
        return True
    return scope_for(user).contains(unit)


@transaction.atomic
def order_rectification(user, finding: Finding, *, task: str, unit: Org, deadline: date) -> Rectification:
    """Order a responsible unit to rectify a finding by a deadline, and tell its members."""
    if not can_order_rectification(user, finding.spot_check):
        raise PermissionDenied("您无权对该问题下达整改。")
    if not (task or "").strip():
        raise ValidationError({"task": "请填写整改任务。"})
    if unit is None or not _allowed_unit(user, finding.item, unit):
        raise ValidationError({"unit": "责任单位应为该任务的牵头单位、配合单位或您管辖范围内的单位。"})
    if deadline is None or deadline < today():
        raise ValidationError({"deadline": "整改时限不能早于今天。"})
    rectification = Rectification.objects.create(
        finding=finding, task=task.strip()[:300], unit=unit, deadline=deadline, ordered_by=user
    )
    _event(
        finding.item,
        "rectification",
        f"下达整改：{rectification.task}，责任单位{unit.name}，{deadline:%Y年%-m月%-d日}前完成",
        user,
    )
    _notify_unit(unit, f"整改通知：{finding.item.title}", f"{rectification.task}（{deadline:%Y年%-m月%-d日}前完成）")
    return rectification


@transaction.atomic
def complete_rectification(user, rectification: Rectification, note: str) -> Rectification:
    if not can_complete_rectification(user, rectification):
        raise PermissionDenied("只有责任单位或抽查单位可以报告整改完成。")
    if rectification.status == Rectification.Status.DONE:
        raise ValidationError("该整改已完成。")
    if not (note or "").strip():
        raise ValidationError({"note": "请填写整改情况。"})
    rectification.status = Rectification.Status.DONE
    rectification.note, rectification.done_at, rectification.done_by = note.strip(), timezone.now(), user
    rectification.save(update_fields=["status", "note", "done_at", "done_by"])
    late = "（逾期完成）" if today() > rectification.deadline else ""
    _event(
        rectification.finding.item,
        "rectification",
        f"{rectification.unit.name}完成整改{late}：{rectification.note}",
        user,
    )
    return rectification


def overdue_rectifications(queryset=None, on: date | None = None):
    """Open rectifications past their deadline."""
    queryset = Rectification.objects.all() if queryset is None else queryset
    return queryset.overdue(on or today())


# ---------------------------------------------------------------------------- brands


@transaction.atomic
def promote_to_brand(user, item: PlanItem, name: str) -> Brand:
    """Make a task a brand (one brand per task)."""
    if not PlanItem.objects.visible_to(user).filter(pk=item.pk).exists() or not can_promote(user, item):
        raise PermissionDenied("您无权将该任务升级为品牌。")
    if item.status == PlanItem.Status.CANCELLED:
        raise ValidationError("已取消的任务不能升级为品牌。")
    existing = Brand.objects.filter(item=item).first()
    if existing:
        raise ValidationError(f"该任务已升级为品牌“{existing.name}”，一个任务只能对应一个品牌。")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写品牌名称。"})
    if len(name) > 100:
        raise ValidationError({"name": "品牌名称不能超过100个字。"})
    brand = Brand.objects.create(item=item, name=name, promoted_by=user)
    _event(item, "brand", f"升级为品牌“{name}”", user)
    return brand


def _score(criterion: BrandCriterion, value) -> tuple[Decimal | None, str]:
    if value is None or value == "":
        return None, f"请为“{criterion.name}”打分。"
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation:
        return None, f"“{criterion.name}”的得分不是有效的数字。"
    if not score.is_finite() or not 0 <= score <= criterion.points:
        return None, f"“{criterion.name}”的得分应在0到{criterion.points}分之间。"
    if score != score.quantize(SCORE_STEP):
        return None, f"“{criterion.name}”的得分最多保留一位小数。"
    return score, ""


@transaction.atomic
def evaluate_brand(
    user, brand: Brand, scores: dict, comment: str = "", *, on: date | None = None, notes: dict | None = None
) -> BrandEvaluation:
    """Score a brand on every active criterion (0 to the criterion's points); the total is their sum."""
    if not Brand.objects.visible_to(user).filter(pk=brand.pk).exists() or not can_evaluate(user, brand):
        raise PermissionDenied("您无权评价该品牌。")
    criteria = list(BrandCriterion.objects.filter(is_active=True))
    if not criteria:
        raise ValidationError("尚未启用任何品牌评价标准，请先维护评价标准。")
    try:
        given = {int(key): value for key, value in scores.items()}
    except (TypeError, ValueError):
        raise ValidationError("评分数据有误。") from None
    known = {c.pk for c in criteria}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ValidationError(f"评价标准不存在或已停用：{'、'.join(map(str, unknown))}")
    errors, checked = {}, {}
    for criterion in criteria:
        score, error = _score(criterion, given.get(criterion.pk))
        if error:
            errors[f"score_{criterion.pk}"] = error
        else:
            checked[criterion.pk] = score
    if errors:
        raise ValidationError(errors)
    on = on or today()
    if on > today():
        raise ValidationError({"date": "评价日期不能晚于今天。"})
    notes = {int(k): v for k, v in (notes or {}).items()}
    evaluation = BrandEvaluation.objects.create(
        brand=brand,
        evaluator=user,
        date=on,
        comment=(comment or "").strip(),
        total=sum(checked.values(), Decimal(0)),
        max_total=sum((Decimal(c.points) for c in criteria), Decimal(0)),
    )
    BrandScore.objects.bulk_create(
        BrandScore(evaluation=evaluation, criterion=c, score=checked[c.pk], note=(notes.get(c.pk) or "")[:200])
        for c in criteria
    )
    _event(
        brand.item,
        "brand",
        f"品牌“{brand.name}”评价得分{fmt(evaluation.total)}分（满分{fmt(evaluation.max_total)}分）",
        user,
    )
    return evaluation


def fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value).normalize():f}"


def with_latest_score(brands):
    """Annotate each brand with its latest evaluation's total, maximum and date (one query)."""
    latest = BrandEvaluation.objects.filter(brand=OuterRef("pk")).order_by("-date", "-pk")
    return brands.annotate(
        latest_total=Subquery(latest.values("total")[:1]),
        latest_max=Subquery(latest.values("max_total")[:1]),
        latest_date=Subquery(latest.values("date")[:1]),
    )


def ranked(brands):
    """Brands by their latest score, best first; brands never evaluated last."""
    return with_latest_score(brands).order_by(F("latest_total").desc(nulls_last=True), "name", "pk")


@transaction.atomic
def save_criterion(user, criterion: BrandCriterion) -> BrandCriterion:
    if not can_manage_criteria(user):
        raise PermissionDenied("您无权维护品牌评价标准。")
    criterion.name = (criterion.name or "").strip()
    criterion.full_clean()
    criterion.save()
    return criterion


# ---------------------------------------------------------------------------- meetings


@transaction.atomic
def create_meeting(user, org: Org, *, kind: str, title: str, date: date, attendees=(), minutes: str = "") -> Meeting:
    if not can_convene(user, org):
        raise PermissionDenied("您无权为该单位登记会议。")
    if kind not in Meeting.Kind.values:
        raise ValidationError({"kind": "请选择会议类型。"})
    if not (title or "").strip():
        raise ValidationError({"title": "请填写会议名称。"})
    if date is None:
        raise ValidationError({"date": "请填写会议日期。"})
    attendee_ids = {a.pk for a in attendees}
    if attendee_ids and Org.objects.visible_to(user).filter(pk__in=attendee_ids).count() != len(attendee_ids):
        raise ValidationError({"attendees": "参会单位应在您的管辖范围内。"})
    meeting = Meeting.objects.create(
        org=org, kind=kind, title=title.strip(), date=date, minutes=(minutes or "").strip(), created_by=user
    )
    meeting.attendees.set(attendee_ids)
    return meeting


@transaction.atomic
def add_decision(user, meeting: Meeting, *, text: str, lead_unit: Org, deadline: date | None = None) -> Decision:
    if not can_manage_meeting(user, meeting):
        raise PermissionDenied("您无权修改该会议。")
    if not (text or "").strip():
        raise ValidationError({"text": "请填写议定事项。"})
    in_reach = lead_unit is not None and (
        scope_for(user).contains(lead_unit) or meeting.attendees.filter(pk=lead_unit.pk).exists()
    )
    if not in_reach:
        raise ValidationError({"lead_unit": "牵头单位应为参会单位或您管辖范围内的单位。"})
    if deadline and deadline < meeting.date:
        raise ValidationError({"deadline": "完成时限不能早于会议日期。"})
    return Decision.objects.create(
        meeting=meeting, text=text.strip(), lead_unit=lead_unit, deadline=deadline, created_by=user
    )


def next_number(plan: Plan) -> str:
    numbers = plan.items.filter(parent__isnull=True).values_list("number", flat=True)
    return str(max((int(n) for n in numbers if n.isdigit()), default=0) + 1)


@transaction.atomic
def decision_to_items(user, decision: Decision, plan: Plan, *, pillar: str = Pillar.INSTITUTIONAL) -> PlanItem:
    """Turn a meeting decision into a task of the plan (one click), linked back to the decision."""
    meeting = decision.meeting
    if not can_manage_meeting(user, meeting):
        raise PermissionDenied("您无权处理该会议的议定事项。")
    if decision.items.filter(plan=plan).exists():
        raise ValidationError("该议定事项已转为该计划的任务。")
    if meeting.date.year > plan.year:
        raise ValidationError({"plan": f"会议召开于{meeting.date.year}年，请选择该年度或以后年度的工作计划。"})
    if pillar not in Pillar.values:
        raise ValidationError({"pillar": "请选择所属板块。"})
    fields = {
        "number": next_number(plan),
        "title": decision.text.strip()[:200],
        "pillar": pillar,
        "lead_unit": decision.lead_unit,
        "target": f"落实{meeting.get_kind_display()}“{meeting.title}”议定事项"[:300],
        "starts_on": max(meeting.date, date(plan.year, 1, 1)),
        "evidence_required": "会议纪要及落实情况",
    }
    if decision.deadline:
        fields["deadline"] = decision.deadline
    item = worklists.add_item(user, plan, **fields)
    decision.items.add(item)
    _event(
        item,
        "meeting",
        f"由{meeting.get_kind_display()}“{meeting.title}”（{meeting.date:%Y年%-m月%-d日}）议定事项转为任务",
        user,
    )
    return item


# ---------------------------------------------------------------------------- helpers


def _event(item: PlanItem, kind: str, text: str, actor) -> None:
    ItemEvent.objects.create(item=item, kind=kind, text=text[:300], actor=actor)


def _notify_unit(unit: Org, title: str, body: str) -> None:
    link = reverse("supervision:rectification_list")
    members = Membership.objects.active().filter(org=unit).select_related("user")
    Notification.objects.bulk_create(
        Notification(user=m.user, title=title[:120], body=body, link=link) for m in members
    )

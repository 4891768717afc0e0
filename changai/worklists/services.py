"""Work plans on a cadence: items, checkpoints, progress, status lights, supervision and escalation."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from changai.accounts.models import Membership
from changai.accounts.scope import scope_for
from changai.core.models import Notification
from changai.core.periods import HALF_YEAR, MONTH, QUARTER, WEEK, YEAR, Period
from changai.core.workdays import add_working_days, working_days_between
from changai.orgs.models import Org

from .models import Checkpoint, CheckpointKind, ItemEvent, Light, Plan, PlanItem, Progress, SupervisionNotice

PERIOD_OF = {
    CheckpointKind.WEEKLY: WEEK,
    CheckpointKind.MONTHLY: MONTH,
    CheckpointKind.QUARTERLY: QUARTER,
    CheckpointKind.HALF_YEAR: HALF_YEAR,
    CheckpointKind.YEAR_END: YEAR,
}
DUE_SOON_WORKING_DAYS = 3
BEHIND_TOLERANCE = 15  # percentage points behind the expected progress before an item turns yellow


def today() -> date:
    """The date lights and deadlines are judged on (one place, so tests can move the clock)."""
    return timezone.localdate()


# ---------------------------------------------------------------------------- permissions


def _user_units(user) -> set[int]:
    return {m.org_id for m in user.active_memberships()}


def can_manage_plan(user, plan: Plan) -> bool:
    return user.has_perm("worklists.change_plan") and scope_for(user).contains(plan.org)


def is_responsible(user, item: PlanItem) -> bool:
    """A member of the item's lead or a supporting unit."""
    units = _user_units(user)
    return item.lead_unit_id in units or item.supporting_units.filter(pk__in=units).exists()


def can_report(user, item: PlanItem) -> bool:
    return user.has_perm("worklists.add_progress") and (is_responsible(user, item) or can_manage_plan(user, item.plan))


# ---------------------------------------------------------------------------- plans and items


@transaction.atomic
def create_plan(user, org: Org, *, year: int, title: str, kind: str = Plan.Kind.KEY_PROJECTS, cadence=(), **extra):
    if not (user.has_perm("worklists.add_plan") and scope_for(user).contains(org)):
        raise PermissionDenied("您无权为该单位制定工作计划。")
    unknown = set(cadence) - set(CheckpointKind.values)
    if unknown:
        raise ValidationError(f"未知的督查节点：{'、'.join(sorted(unknown))}")
    return Plan.objects.create(
        org=org, year=year, title=title, kind=kind, cadence=list(cadence), created_by=user, **extra
    )


def _check_item_fields(plan: Plan, fields: dict) -> None:
    starts_on, deadline = fields.get("starts_on"), fields.get("deadline")
    if starts_on and deadline and deadline < starts_on:
        raise ValidationError({"deadline": "完成时限不能早于开始日期。"})
    if not (fields.get("title") or "").strip():
        raise ValidationError({"title": "请填写任务内容。"})


@transaction.atomic
def add_item(user, plan: Plan, *, supporting_units=(), on: date | None = None, **fields) -> PlanItem:
    """Add a task to a plan and lay out its checkpoints on the plan's cadence (`on`: when, for back-filling)."""
    if not can_manage_plan(user, plan):
        raise PermissionDenied("您无权修改该工作计划。")
    return _create_item(plan, user, supporting_units, on, **fields)


def _create_item(plan: Plan, user, supporting_units, on, **fields) -> PlanItem:
    fields.setdefault("starts_on", date(plan.year, 1, 1))
    fields.setdefault("deadline", date(plan.year, 12, 31))
    _check_item_fields(plan, fields)
    if PlanItem.objects.filter(plan=plan, number=fields.get("number")).exists():
        raise ValidationError({"number": f"序号“{fields.get('number')}”在本计划中已存在。"})
    item = PlanItem.objects.create(plan=plan, **fields)
    item.supporting_units.set(supporting_units)
    generate_checkpoints(item)
    _event(item, "created", f"新建任务，牵头单位：{item.lead_unit.name}", user)
    refresh_light(item, on)
    return item


TRACKED_PLAN_TITLE = "试点项目清单"


@transaction.atomic
def track_on_cadence(office: Org, *, user=None, **fields) -> PlanItem:
    """Put another app's project (e.g. a pilot project) on the office's project plan of its year, so it runs
    through the same checkpoints, lights and supervision as any task. The caller has checked its own rights."""
    year = fields["starts_on"].year
    plan, _ = Plan.objects.get_or_create(
        org=office,
        year=year,
        title=TRACKED_PLAN_TITLE,
        defaults={
            "kind": Plan.Kind.KEY_PROJECTS,
            "cadence": [CheckpointKind.MONTHLY, CheckpointKind.HALF_YEAR, CheckpointKind.YEAR_END],
            "created_by": user,
        },
    )
    numbers = [int(n) for n in plan.items.values_list("number", flat=True) if n.isdigit()]
    return _create_item(plan, user, (), None, number=str(max(numbers, default=0) + 1), **fields)


def retrack(item: PlanItem, user=None, **fields) -> list[str]:
    """Change a tracked item on behalf of the app that owns the project (no plan permission needed)."""
    return _apply_changes(item, user, None, fields)


@transaction.atomic
def update_item(user, item: PlanItem, *, supporting_units=None, **fields) -> list[str]:
    """Change an item's fields, re-lay its checkpoints and refresh its light; the labels of what changed."""
    if not (user.has_perm("worklists.change_planitem") and can_manage_plan(user, item.plan)):
        raise PermissionDenied("您无权修改该工作计划。")
    return _apply_changes(item, user, supporting_units, fields)


def _apply_changes(item: PlanItem, user, supporting_units, fields) -> list[str]:
    starts_on, deadline = fields.get("starts_on", item.starts_on), fields.get("deadline", item.deadline)
    if deadline < starts_on:
        raise ValidationError({"deadline": "完成时限不能早于开始日期。"})
    if "title" in fields and not (fields["title"] or "").strip():
        raise ValidationError({"title": "请填写任务内容。"})
    changed = [name for name, value in fields.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, fields[name])
    labels = [str(PlanItem._meta.get_field(name).verbose_name) for name in changed]
    if supporting_units is not None:
        wanted = {unit.pk for unit in supporting_units}
        if wanted != set(item.supporting_units.values_list("pk", flat=True)):
            item.supporting_units.set(wanted)
            labels.append("配合单位")
    if not labels:
        return []
    item.save()
    generate_checkpoints(item)
    _event(item, "edited", f"修改任务：{'、'.join(labels)}", user)
    refresh_light(item, actor=user)
    return labels


def generate_checkpoints(item: PlanItem) -> int:
    """Create one checkpoint per cadence period the item spans; due a few working days after period end."""
    plan = item.plan
    wanted = set()
    for kind in plan.cadence:
        period = Period.containing(item.starts_on, PERIOD_OF[kind])
        while period.start <= item.deadline:
            wanted.add((kind, period.code))
            Checkpoint.objects.get_or_create(
                item=item,
                kind=kind,
                period=period.code,
                defaults={"due_on": add_working_days(period.end, plan.checkpoint_due_days)},
            )
            period = period.next()
    stale = [c.pk for c in item.checkpoints.filter(submitted_at__isnull=True) if (c.kind, c.period) not in wanted]
    Checkpoint.objects.filter(pk__in=stale).delete()
    return len(wanted)


@transaction.atomic
def copy_plan(user, plan: Plan, year: int) -> Plan:
    """Start next year's plan from this one: the same items, dates moved to the new year."""
    if Plan.objects.filter(copied_from=plan, year=year).exists():
        raise ValidationError(f"该计划已复制到{year}年，不能重复复制。")
    shift = year - plan.year
    new_plan = create_plan(
        user,
        plan.org,
        year=year,
        title=plan.title,
        kind=plan.kind,
        cadence=plan.cadence,
        checkpoint_due_days=plan.checkpoint_due_days,
        notice_reply_days=plan.notice_reply_days,
        circulate_after_days=plan.circulate_after_days,
    )
    new_plan.copied_from = plan
    new_plan.save(update_fields=["copied_from"])
    copies = {}
    for item in plan.items.order_by("parent_id", "pk").prefetch_related("supporting_units"):
        copies[item.pk] = add_item(
            user,
            new_plan,
            supporting_units=list(item.supporting_units.all()),
            parent=copies.get(item.parent_id),
            number=item.number,
            title=item.title,
            pillar=item.pillar,
            lead_unit=item.lead_unit,
            target=item.target,
            target_value=item.target_value,
            starts_on=_shift_year(item.starts_on, shift),
            deadline=_shift_year(item.deadline, shift),
            evidence_required=item.evidence_required,
        )
    return new_plan


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def adoptable_items(plan: Plan, year: int | None = None):
    """Items of the plans of the levels above, which the plan's org may take over (plans are sent down)."""
    return PlanItem.objects.filter(
        plan__org__in=Org.objects.get_ancestors(plan.org), plan__year=year or plan.year
    ).exclude(status=PlanItem.Status.CANCELLED)


@transaction.atomic
def adopt_item(user, source: PlanItem, plan: Plan, *, lead_unit: Org, number: str = "") -> PlanItem:
    """Cascade: a lower level takes an item of the level above into its own plan, keeping the link."""
    if not scope_for(user).contains(plan.org):
        raise PermissionDenied("您无权修改该工作计划。")
    if not source.plan.org.path or not plan.org.path.startswith(source.plan.org.path) or plan.org == source.plan.org:
        raise ValidationError("只能承接上级单位计划中的任务。")
    if PlanItem.objects.filter(plan=plan, adopted_from=source).exists():
        raise ValidationError("该任务已承接，不能重复承接。")
    return add_item(
        user,
        plan,
        adopted_from=source,
        number=number or source.number,
        title=source.title,
        pillar=source.pillar,
        lead_unit=lead_unit,
        target=source.target,
        target_value=source.target_value,
        starts_on=max(source.starts_on, date(plan.year, 1, 1)),
        deadline=source.deadline,
        evidence_required=source.evidence_required,
    )


# ---------------------------------------------------------------------------- progress and lights


def next_checkpoint(item: PlanItem, on: date | None = None) -> Checkpoint | None:
    """The checkpoint a report now answers: the earliest unsubmitted one whose period has begun."""
    on = on or today()
    for checkpoint in item.checkpoints.filter(submitted_at__isnull=True).order_by("due_on"):
        if Period.parse(checkpoint.period).start <= on:
            return checkpoint
    return None


@transaction.atomic
def submit_progress(
    user, item: PlanItem, *, percent: int, narrative: str, attachment=None, on: date | None = None
) -> Progress:
    """Report progress against the next checkpoint; `on` back-fills a report made on paper on that day."""
    if not can_report(user, item):
        raise PermissionDenied("只有牵头单位、配合单位或计划制定单位可以报送进展。")
    if item.status != PlanItem.Status.ACTIVE:
        raise ValidationError(f"该任务{item.get_status_display()}，不能再报送进展。")
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": "进度应在0到100之间。"})
    if not (narrative or "").strip():
        raise ValidationError({"narrative": "请填写进展情况。"})
    checkpoint = next_checkpoint(item, on)
    now = timezone.now() if on is None else timezone.make_aware(datetime.combine(on, time(12)))
    unit = (
        item.lead_unit
        if item.lead_unit_id in _user_units(user)
        else next((u for u in item.supporting_units.all() if u.pk in _user_units(user)), item.plan.org)
    )
    report = Progress.objects.create(
        item=item,
        checkpoint=checkpoint,
        unit=unit,
        percent=percent,
        narrative=narrative.strip(),
        attachment=attachment or "",
        submitted_by=user,
        submitted_at=now,
    )
    if checkpoint:
        checkpoint.submitted_at = now
        checkpoint.save(update_fields=["submitted_at"])
    if unit == item.lead_unit or unit == item.plan.org:
        item.progress = percent
        if percent == 100:
            item.status = PlanItem.Status.DONE
        item.save(update_fields=["progress", "status", "updated_at"])
    late = " （逾期报送）" if checkpoint and checkpoint.is_late else ""
    label = f"{checkpoint.get_kind_display()}{checkpoint.period}" if checkpoint else "进展"
    _event(item, "progress", f"{unit.name}报送{label}：{percent}%{late}", user)
    refresh_light(item, on)
    return report


def expected_progress(item: PlanItem, on: date) -> int:
    span = (item.deadline - item.starts_on).days or 1
    elapsed = min(max((on - item.starts_on).days, 0), span)
    return round(elapsed * 100 / span)


def compute_light(item: PlanItem, on: date | None = None) -> tuple[str, str]:
    """The item's light and why: red overdue, yellow due soon or behind the expected %, green on track."""
    on = on or today()
    if item.status != PlanItem.Status.ACTIVE:
        return Light.GREEN, item.get_status_display()
    if on > item.deadline:
        return Light.RED, f"已超过完成时限（{item.deadline:%Y年%-m月%-d日}）"
    open_checkpoints = list(item.checkpoints.filter(submitted_at__isnull=True).order_by("due_on"))
    overdue = [c for c in open_checkpoints if c.due_on < on]
    if overdue:
        return Light.RED, f"{overdue[0].get_kind_display()}（{overdue[0].period}）逾期未报送"
    soon = add_working_days(on, DUE_SOON_WORKING_DAYS)
    due_soon = [c for c in open_checkpoints if c.due_on <= soon and Period.parse(c.period).start <= on]
    if due_soon:
        return Light.YELLOW, f"{due_soon[0].get_kind_display()}将于{due_soon[0].due_on:%-m月%-d日}截止"
    if item.deadline <= soon:
        return Light.YELLOW, "临近完成时限"
    expected = expected_progress(item, on)
    if item.progress + BEHIND_TOLERANCE < expected:
        return Light.YELLOW, f"进度{item.progress}%，落后于应达进度{expected}%"
    return Light.GREEN, "正常推进"


def refresh_light(item: PlanItem, on: date | None = None, actor=None) -> str:
    """Store the item's light; an item turning red gets a supervision notice if it has none open."""
    light, why = compute_light(item, on)
    if light != item.light:
        item.light = light
        item.save(update_fields=["light", "updated_at"])
        _event(item, "light", f"状态灯变为{Light(light).label}：{why}", actor)
        if light == Light.RED and not item.notices.exclude(status=SupervisionNotice.Status.ANSWERED).exists():
            issue_notice(None, item, why, on=on)
    return light


# ---------------------------------------------------------------------------- supervision


@transaction.atomic
def issue_notice(user, item: PlanItem, reason: str, on: date | None = None) -> SupervisionNotice:
    """Send a 督办单 to the lead unit with a reply deadline (user None: issued by the system)."""
    if user is not None and not (user.has_perm("worklists.add_supervisionnotice") and can_manage_plan(user, item.plan)):
        raise PermissionDenied("您无权对该任务下发督办单。")
    if not (reason or "").strip():
        raise ValidationError("请填写督办事由。")
    on = on or today()
    notice = SupervisionNotice.objects.create(
        item=item,
        unit=item.lead_unit,
        reason=reason.strip()[:300],
        issued_by=user,
        reply_due=add_working_days(on, item.plan.notice_reply_days),
    )
    _event(item, "notice", f"向{item.lead_unit.name}下发督办单，{notice.reply_due:%-m月%-d日}前答复：{reason}", user)
    _notify_unit(
        item.lead_unit, f"督办单：{item.title}", f"请于{notice.reply_due:%Y年%-m月%-d日}前答复。{reason}", item
    )
    return notice


@transaction.atomic
def answer_notice(user, notice: SupervisionNotice, reply: str) -> SupervisionNotice:
    if notice.unit_id not in _user_units(user):
        raise PermissionDenied("只有被督办单位可以答复督办单。")
    if notice.status == SupervisionNotice.Status.ANSWERED:
        raise ValidationError("该督办单已答复。")
    if not (reply or "").strip():
        raise ValidationError("请填写答复内容。")
    notice.status = SupervisionNotice.Status.ANSWERED
    notice.reply, notice.replied_at, notice.replied_by = reply.strip(), timezone.now(), user
    notice.save()
    late = "（逾期答复）" if timezone.localdate(notice.replied_at) > notice.reply_due else ""
    _event(notice.item, "reply", f"{notice.unit.name}答复督办单{late}：{notice.reply[:200]}", user)
    return notice


def escalate(on: date | None = None) -> dict[str, int]:
    """Chase up (催办) the day after a missed reply deadline; circulate (通报) after more working days."""
    on = on or today()
    counts = {"chased": 0, "circulated": 0}
    pending = SupervisionNotice.objects.exclude(status=SupervisionNotice.Status.ANSWERED).select_related(
        "item__plan", "unit"
    )
    for notice in pending:
        late_by = working_days_between(notice.reply_due, on) if on > notice.reply_due else 0
        if notice.status == SupervisionNotice.Status.OPEN and on > notice.reply_due:
            _mark(
                notice,
                SupervisionNotice.Status.CHASED,
                "chased_at",
                "催办",
                f"督办单答复期限（{notice.reply_due:%-m月%-d日}）已过，现予催办。",
            )
            counts["chased"] += 1
        if notice.status == SupervisionNotice.Status.CHASED and late_by > notice.item.plan.circulate_after_days:
            _mark(
                notice,
                SupervisionNotice.Status.CIRCULATED,
                "circulated_at",
                "通报",
                f"督办单逾期{late_by}个工作日未答复，予以通报。",
            )
            counts["circulated"] += 1
    return counts


def _mark(notice, status, stamp, kind, text):
    with transaction.atomic():
        notice.status = status
        setattr(notice, stamp, timezone.now())
        notice.save(update_fields=["status", stamp])
        _event(notice.item, kind, f"{kind}{notice.unit.name}：{text}", None)
        _notify_unit(notice.unit, f"{kind}：{notice.item.title}", text, notice.item)


def supervise(on: date | None = None) -> dict[str, int]:
    """The daily round: refresh every active item's light, then escalate late notices."""
    on = on or today()
    turned_red = 0
    for item in PlanItem.objects.filter(status=PlanItem.Status.ACTIVE).select_related("plan", "lead_unit"):
        before = item.light
        if refresh_light(item, on) == Light.RED and before != Light.RED:
            turned_red += 1
    return {"turned_red": turned_red, **escalate(on)}


def light_summary(org: Org, user, red_limit: int = 8) -> dict:
    """Active items of the plans at and below `org` that the user sees: counts by light and the red ones."""
    items = PlanItem.objects.visible_to(user).filter(
        plan__org__path__startswith=org.path, status=PlanItem.Status.ACTIVE
    )
    counts = {light: 0 for light in Light.values}
    for row in items.order_by().values("light").annotate(n=Count("pk")):
        counts[row["light"]] = row["n"]
    red = items.filter(light=Light.RED).select_related("plan__org", "lead_unit").order_by("deadline")[:red_limit]
    return {"counts": counts, "total": sum(counts.values()), "red": list(red)}


# ---------------------------------------------------------------------------- helpers


def _event(item, kind, text, actor):
    ItemEvent.objects.create(item=item, kind=kind, text=text[:300], actor=actor)


def _notify_unit(unit: Org, title: str, body: str, item: PlanItem) -> None:
    for member in Membership.objects.active().filter(org=unit).select_related("user"):
        Notification.objects.create(user=member.user, title=title[:120], body=body, link=f"/worklists/items/{item.pk}/")


def on_time_rate(items) -> Decimal | None:
    """Share of due checkpoints of these items that were reported on time."""
    checkpoints = Checkpoint.objects.filter(item__in=items, due_on__lt=today())
    total = checkpoints.count()
    if not total:
        return None
    on_time = sum(1 for c in checkpoints if c.submitted_at and timezone.localdate(c.submitted_at) <= c.due_on)
    return Decimal(on_time * 100 / total).quantize(Decimal("0.1"))

"""The two-way channel: demands raised, triaged, routed with SLA clocks, answered, implemented, rated."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from changai.accounts.models import Membership
from changai.accounts.scope import scope_for
from changai.core.models import Notification
from changai.core.uploads import check_attachment
from changai.core.workdays import add_working_days, working_days_between
from changai.orgs.models import Org

from .models import Assignment, Callback, Category, Demand, DemandEvent, DemandFile

Status = Demand.Status
MAX_FILES = 5
CONFIRM_AFTER_WORKING_DAYS = 5  # a silent raiser: the office confirms the implementation
CIRCULATE_AFTER_WORKING_DAYS = 3  # chased, still no answer this many working days after the deadline
OPEN_STATUSES = (Status.NEW, Status.ROUTED, Status.ANSWERED, Status.IMPLEMENTING)


def today() -> date:
    """The date clocks are judged on (one place, so tests can move it)."""
    return timezone.localdate()


# ---------------------------------------------------------------------------- who may do what


def _units(user) -> set[int]:
    return {m.org_id for m in user.active_memberships()} if user.is_authenticated else set()


def is_office_for(user, demand: Demand) -> bool:
    """The handling office: triages, routes, approves extensions, confirms, reopens."""
    return user.has_perm("demands.change_demand") and scope_for(user).contains(demand.org)


def can_see_contact(user, demand: Demand) -> bool:
    """A raiser's contact is kept for follow-up by the handling office only, never shown to the units."""
    return is_office_for(user, demand)


def assignment_for(user, demand: Demand) -> Assignment | None:
    """The user's own live assignment on this demand (lead first)."""
    return (
        demand.assignments.filter(unit__in=_units(user))
        .exclude(status=Assignment.Status.RETURNED)
        .order_by("role")
        .first()
    )


# ---------------------------------------------------------------------------- intake


def _number() -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    count = Demand.objects.filter(number__startswith=f"SQ{stamp}").count()
    return f"SQ{stamp}{count + 1:04d}"


@transaction.atomic
def raise_demand(
    user,
    org: Org,
    *,
    title: str,
    content: str,
    category: Category,
    channel=Demand.Channel.WEB,
    raiser_name: str = "",
    contact: str = "",
    anonymous: bool = False,
    files=(),
) -> Demand:
    """Record a demand; `user` is None for a worker on the phone page."""
    if user is not None and not (user.has_perm("demands.add_demand") and scope_for(user).contains(org)):
        raise PermissionDenied("您无权为该单位提出诉求。")
    if not (title or "").strip() or not (content or "").strip():
        raise ValidationError("请填写诉求标题和内容。")
    if anonymous and not (contact or "").strip() and channel == Demand.Channel.PHONE:
        raise ValidationError({"contact": "匿名提出时请留一个联系方式，仅供产改办回访使用，不会告知承办单位。"})
    demand = Demand.objects.create(
        number=_number(),
        org=org,
        title=title.strip()[:120],
        content=content.strip(),
        category=category,
        channel=channel,
        raised_by=user,
        raiser_name="" if anonymous else raiser_name.strip()[:40],
        contact=contact.strip()[:60],
        anonymous=anonymous,
        # A worker without an account follows the demand through a private link.
        follow_token=secrets.token_urlsafe(16) if user is None else None,
    )
    _attach(demand, files, user)
    _event(demand, "raised", f"通过{demand.get_channel_display()}提出诉求", user)
    return demand


def _attach(demand: Demand, files, user, assignment: Assignment | None = None) -> None:
    """Check every file (type, 20 MB, content) before keeping any of them."""
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError({"files": f"最多上传{MAX_FILES}个附件。"})
    for upload in files:
        check_attachment(upload)
    for upload in files:
        DemandFile.objects.create(
            demand=demand,
            assignment=assignment,
            file=upload,
            name=upload.name[:200],
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        )


def similar_open_demands(demand: Demand, limit: int = 5, threshold: float = 0.2) -> list[tuple[Demand, float]]:
    """Open demands that look like this one (TF-IDF over Chinese character n-grams), most similar first."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    office_root = _office_root(demand.org)
    candidates = list(
        Demand.objects.filter(status__in=OPEN_STATUSES, org__path__startswith=office_root.path)
        .exclude(pk=demand.pk)
        .order_by("-created_at")[:2000]
    )
    if not candidates:
        return []
    texts = [f"{d.title} {d.content}" for d in [demand, *candidates]]
    # Chinese has no spaces between words: characters and character pairs are the terms.
    matrix = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    scores = cosine_similarity(matrix[0], matrix[1:])[0]
    ranked = sorted(zip(candidates, scores, strict=True), key=lambda pair: -pair[1])
    return [(other, round(float(score), 2)) for other, score in ranked[:limit] if score >= threshold]


def _office_root(org: Org) -> Org:
    """The county (or higher) office whose subtree a demand is triaged in."""
    for ancestor in reversed([*Org.objects.get_ancestors(org), org]):
        if ancestor.kind in ("county", "city", "province"):
            return ancestor
    return org


@transaction.atomic
def merge(user, demand: Demand, into: Demand) -> Demand:
    """Fold a duplicate into another open demand; its raiser follows the one it was merged into."""
    if not (is_office_for(user, demand) and is_office_for(user, into)):
        raise PermissionDenied("您无权合并这两条诉求。")
    if demand.pk == into.pk or into.status not in OPEN_STATUSES or demand.status not in OPEN_STATUSES:
        raise ValidationError("只能把未办结的诉求并入另一条未办结的诉求。")
    demand.status, demand.merged_into = Status.MERGED, into
    demand.save(update_fields=["status", "merged_into", "updated_at"])
    _event(demand, "merged", f"与诉求{into.number}内容相同，已并入一并办理", user)
    _event(into, "merged", f"并入重复诉求{demand.number}，办理结果将同时告知其提出人", user)
    _notify_raiser(demand, f"您的诉求已并入{into.number}一并办理", into.title)
    return demand


# ---------------------------------------------------------------------------- routing and clocks


@transaction.atomic
def route(user, demand: Demand, lead: Org, co_units=(), on: date | None = None) -> list[Assignment]:
    """Route to a lead unit and co-handling units, each with its own clock in working days."""
    if not is_office_for(user, demand):
        raise PermissionDenied("您无权分办该诉求。")
    if demand.status not in (Status.NEW,):
        raise ValidationError(f"该诉求{demand.get_status_display()}，不能再分办。")
    units = [lead, *[u for u in co_units if u.pk != lead.pk]]
    if any(u.kind not in ("member_unit", "county", "city", "town", "park") for u in units):
        raise ValidationError("只能分办给成员单位或下级产改办。")
    on = on or today()
    made = []
    for unit in units:
        assignment = Assignment.objects.create(
            demand=demand,
            unit=unit,
            role=Assignment.Role.LEAD if unit == lead else Assignment.Role.CO,
            routed_by=user,
            ack_due=add_working_days(on, demand.category.ack_days),
            answer_due=add_working_days(on, demand.category.answer_days),
        )
        made.append(assignment)
        _notify_unit(
            unit,
            f"新分办诉求：{demand.title}",
            f"请于{assignment.ack_due:%-m月%-d日}前签收、{assignment.answer_due:%-m月%-d日}前答复。",
            demand,
        )
    demand.status = Status.ROUTED
    demand.save(update_fields=["status", "updated_at"])
    names = "、".join(u.name for u in units[1:])
    _event(demand, "routed", f"分办至{lead.name}（主办）" + (f"，{names}协办" if names else ""), user)
    return made


def _own_assignment(user, assignment: Assignment) -> Assignment:
    if assignment.unit_id not in _units(user) or not user.has_perm("demands.change_assignment"):
        raise PermissionDenied("只有承办单位可以办理。")
    return assignment


@transaction.atomic
def acknowledge(user, assignment: Assignment) -> Assignment:
    _own_assignment(user, assignment)
    if assignment.status != Assignment.Status.PENDING:
        raise ValidationError("该诉求已签收。")
    assignment.status, assignment.acknowledged_at = Assignment.Status.ACKNOWLEDGED, timezone.now()
    assignment.save(update_fields=["status", "acknowledged_at"])
    _event(assignment.demand, "acknowledged", f"{assignment.unit.name}签收", user, assignment.unit)
    return assignment


@transaction.atomic
def request_extension(user, assignment: Assignment, until: date, reason: str) -> Assignment:
    """One extension per demand, asked for before the deadline."""
    _own_assignment(user, assignment)
    if assignment.demand.assignments.exclude(extension_until=None).exists():
        raise ValidationError("每件诉求只能申请一次延期。")
    if today() > assignment.answer_due:
        raise ValidationError("已超过答复期限，不能再申请延期。")
    if until <= assignment.answer_due:
        raise ValidationError("延期日期应晚于原答复期限。")
    if not (reason or "").strip():
        raise ValidationError("请说明延期理由。")
    assignment.extension_until, assignment.extension_reason = until, reason.strip()[:300]
    assignment.save(update_fields=["extension_until", "extension_reason"])
    _event(
        assignment.demand,
        "extension",
        f"{assignment.unit.name}申请延期至{until:%-m月%-d日}：{reason}",
        user,
        assignment.unit,
    )
    return assignment


@transaction.atomic
def decide_extension(user, assignment: Assignment, approve: bool) -> Assignment:
    if not is_office_for(user, assignment.demand):
        raise PermissionDenied("只有产改办可以审批延期。")
    if assignment.extension_until is None or assignment.extension_approved is not None:
        raise ValidationError("没有待审批的延期申请。")
    if approve and today() > assignment.answer_due:
        raise ValidationError("须在原答复期限前批准延期。")
    assignment.extension_approved = approve
    assignment.save(update_fields=["extension_approved"])
    verdict = "批准" if approve else "不批准"
    _event(assignment.demand, "extension", f"产改办{verdict}{assignment.unit.name}的延期申请", user)
    return assignment


@transaction.atomic
def return_assignment(user, assignment: Assignment, reason: str) -> Assignment:
    """A mis-routed demand goes back: the lead's return sends it back to triage."""
    _own_assignment(user, assignment)
    if assignment.status == Assignment.Status.ANSWERED:
        raise ValidationError("已答复的诉求不能退回。")
    if not (reason or "").strip():
        raise ValidationError("请填写退回原因。")
    assignment.status, assignment.return_reason = Assignment.Status.RETURNED, reason.strip()[:300]
    assignment.save(update_fields=["status", "return_reason"])
    demand = assignment.demand
    _event(demand, "returned", f"{assignment.unit.name}退回：{reason}", user, assignment.unit)
    if assignment.role == Assignment.Role.LEAD:
        demand.assignments.exclude(pk=assignment.pk).update(
            status=Assignment.Status.RETURNED, return_reason="主办单位退回，重新分办"
        )
        demand.status, demand.returned = Status.NEW, True
        demand.save(update_fields=["status", "returned", "updated_at"])
    return assignment


@transaction.atomic
def answer(user, assignment: Assignment, text: str, policy_basis: str = "", files=()) -> Assignment:
    """The unit answers (stage 1); the lead's answer makes the demand answered."""
    _own_assignment(user, assignment)
    if assignment.status in (Assignment.Status.ANSWERED, Assignment.Status.RETURNED):
        raise ValidationError(f"该分办已{assignment.get_status_display()}。")
    if not (text or "").strip():
        raise ValidationError("请填写答复内容。")
    now = timezone.now()
    assignment.status, assignment.answer, assignment.policy_basis = (
        Assignment.Status.ANSWERED,
        text.strip(),
        policy_basis,
    )
    assignment.answered_at, assignment.answered_by = now, user
    assignment.acknowledged_at = assignment.acknowledged_at or now
    assignment.save()
    _attach(assignment.demand, files, user, assignment)
    late = "（逾期答复）" if timezone.localdate(now) > assignment.due else ""
    demand = assignment.demand
    _event(demand, "answered", f"{assignment.unit.name}答复{late}：{text.strip()[:200]}", user, assignment.unit)
    if assignment.role == Assignment.Role.LEAD:
        demand.status, demand.answered_at = Status.ANSWERED, now
        demand.save(update_fields=["status", "answered_at", "updated_at"])
        _notify_raiser(demand, f"您的诉求已答复：{demand.title}", text.strip()[:200])
    return assignment


@transaction.atomic
def commit_plan(user, demand: Demand, plan_text: str, plan_date: date) -> Demand:
    """The lead unit commits to implementing by a date."""
    lead = _lead(user, demand)
    if demand.status != Status.ANSWERED:
        raise ValidationError("答复后才能制定落实计划。")
    if not (plan_text or "").strip():
        raise ValidationError("请填写落实计划。")
    demand.plan_text, demand.plan_date, demand.status = plan_text.strip(), plan_date, Status.IMPLEMENTING
    demand.save(update_fields=["plan_text", "plan_date", "status", "updated_at"])
    _event(
        demand,
        "plan",
        f"{lead.unit.name}承诺{plan_date:%Y年%-m月%-d日}前落实：{plan_text.strip()[:200]}",
        user,
        lead.unit,
    )
    return demand


@transaction.atomic
def report_implemented(user, demand: Demand, note: str) -> Demand:
    """The lead unit reports it done; the raiser confirms, or the office after a silence."""
    lead = _lead(user, demand)
    if demand.status != Status.IMPLEMENTING:
        raise ValidationError("请先制定落实计划。")
    if not (note or "").strip():
        raise ValidationError("请填写落实情况。")
    demand.implementation_note, demand.implementation_reported_at = note.strip(), timezone.now()
    demand.save(update_fields=["implementation_note", "implementation_reported_at", "updated_at"])
    _event(demand, "implemented", f"{lead.unit.name}报告已落实：{note.strip()[:200]}", user, lead.unit)
    _notify_raiser(demand, f"请确认诉求落实情况：{demand.title}", note.strip()[:200])
    return demand


def _lead(user, demand: Demand) -> Assignment:
    lead = demand.assignments.filter(role=Assignment.Role.LEAD).exclude(status=Assignment.Status.RETURNED).first()
    if lead is None or lead.unit_id not in _units(user):
        raise PermissionDenied("只有主办单位可以办理此项。")
    return lead


@transaction.atomic
def confirm_implemented(user, demand: Demand, *, by_office: bool = False, via_link: bool = False) -> Demand:
    """Stage 2: the raiser (or the office, for a silent raiser) confirms the implementation.

    `via_link`: a worker without an account, holding the demand's private follow-up link.
    """
    if by_office:
        if user is not None and not is_office_for(user, demand):
            raise PermissionDenied("只有产改办可以代为确认。")
    elif not via_link and (demand.raised_by_id is None or user is None or user.pk != demand.raised_by_id):
        raise PermissionDenied("只有提出人可以确认落实。")
    if demand.status != Status.IMPLEMENTING or demand.implementation_reported_at is None:
        raise ValidationError("承办单位尚未报告落实。")
    demand.status, demand.implemented_at, demand.confirmed_by_office = Status.IMPLEMENTED, timezone.now(), by_office
    demand.save(update_fields=["status", "implemented_at", "confirmed_by_office", "updated_at"])
    who = "提出人逾期未确认，由产改办确认" if by_office else "提出人确认"
    _event(demand, "confirmed", f"{who}已落实", user)
    return demand


@transaction.atomic
def rate(
    user, demand: Demand, rating: str, comment: str = "", *, on_behalf: bool = False, via_link: bool = False
) -> Demand:
    """The raiser rates the outcome (or the office records a phone raiser's rating); this closes the demand."""
    if on_behalf:
        if not is_office_for(user, demand):
            raise PermissionDenied("您无权代为评价。")
    elif not via_link and (demand.raised_by_id is None or user is None or user.pk != demand.raised_by_id):
        raise PermissionDenied("只有提出人可以评价。")
    if demand.status != Status.IMPLEMENTED:
        raise ValidationError("落实后才能评价。")
    if rating not in Demand.Rating.values:
        raise ValidationError("请选择满意、基本满意或不满意。")
    now = timezone.now()
    demand.rating, demand.rating_comment, demand.rated_at = rating, (comment or "").strip()[:300], now
    demand.status, demand.closed_at = Status.CLOSED, now
    demand.save()
    _event(
        demand,
        "rated",
        f"评价：{demand.get_rating_display()}" + (f"，{demand.rating_comment}" if comment else ""),
        user,
    )
    return demand


@transaction.atomic
def reopen(user, demand: Demand, on: date | None = None) -> Demand:
    """An unsatisfied rating may reopen the demand once, by the office's decision."""
    if not is_office_for(user, demand):
        raise PermissionDenied("只有产改办可以决定重新办理。")
    if demand.rating != Demand.Rating.UNSATISFIED or demand.status != Status.CLOSED:
        raise ValidationError("只有评价为不满意的已办结诉求可以重新办理。")
    if demand.reopen_count >= 1:
        raise ValidationError("每件诉求只能重新办理一次。")
    on = on or today()
    lead = demand.assignments.filter(role=Assignment.Role.LEAD).exclude(status=Assignment.Status.RETURNED).first()
    lead.status, lead.escalation = Assignment.Status.ACKNOWLEDGED, ""
    lead.answer_due = add_working_days(on, demand.category.answer_days)
    lead.extension_until, lead.extension_approved = None, None
    lead.save()
    demand.status, demand.reopen_count, demand.closed_at = Status.ROUTED, demand.reopen_count + 1, None
    demand.rating, demand.implementation_reported_at, demand.implemented_at = "", None, None
    demand.save()
    _event(demand, "reopened", f"提出人不满意，产改办决定由{lead.unit.name}重新办理", user)
    _notify_unit(lead.unit, f"诉求重新办理：{demand.title}", f"请于{lead.answer_due:%-m月%-d日}前重新答复。", demand)
    return demand


@transaction.atomic
def record_callback(user, demand: Demand, *, satisfied: bool, note: str, on: date | None = None) -> Callback:
    if not is_office_for(user, demand):
        raise PermissionDenied("只有产改办可以回访。")
    if demand.status != Status.CLOSED:
        raise ValidationError("只能回访已办结的诉求。")
    callback = Callback.objects.create(
        demand=demand, visited_by=user, visited_on=on or today(), satisfied=satisfied, note=note.strip()[:300]
    )
    _event(demand, "callback", f"产改办回访：{'满意' if satisfied else '不满意'}，{callback.note}", user)
    return callback


def callback_sample(demands, share: float = 0.2, seed: int = 0) -> list[Demand]:
    """A reproducible sample of closed demands for return visits."""
    import random

    closed = sorted(demands.filter(status=Status.CLOSED), key=lambda d: d.pk)
    count = max(1, round(len(closed) * share)) if closed else 0
    return random.Random(seed).sample(closed, count)


# ---------------------------------------------------------------------------- the daily round


def supervise(on: date | None = None) -> dict[str, int]:
    """Chase up the day after a missed deadline, circulate later; confirm for silent raisers."""
    on = on or today()
    counts = {"chased": 0, "circulated": 0, "confirmed": 0}
    late = Assignment.objects.filter(
        status__in=[Assignment.Status.PENDING, Assignment.Status.ACKNOWLEDGED], demand__status=Status.ROUTED
    ).select_related("demand", "unit")
    for assignment in late:
        if on <= assignment.due:
            continue
        if not assignment.escalation:
            _escalate(
                assignment,
                Assignment.Escalation.CHASED,
                "chased_at",
                "催办",
                f"答复期限（{assignment.due:%-m月%-d日}）已过，现予催办。",
            )
            counts["chased"] += 1
        elif (
            assignment.escalation == Assignment.Escalation.CHASED
            and working_days_between(assignment.due, on) > CIRCULATE_AFTER_WORKING_DAYS
        ):
            _escalate(
                assignment,
                Assignment.Escalation.CIRCULATED,
                "circulated_at",
                "通报",
                f"逾期{working_days_between(assignment.due, on)}个工作日未答复，予以通报。",
            )
            counts["circulated"] += 1
    waiting = Demand.objects.filter(status=Status.IMPLEMENTING, implementation_reported_at__isnull=False)
    for demand in waiting:
        if (
            working_days_between(timezone.localdate(demand.implementation_reported_at), on)
            >= CONFIRM_AFTER_WORKING_DAYS
        ):
            confirm_implemented(None, demand, by_office=True)
            counts["confirmed"] += 1
    return counts


def _escalate(assignment, level, stamp, word, text):
    with transaction.atomic():
        assignment.escalation = level
        setattr(assignment, stamp, timezone.now())
        assignment.save(update_fields=["escalation", stamp])
        _event(assignment.demand, word, f"{word}{assignment.unit.name}：{text}", None, assignment.unit)
        _notify_unit(assignment.unit, f"{word}：{assignment.demand.title}", text, assignment.demand)


# ---------------------------------------------------------------------------- the ledger


@dataclass
class LedgerRow:
    unit: Org
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0
    implemented: int = 0
    rated: int = 0
    satisfied: int = 0
    overdue_now: int = 0
    days_to_answer: int = 0

    def _rate(self, part, whole):
        return round(part * 100 / whole, 1) if whole else None

    @property
    def answer_rate(self):
        return self._rate(self.answered, self.received)

    @property
    def on_time_rate(self):
        return self._rate(self.answered_on_time, self.received)

    @property
    def implemented_rate(self):
        return self._rate(self.implemented, self.received)

    @property
    def satisfaction_rate(self):
        """满意 and 基本满意 among rated demands."""
        return self._rate(self.satisfied, self.rated)

    @property
    def average_days(self):
        return round(self.days_to_answer / self.answered, 1) if self.answered else None


def ledger(demands, on: date | None = None) -> list[LedgerRow]:
    """Per handling unit: received, answered (on time), implemented, satisfaction, overdue now, days to answer."""
    on = on or today()
    rows: dict[int, LedgerRow] = {}
    assignments = Assignment.objects.filter(demand__in=demands).exclude(status=Assignment.Status.RETURNED)
    for a in assignments.select_related("unit", "demand"):
        row = rows.setdefault(a.unit_id, LedgerRow(a.unit))
        row.received += 1
        if a.answered_at:
            answered_on = timezone.localdate(a.answered_at)
            row.answered += 1
            row.answered_on_time += answered_on <= a.due
            row.days_to_answer += working_days_between(timezone.localdate(a.routed_at), answered_on)
        elif on > a.due:
            row.overdue_now += 1
        if a.role == Assignment.Role.LEAD and a.demand.status in (Status.IMPLEMENTED, Status.CLOSED):
            row.implemented += 1
        if a.role == Assignment.Role.LEAD and a.demand.rating:
            row.rated += 1
            row.satisfied += a.demand.rating in (Demand.Rating.SATISFIED, Demand.Rating.BASIC)
    return sorted(rows.values(), key=lambda r: (-(r.on_time_rate or 0), -(r.satisfaction_rate or 0), r.unit.name))


# ---------------------------------------------------------------------------- helpers


def _event(demand, kind, text, actor, unit=None):
    DemandEvent.objects.create(demand=demand, kind=kind, text=text[:400], actor=actor, unit=unit)


def _notify_unit(unit: Org, title: str, body: str, demand: Demand) -> None:
    for member in Membership.objects.active().filter(org=unit).select_related("user"):
        Notification.objects.create(user=member.user, title=title[:120], body=body, link=f"/demands/{demand.pk}/")


def _notify_raiser(demand: Demand, title: str, body: str) -> None:
    raisers = [demand.raised_by] + [d.raised_by for d in demand.merged.select_related("raised_by")]
    for raiser in {r for r in raisers if r is not None}:
        Notification.objects.create(user=raiser, title=title[:120], body=body, link=f"/demands/{demand.pk}/")

"""Career rules: recording a move applies it to the worker's ledger; the title bridge's eligibility,
applications and outcomes (a pass creates the engineering title)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from changai.accounts.scope import scope_for
from changai.certificates import services as certificate_services
from changai.certificates.models import Certificate, EngineeringTitle, Level, TitleRank
from changai.orgs.models import Org
from changai.workers.models import Sequence, Worker
from changai.workers.services import update_worker

from .models import CareerMove, TitleApplication

Status = TitleApplication.Status

# The bridge: the skill level that qualifies for each engineering title (高级工 → 助理工程师, 技师 → 工程师,
# 高级技师 and above → 高级工程师), and the years a worker must have held that level (or a higher one) first.
QUALIFYING_LEVEL = {
    TitleRank.ASSISTANT: Level.SENIOR,
    TitleRank.ENGINEER: Level.TECHNICIAN,
    TitleRank.SENIOR: Level.SENIOR_TECHNICIAN,
}
YEARS_AT_LEVEL = {TitleRank.ASSISTANT: 2, TitleRank.ENGINEER: 3, TitleRank.SENIOR: 4}
BRIDGE_RANKS = list(QUALIFYING_LEVEL)


def today() -> date:
    return timezone.localdate()


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _visible_worker(user, worker: Worker) -> None:
    if not Worker.objects.visible_to(user).filter(pk=worker.pk).exists():
        raise ValidationError({"worker": "该职工不在您管辖范围内的企业。"})
    if worker.enterprise_id is None:
        raise ValidationError({"worker": "该职工目前没有工作单位。"})


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# ---------------------------------------------------------------------------- career moves


def record_move(
    user,
    worker: Worker,
    *,
    to_sequence: str,
    to_grade: str,
    effective_on: date,
    approving_body: str,
    approving_org: Org | None = None,
    document: str = "",
    note: str = "",
) -> CareerMove:
    """Record a move and apply it: the worker's current sequence and grade (and the open employment's) change."""
    _require(user.has_perm("careers.add_careermove"), "您无权登记岗位变动。")
    _visible_worker(user, worker)
    to_grade = (to_grade or "").strip()
    errors = _move_errors(user, worker, to_sequence, to_grade, effective_on, approving_org)
    if not (approving_body or "").strip():
        errors["approving_body"] = "请填写批准机构。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
        move = CareerMove.objects.create(
            worker=worker,
            enterprise_id=worker.enterprise_id,
            kind=CareerMove.Kind.VERTICAL if to_sequence == worker.sequence else CareerMove.Kind.HORIZONTAL,
            from_sequence=worker.sequence,
            from_grade=worker.grade,
            to_sequence=to_sequence,
            to_grade=to_grade,
            frontline_promotion=is_frontline_promotion(worker, to_sequence),
            effective_on=effective_on,
            approving_body=approving_body.strip(),
            approving_org=approving_org,
            document=document.strip(),
            note=note.strip(),
            created_by=user,
        )
        # The workers app keeps the ledger's current job and the open employment in step.
        update_worker(worker, sequence=to_sequence, grade=to_grade)
    return move


def is_frontline_promotion(worker: Worker, to_sequence: str) -> bool:
    """A frontline worker of the skills or technical sequence moving into management."""
    return worker.frontline and worker.sequence != Sequence.MANAGEMENT and to_sequence == Sequence.MANAGEMENT


def _move_errors(user, worker, to_sequence, to_grade, effective_on, approving_org) -> dict:
    errors = {}
    if to_sequence not in Sequence.values:
        errors["to_sequence"] = "请选择新的岗位序列。"
    elif to_sequence == worker.sequence and to_grade == worker.grade:
        errors["to_grade"] = "新岗位序列和等级与现岗位相同，不是岗位变动。"
    if effective_on > today():
        errors["effective_on"] = "生效日期不能晚于今天；请在变动生效后登记。"
    elif worker.hired_on and effective_on < worker.hired_on:
        errors["effective_on"] = f"生效日期不能早于入职日期{worker.hired_on:%Y-%m-%d}。"
    else:
        latest = CareerMove.objects.filter(worker=worker).aggregate(latest=Max("effective_on"))["latest"]
        if latest and effective_on < latest:
            errors["effective_on"] = f"该职工已有{latest:%Y-%m-%d}生效的岗位变动，不能登记更早的变动。"
    if approving_org is not None and not scope_for(user).contains(approving_org):
        errors["approving_org"] = "批准单位不在您的管辖范围内。"
    return errors


# ---------------------------------------------------------------------------- the title bridge


@dataclass
class BridgeStanding:
    """Where one worker stands on the bridge on a day."""

    worker: Worker
    highest_level: int
    held_rank: int | None  # the highest engineering title already held
    target_rank: int | None  # the highest title the worker may apply for now
    since: date | None  # since when the worker has held the target's qualifying level (or higher)
    next_rank: int | None  # the next title, not yet open for want of years
    next_from: date | None
    pending: TitleApplication | None = None

    @property
    def eligible(self) -> bool:
        return self.target_rank is not None

    @property
    def target_label(self) -> str:
        return TitleRank(self.target_rank).label if self.target_rank else ""

    @property
    def next_label(self) -> str:
        return TitleRank(self.next_rank).label if self.next_rank else ""

    @property
    def level_label(self) -> str:
        return Level(self.highest_level).label

    @property
    def held_label(self) -> str:
        return TitleRank(self.held_rank).label if self.held_rank else ""

    @property
    def qualifying_label(self) -> str:
        return Level(QUALIFYING_LEVEL[self.target_rank]).label if self.target_rank else ""


def _since(rank) -> str:
    return f"since_{int(rank)}"


def bridge_rows(workers, day: date, show: str = "now"):
    """One row per worker of `workers` holding 高级工 or above on `day`, as a values queryset that pages in SQL:
    worker_id, top (highest level), held (highest title), since_<rank> (first held the rank's qualifying level).

    show: "now" keeps the workers who may apply for a title on `day`, "soon" those for whom a title opens
    within a year, anything else every row.
    """
    rows = (
        Certificate.objects.valid_on(day)
        .filter(worker__in=workers.values("pk"), level__gte=Level.SENIOR)
        .values("worker_id", "worker__enterprise__name", "worker__name")
        .annotate(
            top=Max("level"),
            held=Max("worker__titles__rank"),
            **{_since(rank): Min("issued_on", filter=Q(level__gte=QUALIFYING_LEVEL[rank])) for rank in BRIDGE_RANKS},
        )
        .order_by("worker__enterprise__name", "worker__name", "worker_id")
    )
    if show == "now":
        return rows.filter(_any_open(day))
    if show == "soon":
        return rows.filter(_any_open(day + timedelta(days=365), after=day))
    return rows


def _any_open(by: date, after: date | None = None) -> Q:
    """Rows with a title not yet held that opens on or before `by` (and, given `after`, later than that)."""
    condition = Q()
    for rank in BRIDGE_RANKS:
        since = _since(rank)
        opens = Q(**{f"{since}__lte": add_years(by, -YEARS_AT_LEVEL[rank])})
        if after is not None:
            opens &= Q(**{f"{since}__gt": add_years(after, -YEARS_AT_LEVEL[rank])})
        condition |= opens & (Q(held__isnull=True) | Q(held__lt=rank))
    return condition


def standing_from_row(row: dict, worker: Worker, day: date) -> BridgeStanding:
    """Titles open in order (a higher level implies the lower ones, and the years grow with the rank)."""
    held = row["held"]
    target = since = next_rank = next_from = None
    for rank in BRIDGE_RANKS:
        first = row[_since(rank)]
        if first is None or (held and rank <= held):
            continue
        opens = add_years(first, YEARS_AT_LEVEL[rank])
        if opens <= day:
            target, since = rank, first
        else:
            next_rank, next_from = rank, opens
            break
    return BridgeStanding(worker, row["top"], held, target, since, next_rank, next_from)


def standings_for(rows, day: date) -> list[BridgeStanding]:
    """The standings of a page of bridge_rows, with the workers and any pending application."""
    rows = list(rows)
    ids = [row["worker_id"] for row in rows]
    workers = Worker.objects.select_related("enterprise").in_bulk(ids)
    pending = {a.worker_id: a for a in TitleApplication.objects.filter(worker__in=ids, status=Status.APPLIED)}
    standings = []
    for row in rows:
        standing = standing_from_row(row, workers[row["worker_id"]], day)
        standing.pending = pending.get(row["worker_id"])
        standings.append(standing)
    return standings


def standing_of(worker: Worker, day: date | None = None) -> BridgeStanding | None:
    day = day or today()
    found = standings_for(bridge_rows(Worker.objects.filter(pk=worker.pk), day, show="all"), day)
    return found[0] if found else None


def apply_for_title(
    user, worker: Worker, *, target_rank: int, submitted_on: date, body: str, specialty: str = ""
) -> TitleApplication:
    """File an application for a title the worker's skill level and years at it open on the day of filing."""
    _require(user.has_perm("careers.add_titleapplication"), "您无权登记贯通评审申报。")
    _visible_worker(user, worker)
    if submitted_on > today():
        raise ValidationError({"submitted_on": "申报日期不能晚于今天。"})
    if not (body or "").strip():
        raise ValidationError({"body": "请填写评审机构。"})
    standing = standing_of(worker, submitted_on)
    _check_open(worker, standing, target_rank, submitted_on)
    try:
        with transaction.atomic():
            return TitleApplication.objects.create(
                worker=worker,
                enterprise_id=worker.enterprise_id,
                target_rank=target_rank,
                qualifying_level=standing.highest_level,
                specialty=specialty.strip(),
                body=body.strip(),
                submitted_on=submitted_on,
                created_by=user,
            )
    except IntegrityError:
        raise ValidationError("该职工已有一份待评审的申报。") from None


def _check_open(worker: Worker, standing: BridgeStanding | None, target_rank: int, day: date) -> None:
    rank = TitleRank(target_rank) if target_rank in TitleRank.values else None
    if rank not in QUALIFYING_LEVEL:
        raise ValidationError({"target_rank": "贯通评审只能申报助理工程师、工程师或高级工程师。"})
    if TitleApplication.objects.filter(worker=worker, status=Status.APPLIED).exists():
        raise ValidationError("该职工已有一份待评审的申报，评审结果登记后才能再次申报。")
    if standing and standing.held_rank and standing.held_rank >= rank:
        raise ValidationError({"target_rank": f"该职工已取得{standing.held_label}，不需要申报{rank.label}。"})
    if standing and standing.target_rank and standing.target_rank >= rank:
        return
    qualifying, years = Level(QUALIFYING_LEVEL[rank]), YEARS_AT_LEVEL[rank]
    current = f"{day:%Y-%m-%d}有效的最高技能等级为{standing.level_label}" if standing else "没有高级工及以上的有效证书"
    raise ValidationError(
        {"target_rank": f"申报{rank.label}需取得{qualifying.label}及以上等级证书满{years}年；该职工{current}。"}
    )


def _award_title(application: TitleApplication, awarded_on: date) -> EngineeringTitle:
    """The title through the certificates app's own rules (the decider acts for the review body, not as its clerk)."""
    try:
        return certificate_services.record_title(
            application.worker,
            rank=application.target_rank,
            awarded_on=awarded_on,
            specialty=application.specialty,
            issuer=application.body,
            via_title_bridge=True,
        )
    except ValidationError as exc:
        raise ValidationError(exc.messages) from None


def can_decide(user, application: TitleApplication) -> bool:
    return user.has_perm("careers.decide_titleapplication") and scope_for(user).contains(application.enterprise)


def decide(
    user, application: TitleApplication, *, passed: bool, decided_on: date, note: str = "", specialty: str = ""
) -> TitleApplication:
    """Record the review's outcome; a pass creates the engineering title (marked as obtained through the bridge)."""
    _require(can_decide(user, application), "只有产改办可以登记评审结果。")
    if application.status != Status.APPLIED:
        raise ValidationError(f"该申报已登记结果（{application.get_status_display()}），不能重复登记。")
    if decided_on < application.submitted_on:
        raise ValidationError({"decided_on": f"评审结果日期不能早于申报日期{application.submitted_on:%Y-%m-%d}。"})
    if decided_on > today():
        raise ValidationError({"decided_on": "评审结果日期不能晚于今天。"})
    with transaction.atomic():
        application = TitleApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != Status.APPLIED:
            raise ValidationError("该申报已登记结果，不能重复登记。")
        if specialty.strip():
            application.specialty = specialty.strip()
        application.status = Status.PASSED if passed else Status.FAILED
        application.decided_on, application.decided_by, application.decision_note = decided_on, user, note.strip()
        if passed:
            application.title = _award_title(application, decided_on)
        application.save()
    return application

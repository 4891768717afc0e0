"""Business rules of pilots: application, review, approval, running, acceptance, demonstration, withdrawal;
pilot projects; pairing agreements. One function per transition, each writing a timeline row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from changai.accounts.scope import scope_for
from changai.orgs.models import Kind, Org, PilotLevel
from changai.worklists import services as worklists_services

from . import indicators
from .models import PILOT_KINDS, Pairing, PilotEvent, PilotProject, PilotType, PilotUnit
from .permissions import (
    EDITABLE_STATUSES,
    can_add_pairing,
    can_add_project,
    can_apply,
    can_edit_pilot,
    can_edit_project,
    can_transition,
)

Status = PilotUnit.Status
Action = PilotEvent.Action
FINAL_STATUSES = (Status.DEMONSTRATION, Status.WITHDRAWN)
OPEN_STATUSES = tuple(s for s in Status if s not in FINAL_STATUSES)
# Which office supervises a pilot of each level: the nearest ancestor of these kinds.
SUPERVISOR_KINDS = {
    PilotLevel.NATIONAL: (Kind.PROVINCE,),
    PilotLevel.PROVINCIAL: (Kind.PROVINCE,),
    PilotLevel.CITY: (Kind.CITY,),
    PilotLevel.COUNTY: (Kind.COUNTY,),
    PilotLevel.TOWN: (Kind.TOWN, Kind.PARK),
}
DEMONSTRATION_TITLES = {Kind.ENTERPRISE: "示范企业", Kind.PARK: "示范园区", Kind.TOWN: "示范乡镇（街道）"}
PILOT_FIELDS = ["level", "pilot_type", "batch", "period_start", "period_end", "summary"]
PROJECT_FIELDS = ["title", "pillar", "target", "owner", "start_date", "deadline", "progress", "status", "note"]


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    action: str
    verb: str
    style: str = "primary"


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("start_review", (Status.APPLICATION,), Status.REVIEW, Action.REVIEW_STARTED, "受理审核"),
        Transition("approve", (Status.REVIEW,), Status.APPROVED, Action.APPROVED, "批准试点", "success"),
        Transition("start_running", (Status.APPROVED,), Status.RUNNING, Action.STARTED, "启动实施"),
        Transition("request_acceptance", (Status.RUNNING,), Status.ACCEPTANCE, Action.ACCEPTANCE_REQUESTED, "申请验收"),
        Transition(
            "name_demonstration",
            (Status.ACCEPTANCE,),
            Status.DEMONSTRATION,
            Action.DEMONSTRATION_NAMED,
            "命名示范",
            "success",
        ),
        Transition("withdraw", OPEN_STATUSES, Status.WITHDRAWN, Action.WITHDRAWN, "撤销试点", "danger"),
    ]
}


def today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------------------- supervising office


def supervising_office(org: Org, level: str) -> Org | None:
    """The office a pilot of this level answers to: the nearest ancestor of the level's kind, else the parent."""
    ancestors = list(Org.objects.get_ancestors(org))
    kinds = SUPERVISOR_KINDS.get(level, ())
    for ancestor in reversed(ancestors):
        if ancestor.kind in kinds:
            return ancestor
    return ancestors[-1] if ancestors else None


def demonstration_title(pilot: PilotUnit) -> str:
    level = pilot.get_level_display().removesuffix("试点")
    return f"{level}产改{DEMONSTRATION_TITLES.get(pilot.org.kind, '示范单位')}"


# ---------------------------------------------------------------------------- application


def _check_pilot_fields(pilot: PilotUnit) -> None:
    if pilot.period_start and pilot.period_end and pilot.period_end <= pilot.period_start:
        raise ValidationError({"period_end": "试点结束日期应晚于开始日期。"})
    if pilot.pilot_type_id and not pilot.pilot_type.is_active:
        raise ValidationError({"pilot_type": "该试点类型已停用。"})
    duplicate = PilotUnit.objects.filter(org=pilot.org, level=pilot.level, status__in=OPEN_STATUSES).exclude(
        pk=pilot.pk
    )
    if duplicate.exists():
        raise ValidationError(
            {"level": f"“{pilot.org.name}”已有一个未结束的{pilot.get_level_display()}，不能重复申报。"}
        )
    pilot.supervisor = supervising_office(pilot.org, pilot.level)
    if pilot.supervisor is None:
        raise ValidationError({"level": "找不到该试点的主管产改办。"})
    pilot.full_clean(exclude=["applied_by", "approved_by"])


@transaction.atomic
def apply_pilot(
    user,
    org: Org,
    *,
    level: str,
    pilot_type: PilotType,
    period_start: date,
    period_end: date,
    batch: str = "",
    summary: str = "",
    on: date | None = None,
) -> PilotUnit:
    """Record an application (申报) for `org` to become a pilot of `level`."""
    if org.kind not in PILOT_KINDS:
        raise ValidationError("只有企业、园区或乡镇（街道）可以作为试点单位。")
    if not can_apply(user, org):
        raise PermissionDenied("您无权为该单位申报试点。")
    on = _effective_date(on)
    pilot = PilotUnit(
        org=org,
        level=level,
        pilot_type=pilot_type,
        period_start=period_start,
        period_end=period_end,
        batch=(batch or "").strip(),
        summary=(summary or "").strip(),
        status=Status.APPLICATION,
        applied_on=on,
        applied_by=_user_or_none(user),
    )
    _check_pilot_fields(pilot)
    pilot.save()
    _event(pilot, Action.APPLIED, "", user, on)
    return pilot


@transaction.atomic
def update_pilot(user, pilot: PilotUnit, **fields) -> PilotUnit:
    """Correct an application while it is not yet approved."""
    pilot = PilotUnit.objects.select_for_update().get(pk=pilot.pk)
    if not can_edit_pilot(user, pilot):
        raise PermissionDenied("您无权修改该试点。")
    if pilot.status not in EDITABLE_STATUSES:
        raise ValidationError(f"当前状态为“{pilot.get_status_display()}”，申报信息已不能修改。")
    for name, value in fields.items():
        if name not in PILOT_FIELDS:
            raise ValueError(f"{name} is not editable")
        setattr(pilot, name, value.strip() if isinstance(value, str) else value)
    _check_pilot_fields(pilot)
    pilot.save()
    _event(pilot, Action.EDITED, pilot.status, user, today())
    return pilot


# ---------------------------------------------------------------------------- transitions


def _effective_date(on: date | None, after: date | None = None) -> date:
    on = on or today()
    if on > today():
        raise ValidationError("生效日期不能晚于今天。")
    if after and on < after:
        raise ValidationError(f"生效日期不能早于上一环节的日期（{after:%Y年%-m月%-d日}）。")
    return on


def check_transition(pilot: PilotUnit, name: str) -> Transition:
    """The transition, or a ValidationError saying in Chinese why the pilot's status does not allow it."""
    transition = TRANSITIONS[name]
    if pilot.status in transition.sources:
        return transition
    current = pilot.get_status_display()
    if pilot.status in FINAL_STATUSES:
        raise ValidationError(f"当前状态为“{current}”，试点已结束，不能再{transition.verb}。")
    needed = "、".join(f"“{Status(s).label}”" for s in transition.sources)
    raise ValidationError(f"当前状态为“{current}”，不能直接{transition.verb}：须处于{needed}状态。")


def _transition(user, pilot: PilotUnit, name: str, *, on=None, comment: str = "", **changes) -> PilotUnit:
    pilot = PilotUnit.objects.select_for_update(of=("self",)).select_related("org", "supervisor").get(pk=pilot.pk)
    if not can_transition(user, pilot, name):
        raise PermissionDenied(f"您无权对该试点进行“{TRANSITIONS[name].verb}”操作。")
    transition = check_transition(pilot, name)
    last = pilot.events.exclude(action=Action.EDITED).order_by("-on").values_list("on", flat=True).first()
    on = _effective_date(on, last)
    before = pilot.status
    pilot.status = transition.target
    for field, value in changes.items():
        setattr(pilot, field, on if value is _ON else value)
    pilot.save()
    _event(pilot, transition.action, before, user, on, comment)
    org = pilot.org
    transaction.on_commit(lambda: indicators.forget(org))
    return pilot


_ON = object()  # stands for the transition's effective date in `changes`


@transaction.atomic
def start_review(user, pilot: PilotUnit, *, on: date | None = None, comment: str = "") -> PilotUnit:
    """The supervising office accepts the application for review (申报 → 审核中)."""
    return _transition(user, pilot, "start_review", on=on, comment=comment)


@transaction.atomic
def approve_pilot(
    user, pilot: PilotUnit, *, approval_no: str = "", on: date | None = None, comment: str = ""
) -> PilotUnit:
    """Approve the pilot (审核中 → 已批准); from this date it counts as a pilot of its level."""
    return _transition(
        user,
        pilot,
        "approve",
        on=on,
        comment=comment,
        approval_no=(approval_no or "").strip(),
        approved_on=_ON,
        approved_by=_user_or_none(user),
    )


@transaction.atomic
def start_running(user, pilot: PilotUnit, *, on: date | None = None, comment: str = "") -> PilotUnit:
    """The pilot starts its projects (已批准 → 实施中)."""
    return _transition(user, pilot, "start_running", on=on, comment=comment)


@transaction.atomic
def request_acceptance(user, pilot: PilotUnit, *, on: date | None = None, comment: str = "") -> PilotUnit:
    """The pilot asks to be checked and accepted (实施中 → 验收中)."""
    return _transition(user, pilot, "request_acceptance", on=on, comment=comment)


@transaction.atomic
def name_demonstration(
    user, pilot: PilotUnit, *, title: str = "", on: date | None = None, comment: str = ""
) -> PilotUnit:
    """Accept the pilot and name it a demonstration unit (验收中 → 命名示范), with its title."""
    title = (title or "").strip() or demonstration_title(pilot)
    return _transition(
        user,
        pilot,
        "name_demonstration",
        on=on,
        comment=comment,
        demonstration_title=title,
        demonstration_on=_ON,
    )


@transaction.atomic
def withdraw_pilot(user, pilot: PilotUnit, *, reason: str, on: date | None = None) -> PilotUnit:
    """Withdraw the pilot (or the application) from any state that is not final; a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写撤销原因。")
    return _transition(user, pilot, "withdraw", on=on, comment=reason, withdrawn_on=_ON)


SERVICES = {
    "start_review": start_review,
    "approve": approve_pilot,
    "start_running": start_running,
    "request_acceptance": request_acceptance,
    "name_demonstration": name_demonstration,
    "withdraw": withdraw_pilot,
}


def perform(user, pilot: PilotUnit, name: str, **kwargs) -> PilotUnit:
    """Run the transition called `name` (as posted by a form or the API) through its service function."""
    if name not in SERVICES:
        raise ValidationError("未知的操作。")
    return SERVICES[name](user, pilot, **kwargs)


def available_transitions(user, pilot: PilotUnit) -> list[Transition]:
    """The transitions the user may make now: allowed by the pilot's status and by the user's rights."""
    return [t for t in TRANSITIONS.values() if pilot.status in t.sources and can_transition(user, pilot, t.name)]


def _event(pilot, action, before, user, on, comment=""):
    PilotEvent.objects.create(
        pilot=pilot,
        action=action,
        from_status=before,
        to_status=pilot.status,
        actor=_user_or_none(user),
        on=on,
        comment=(comment or "").strip(),
    )


# ---------------------------------------------------------------------------- projects


def _clean_project(project: PilotProject) -> None:
    if project.start_date and project.deadline and project.deadline < project.start_date:
        raise ValidationError({"deadline": "完成时限不能早于开始日期。"})
    if project.status == PilotProject.Status.DONE:
        project.progress = 100
    elif project.status == PilotProject.Status.NOT_STARTED and project.progress:
        project.status = PilotProject.Status.IN_PROGRESS
    project.full_clean(exclude=["pilot", "updated_by"])


@transaction.atomic
def add_project(user, pilot: PilotUnit, **fields) -> PilotProject:
    """Add a project to an approved or running pilot."""
    if not can_add_project(user, pilot):
        if pilot.status not in (Status.APPROVED, Status.RUNNING, Status.ACCEPTANCE):
            raise ValidationError(f"当前状态为“{pilot.get_status_display()}”，不能添加试点项目。")
        raise PermissionDenied("您无权为该试点添加项目。")
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"{unknown} not editable")
    fields.setdefault("start_date", max(pilot.period_start, pilot.approved_on or pilot.period_start))
    project = PilotProject(pilot=pilot, updated_by=_user_or_none(user), **fields)
    _clean_project(project)
    project.save()
    project.plan_item = worklists_services.track_on_cadence(
        pilot.supervisor or pilot.org, user=_user_or_none(user), **_tracked_fields(project)
    )
    project.save(update_fields=["plan_item"])
    transaction.on_commit(lambda: indicators.forget(pilot.org))
    return project


def _tracked_fields(project: PilotProject) -> dict:
    """What the work-plan item of a pilot project carries: the pilot unit leads it."""
    return {
        "title": f"{project.pilot.org.name}：{project.title}"[:200],
        "pillar": project.pillar,
        "lead_unit": project.pilot.org,
        "target": project.target[:300],
        "starts_on": project.start_date,
        "deadline": project.deadline,
    }


@transaction.atomic
def update_project(user, project: PilotProject, **fields) -> PilotProject:
    """Update a project's plan or progress."""
    project = PilotProject.objects.select_for_update(of=("self",)).select_related("pilot__org").get(pk=project.pk)
    if not can_edit_project(user, project):
        if project.pilot.status not in (Status.APPROVED, Status.RUNNING, Status.ACCEPTANCE):
            raise ValidationError(f"试点当前状态为“{project.pilot.get_status_display()}”，项目已不能修改。")
        raise PermissionDenied("您无权修改该项目。")
    for name, value in fields.items():
        if name not in PROJECT_FIELDS:
            raise ValueError(f"{name} is not editable")
        setattr(project, name, value)
    project.updated_by = _user_or_none(user)
    _clean_project(project)
    project.save()
    if project.plan_item_id:
        tracked = _tracked_fields(project)
        tracked.pop("lead_unit")
        worklists_services.retrack(project.plan_item, _user_or_none(user), **tracked)
    org = project.pilot.org
    transaction.on_commit(lambda: indicators.forget(org))
    return project


# ---------------------------------------------------------------------------- pairings


@transaction.atomic
def create_pairing(
    user,
    *,
    lead_org: Org,
    partners,
    title: str,
    signed_on: date,
    content: str,
    valid_until: date | None = None,
    pilot: PilotUnit | None = None,
) -> Pairing:
    """Record a pairing agreement between a lead org and the partners it helps (all in the user's scope)."""
    if not can_add_pairing(user, lead_org):
        raise PermissionDenied("您无权为该单位登记结对。")
    partners = list(partners)
    scope = scope_for(user)
    if not partners:
        raise ValidationError({"partners": "请至少选择一家结对单位。"})
    if any(p.pk == lead_org.pk for p in partners):
        raise ValidationError({"partners": "结对单位不能包括牵头单位本身。"})
    if not all(scope.contains(p) for p in partners):
        raise ValidationError({"partners": "结对单位须在您的管辖范围内。"})
    if pilot is not None and pilot.org_id != lead_org.pk:
        raise ValidationError({"pilot": "所属试点须是牵头单位的试点。"})
    if signed_on > today():
        raise ValidationError({"signed_on": "签订日期不能晚于今天。"})
    if valid_until and valid_until < signed_on:
        raise ValidationError({"valid_until": "有效期不能早于签订日期。"})
    pairing = Pairing(
        title=(title or "").strip(),
        lead_org=lead_org,
        signed_on=signed_on,
        valid_until=valid_until,
        content=(content or "").strip(),
        pilot=pilot,
        created_by=_user_or_none(user),
    )
    pairing.full_clean(exclude=["created_by", "pilot"])
    pairing.save()
    pairing.partners.set(partners)
    return pairing


# ---------------------------------------------------------------------------- the map


MAP_COLUMNS = ["区划代码", "设区市", "试点单位数", *(level.label for level in PilotLevel), "已命名示范"]


def map_rows(pilots) -> list[list]:
    """Per Jiangsu city (by GB/T 2260 code): the pilots below it, in total, by level and named demonstrations."""
    from changai.indicators.registry import count_in_subtrees

    cities = list(Org.objects.filter(kind=Kind.CITY, is_active=True).order_by("code"))
    pilots = pilots.order_by()
    total = count_in_subtrees(pilots, cities, path_field="org__path")
    by_level = [count_in_subtrees(pilots.filter(level=level), cities, path_field="org__path") for level in PilotLevel]
    named = count_in_subtrees(pilots.filter(status=Status.DEMONSTRATION), cities, path_field="org__path")
    return [
        [city.code, city.name, total[city.pk], *(counts[city.pk] for counts in by_level), named[city.pk]]
        for city in cities
    ]


# ---------------------------------------------------------------------------- pilot types


@transaction.atomic
def save_pilot_type(user, pilot_type: PilotType) -> PilotType:
    """Create or edit a pilot type (an office's configuration, not a workflow)."""
    perm = "pilots.change_pilottype" if pilot_type.pk else "pilots.add_pilottype"
    if not user.has_perm(perm):
        raise PermissionDenied("您无权维护试点类型。")
    pilot_type.full_clean()
    pilot_type.save()
    return pilot_type


def _user_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None

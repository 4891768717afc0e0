"""Training rules: who may run a class, enrolment within capacity, attendance in person-times, completion,
education upgrades and scholarships. Views, the API, the importer and the demo all go through these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from changai.accounts.scope import scope_for
from changai.orgs.models import Org
from changai.workers.models import Education, Worker
from changai.workers.services import update_worker

from .models import (
    Attendance,
    Course,
    EducationUpgrade,
    Enrolment,
    ScholarshipPayment,
    TrainingClass,
    TrainingSession,
)

Status = EducationUpgrade.Status
# The order of diplomas, to tell whether graduating raises a worker's recorded education.
EDUCATION_ORDER = [value for value, _ in Education.choices]


def today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------------------- predicates


def can_manage_course(user, course: Course) -> bool:
    return user.has_perm("training.change_course") and scope_for(user).contains(course.organiser)


def can_manage_class(user, training_class: TrainingClass) -> bool:
    """Only the organiser's side runs a class; an enterprise that only has workers on it reads it."""
    return user.has_perm("training.change_trainingclass") and scope_for(user).contains(training_class.organiser)


def can_manage_upgrade(user, upgrade: EducationUpgrade) -> bool:
    return user.has_perm("training.change_educationupgrade") and scope_for(user).contains(upgrade.enterprise)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _check_organiser(user, organiser: Org) -> None:
    if not scope_for(user).contains(organiser):
        raise ValidationError({"organiser": "主办单位不在您的管辖范围内。"})


def _full_clean(instance, exclude=None) -> None:
    instance.full_clean(exclude=exclude, validate_constraints=False)


# ---------------------------------------------------------------------------- courses and classes


def save_course(user, course: Course) -> Course:
    """Create or update a course organised in the user's scope."""
    perm = "training.add_course" if course.pk is None else "training.change_course"
    _require(user.has_perm(perm), "您无权维护课程。")
    _check_organiser(user, course.organiser)
    if course.pk is None:
        course.created_by = user
    _full_clean(course, exclude=["created_by"])
    course.save()
    return course


def save_class(user, training_class: TrainingClass) -> TrainingClass:
    """Create or update a class; its dates must hold its sessions and its capacity its roster."""
    creating = training_class.pk is None
    perm = "training.add_trainingclass" if creating else "training.change_trainingclass"
    _require(user.has_perm(perm), "您无权开班。")
    _check_organiser(user, training_class.organiser)
    course = training_class.course
    if not scope_for(user).contains(course.organiser):
        raise ValidationError({"course": "只能选择您管辖范围内单位的课程。"})
    if creating and not course.is_active:
        raise ValidationError({"course": "该课程已停用，不能再开新班。"})
    errors = {}
    if training_class.ends_on < training_class.starts_on:
        errors["ends_on"] = "结业日期不能早于开班日期。"
    if not creating:
        errors.update(_class_edit_errors(training_class))
    if errors:
        raise ValidationError(errors)
    if creating:
        training_class.created_by = user
    _full_clean(training_class, exclude=["created_by"])
    training_class.save()
    return training_class


def _class_edit_errors(training_class: TrainingClass) -> dict:
    errors = {}
    enrolled = training_class.enrolments.count()
    if training_class.capacity < enrolled:
        errors["capacity"] = f"已有{enrolled}人报名，限额不能少于报名人数。"
    outside = training_class.sessions.exclude(held_on__range=(training_class.starts_on, training_class.ends_on))
    first = outside.order_by("held_on").first()
    if first:
        errors["starts_on"] = f"已排的{first}不在开班和结业日期之间，请先调整课次。"
    short = training_class.enrolments.filter(completed=True, attended_hours__lt=training_class.required_hours)
    if short.exists():
        errors["required_hours"] = f"已有{short.count()}名学员按原结业学时结业，结业学时不能提高到他们的参训学时以上。"
    return errors


def add_session(user, training_class: TrainingClass, *, held_on: date, hours: Decimal, topic: str = ""):
    """Schedule the next session of a class (numbered in order of creation)."""
    _require(can_manage_class(user, training_class), "只有主办方可以排课。")
    if not training_class.starts_on <= held_on <= training_class.ends_on:
        raise ValidationError(
            {"held_on": f"上课日期应在{training_class.starts_on:%Y-%m-%d}至{training_class.ends_on:%Y-%m-%d}之间。"}
        )
    if hours is None or hours <= 0:
        raise ValidationError({"hours": "学时应大于0。"})
    with transaction.atomic():
        TrainingClass.objects.select_for_update().filter(pk=training_class.pk).first()
        last = training_class.sessions.aggregate(last=Max("number"))["last"] or 0
        session = TrainingSession(training_class=training_class, number=last + 1, held_on=held_on, hours=hours)
        session.topic = topic.strip()
        _full_clean(session)
        session.save()
    return session


def remove_session(user, session: TrainingSession) -> None:
    """Remove a session that nobody has been marked present at."""
    _require(can_manage_class(user, session.training_class), "只有主办方可以调整课次。")
    if session.attendances.exists():
        raise ValidationError("该课次已登记出勤，不能删除；请先取消该课次的出勤记录。")
    session.delete()


# ---------------------------------------------------------------------------- enrolment


@dataclass
class EnrolResult:
    enrolled: list[Enrolment] = field(default_factory=list)
    already: list[Worker] = field(default_factory=list)


def enrol(user, training_class: TrainingClass, workers: Iterable[Worker], on: date | None = None) -> EnrolResult:
    """Put workers of enterprises in the user's scope on the roster; workers already on it are left as they are."""
    _require(can_manage_class(user, training_class), "只有主办方可以为本班报名。")
    on = on or today()
    workers = list(workers)
    visible = set(Worker.objects.visible_to(user).filter(pk__in=[w.pk for w in workers]).values_list("pk", flat=True))
    for worker in workers:
        if worker.pk not in visible:
            raise ValidationError(f"职工{worker.name}不在您管辖范围内的企业，不能报名。")
        if worker.enterprise_id is None:
            raise ValidationError(f"职工{worker.name}目前没有工作单位，不能报名。")
    result = EnrolResult()
    with transaction.atomic():
        TrainingClass.objects.select_for_update().filter(pk=training_class.pk).first()
        on_roster = set(training_class.enrolments.values_list("worker_id", flat=True))
        new = [worker for worker in dict.fromkeys(workers) if worker.pk not in on_roster]
        result.already = [worker for worker in workers if worker.pk in on_roster]
        free = training_class.capacity - len(on_roster)
        if len(new) > free:
            raise ValidationError(
                f"名额不足：本班限额{training_class.capacity}人，已报名{len(on_roster)}人，"
                f"还能报名{max(free, 0)}人，本次选择了{len(new)}人。"
            )
        for worker in new:
            enrolment = Enrolment(
                training_class=training_class,
                worker=worker,
                enterprise_id=worker.enterprise_id,
                enrolled_on=on,
                enrolled_by=user,
            )
            enrolment.save()
            result.enrolled.append(enrolment)
    return result


def withdraw(user, enrolment: Enrolment) -> None:
    """Take a worker off the roster before any attendance is recorded."""
    _require(can_manage_class(user, enrolment.training_class), "只有主办方可以调整报名。")
    if enrolment.attendances.exists():
        raise ValidationError(f"{enrolment.worker.name}已有出勤记录，不能取消报名。")
    enrolment.delete()


# ---------------------------------------------------------------------------- attendance and completion


def set_attendance(user, session: TrainingSession, present: Iterable[Enrolment]) -> dict:
    """Make the session's attendance exactly the given enrolments; returns {"added": n, "removed": n}."""
    training_class = session.training_class
    _require(can_manage_class(user, training_class), "只有主办方可以登记出勤。")
    wanted = {enrolment.pk for enrolment in present}
    roster = set(training_class.enrolments.values_list("pk", flat=True))
    if wanted - roster:
        raise ValidationError("只能为本班已报名的学员登记出勤。")
    with transaction.atomic():
        current = set(session.attendances.values_list("enrolment_id", flat=True))
        removed = current - wanted
        session.attendances.filter(enrolment_id__in=removed).delete()
        Attendance.objects.bulk_create(
            [Attendance(session=session, enrolment_id=pk, recorded_by=user) for pk in sorted(wanted - current)]
        )
        _reassess(Enrolment.objects.filter(pk__in=wanted | removed))
    return {"added": len(wanted - current), "removed": len(removed)}


def mark_present(user, session: TrainingSession, enrolments: Iterable[Enrolment]) -> int:
    """Add attendance (keeping what is there); returns how many person-times were new."""
    training_class = session.training_class
    _require(can_manage_class(user, training_class), "只有主办方可以登记出勤。")
    pks = {enrolment.pk for enrolment in enrolments}
    current = set(session.attendances.filter(enrolment_id__in=pks).values_list("enrolment_id", flat=True))
    Attendance.objects.bulk_create(
        [Attendance(session=session, enrolment_id=pk, recorded_by=user) for pk in sorted(pks - current)]
    )
    _reassess(Enrolment.objects.filter(pk__in=pks))
    return len(pks - current)


def _reassess(enrolments) -> None:
    """Recount attended sessions and hours; a completion the hours no longer support is withdrawn."""
    enrolments = list(enrolments.select_related("training_class"))
    totals = {
        row["enrolment_id"]: row
        for row in Attendance.objects.filter(enrolment__in=[e.pk for e in enrolments])
        .values("enrolment_id")
        .annotate(sessions=Count("pk"), hours=Sum("session__hours"))
    }
    for enrolment in enrolments:
        row = totals.get(enrolment.pk, {})
        enrolment.attended_sessions = row.get("sessions", 0)
        enrolment.attended_hours = row.get("hours") or Decimal("0")
        if enrolment.completed and enrolment.attended_hours < enrolment.training_class.required_hours:
            enrolment.completed, enrolment.completed_on = False, None
        enrolment.save(update_fields=["attended_sessions", "attended_hours", "completed", "completed_on"])


def meets_requirement(enrolment: Enrolment) -> bool:
    return enrolment.attended_hours >= enrolment.training_class.required_hours


@dataclass
class CompletionResult:
    completed: list[Enrolment] = field(default_factory=list)
    short: list[Enrolment] = field(default_factory=list)


def complete(user, training_class: TrainingClass, enrolments: Iterable[Enrolment], on: date | None = None):
    """Mark the enrolments whose attended hours reach the class's requirement as completed on `on`."""
    _require(can_manage_class(user, training_class), "只有主办方可以办理结业。")
    on = on or today()
    if on < training_class.starts_on:
        raise ValidationError(f"结业日期不能早于开班日期{training_class.starts_on:%Y-%m-%d}。")
    if on > today():
        raise ValidationError("结业日期不能晚于今天。")
    result = CompletionResult()
    pks = [enrolment.pk for enrolment in enrolments]
    with transaction.atomic():
        current = Enrolment.objects.select_for_update().filter(pk__in=pks)
        current = list(current.select_related("worker", "training_class").order_by("pk"))
        if len(current) != len(set(pks)) or any(e.training_class_id != training_class.pk for e in current):
            raise ValidationError("只能为本班学员办理结业。")
        for enrolment in current:
            if enrolment.completed:
                continue
            if not meets_requirement(enrolment):
                result.short.append(enrolment)
                continue
            enrolment.completed, enrolment.completed_on = True, on
            enrolment.save(update_fields=["completed", "completed_on"])
            result.completed.append(enrolment)
    return result


def revoke_completion(user, enrolment: Enrolment) -> None:
    _require(can_manage_class(user, enrolment.training_class), "只有主办方可以办理结业。")
    enrolment.completed, enrolment.completed_on = False, None
    enrolment.save(update_fields=["completed", "completed_on"])


def class_summary(training_class: TrainingClass) -> dict:
    """Roster figures of one class: enrolled, completed, person-times, sessions and hours scheduled."""
    enrolments = training_class.enrolments.aggregate(
        enrolled=Count("pk"), completed=Count("pk", filter=Q(completed=True))
    )
    sessions = training_class.sessions.aggregate(sessions=Count("pk"), hours=Sum("hours"))
    person_times = Attendance.objects.filter(session__training_class=training_class).count()
    return {**enrolments, **sessions, "hours": sessions["hours"] or Decimal("0"), "person_times": person_times}


# ---------------------------------------------------------------------------- education upgrades


def save_upgrade(user, upgrade: EducationUpgrade) -> EducationUpgrade:
    """Record a worker's study (入学) or correct it; the enterprise is the worker's at enrolment."""
    creating = upgrade.pk is None
    _require(
        user.has_perm("training.add_educationupgrade" if creating else "training.change_educationupgrade"),
        "您无权登记学历提升。",
    )
    if creating:
        worker = upgrade.worker
        if not Worker.objects.visible_to(user).filter(pk=worker.pk).exists():
            raise ValidationError({"worker": "该职工不在您管辖范围内的企业。"})
        if worker.enterprise_id is None:
            raise ValidationError({"worker": "该职工目前没有工作单位。"})
        upgrade.enterprise_id = worker.enterprise_id
        upgrade.created_by = user
    elif not can_manage_upgrade(user, upgrade):
        raise PermissionDenied("您无权修改该学历提升记录。")
    else:
        _check_edit_dates(upgrade)
    if upgrade.expected_on and upgrade.started_on and upgrade.expected_on <= upgrade.started_on:
        raise ValidationError({"expected_on": "预计毕业日期应晚于入学日期。"})
    if upgrade.started_on and upgrade.started_on > today():
        raise ValidationError({"started_on": "入学日期不能晚于今天。"})
    _full_clean(upgrade, exclude=["created_by"])
    upgrade.save()
    return upgrade


def _check_edit_dates(upgrade: EducationUpgrade) -> None:
    first = upgrade.payments.order_by("paid_on").first()
    if first and upgrade.started_on and first.paid_on < upgrade.started_on:
        raise ValidationError({"started_on": f"已有{first.paid_on:%Y-%m-%d}发放的助学金，入学日期不能晚于该日。"})
    ended = upgrade.graduated_on or upgrade.withdrawn_on
    if ended and upgrade.started_on and ended < upgrade.started_on:
        raise ValidationError({"started_on": f"入学日期不能晚于已登记的毕业或退学日期{ended:%Y-%m-%d}。"})


def graduate(user, upgrade: EducationUpgrade, on: date) -> EducationUpgrade:
    """Record the diploma; the worker's recorded education rises to it if it was lower."""
    _require(can_manage_upgrade(user, upgrade), "您无权办理该学历提升记录。")
    if upgrade.status != Status.STUDYING:
        raise ValidationError(f"该记录状态为“{upgrade.get_status_display()}”，不能再登记毕业。")
    _check_end(upgrade, on, "毕业")
    with transaction.atomic():
        upgrade.status, upgrade.graduated_on = Status.GRADUATED, on
        upgrade.save(update_fields=["status", "graduated_on", "updated_at"])
        worker = Worker.objects.select_for_update().get(pk=upgrade.worker_id)
        if _education_rank(upgrade.level) > _education_rank(worker.education):
            update_worker(worker, education=upgrade.level)
    return upgrade


def withdraw_study(user, upgrade: EducationUpgrade, on: date) -> EducationUpgrade:
    _require(can_manage_upgrade(user, upgrade), "您无权办理该学历提升记录。")
    if upgrade.status != Status.STUDYING:
        raise ValidationError(f"该记录状态为“{upgrade.get_status_display()}”，不能再登记退学。")
    _check_end(upgrade, on, "退学")
    upgrade.status, upgrade.withdrawn_on = Status.WITHDRAWN, on
    upgrade.save(update_fields=["status", "withdrawn_on", "updated_at"])
    return upgrade


def _check_end(upgrade: EducationUpgrade, on: date, what: str) -> None:
    if on < upgrade.started_on:
        raise ValidationError(f"{what}日期不能早于入学日期{upgrade.started_on:%Y-%m-%d}。")
    if on > today():
        raise ValidationError(f"{what}日期不能晚于今天。")


def _education_rank(value: str) -> int:
    return EDUCATION_ORDER.index(value) if value in EDUCATION_ORDER else -1


def pay_scholarship(user, upgrade: EducationUpgrade, *, amount: Decimal, paid_on: date, payer: Org, note: str = ""):
    """Record a scholarship paid by an org in the user's scope to a worker studying (or just graduated)."""
    _require(user.has_perm("training.add_scholarshippayment"), "您无权登记助学金。")
    if not scope_for(user).contains(payer):
        raise ValidationError({"payer": "发放单位不在您的管辖范围内。"})
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "金额应大于0。"})
    if paid_on > today():
        raise ValidationError({"paid_on": "发放日期不能晚于今天。"})
    if paid_on < upgrade.started_on:
        raise ValidationError({"paid_on": f"发放日期不能早于入学日期{upgrade.started_on:%Y-%m-%d}。"})
    if upgrade.status == Status.WITHDRAWN and paid_on > upgrade.withdrawn_on:
        raise ValidationError({"paid_on": f"该职工已于{upgrade.withdrawn_on:%Y-%m-%d}退学，之后不能再发放助学金。"})
    payment = ScholarshipPayment(
        upgrade=upgrade, amount=amount, paid_on=paid_on, payer=payer, note=note.strip(), created_by=user
    )
    _full_clean(payment, exclude=["created_by"])
    payment.save()
    return payment


def scholarship_total(payments) -> Decimal:
    return payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")

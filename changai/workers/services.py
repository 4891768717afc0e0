"""The worker ledger: registering, editing, moving and leaving; who sees full numbers, and the log of it.

Identity numbers and phones are kept encrypted with a keyed hash (pii.py); a worker is found by the
hash of the normalised number, so one person is one Worker however many employers they pass through.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from changai.accounts.scope import scope_for
from changai.orgs.models import Kind, Org

from . import pii
from .cleaning import id_facts, normalise_id_number, normalise_phone
from .models import Employment, Ending, FullNumberView, Sequence, Worker

FULL_NUMBER_PERMISSION = "workers.view_full_number"
PERSONAL_FIELDS = ("name", "education", "political_status")
JOB_FIELDS = ("occupation", "frontline", "sequence", "grade", "hired_on")
JOB_DEFAULTS = {"occupation": None, "frontline": True, "sequence": Sequence.SKILLS, "grade": "", "hired_on": None}


def today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------------------- who may do what


def _enterprise_of(worker_or_enterprise) -> Org | None:
    if isinstance(worker_or_enterprise, Worker):
        return worker_or_enterprise.enterprise
    return worker_or_enterprise


def can_manage(user, worker_or_enterprise) -> bool:
    """Keeps the ledger of this enterprise: the enterprise union (and its group head), the admin."""
    enterprise = _enterprise_of(worker_or_enterprise)
    return enterprise is not None and user.has_perm("workers.change_worker") and scope_for(user).contains(enterprise)


def can_see_full_numbers(user, worker_or_enterprise) -> bool:
    """Full identity numbers and phones: holders of workers.view_full_number, for enterprises in their scope."""
    enterprise = _enterprise_of(worker_or_enterprise)
    if not user.has_perm(FULL_NUMBER_PERMISSION):
        return False
    if enterprise is None:  # a worker no longer employed anywhere: only those who see everything
        return scope_for(user).everything
    return scope_for(user).contains(enterprise)


def _require_manage(user, worker_or_enterprise) -> None:
    if user is not None and not can_manage(user, worker_or_enterprise):
        raise PermissionDenied("您无权维护该企业的职工台账。")


# ---------------------------------------------------------------------------- finding people


def id_hash_of(number: str) -> str:
    """The look-up key of a number as typed (normalised first; raises ValidationError if invalid)."""
    return pii.keyed_hash(normalise_id_number(number))


def find_worker_by_id_number(number) -> Worker | None:
    """The worker with this identity number (any spelling users type), or None (also for an invalid number)."""
    try:
        key = id_hash_of(number)
    except ValidationError:
        return None
    return Worker.objects.select_related("enterprise", "occupation").filter(id_hash=key).first()


# ---------------------------------------------------------------------------- personal data


def set_identity(worker: Worker, id_number) -> None:
    """Store a number encrypted with its hash and masked copy, and the gender and birth date it carries."""
    number = normalise_id_number(id_number)
    key = pii.keyed_hash(number)
    if Worker.objects.filter(id_hash=key).exclude(pk=worker.pk).exists():
        raise ValidationError({"id_number": "该身份证号已登记在另一名职工名下。"})
    worker.id_hash = key
    worker.id_cipher = pii.encrypt(number)
    worker.id_masked = pii.mask_id_number(number)
    worker.gender, worker.birth_date = id_facts(number)


def set_phone(worker: Worker, phone) -> None:
    number = normalise_phone(phone)
    worker.phone_cipher = pii.encrypt(number)
    worker.phone_masked = pii.mask_phone(number)


def _apply(instance, fields: dict, names) -> None:
    for name in names:
        if name in fields:
            setattr(instance, name, fields[name])


def _check_job(fields: dict) -> None:
    hired_on = fields.get("hired_on")
    if hired_on and hired_on > today():
        raise ValidationError({"hired_on": "入职日期不能晚于今天。"})
    occupation = fields.get("occupation")
    if occupation is not None and not occupation.is_active:
        raise ValidationError({"occupation": f"职业“{occupation.name}”已停用，请选择其他职业。"})


def _check_enterprise(enterprise: Org) -> None:
    if enterprise.kind != Kind.ENTERPRISE:
        raise ValidationError("职工只能登记在企业下。")


def _open_employment(worker: Worker) -> Employment | None:
    return worker.employments.filter(left_on__isnull=True).first()


# ---------------------------------------------------------------------------- registering and editing


@transaction.atomic
def register_worker(enterprise: Org, *, name: str, id_number, phone="", user=None, **fields) -> Worker:
    """Put a person on an enterprise's ledger: a new Worker, or one who has left somewhere else (re-hired,
    keeping their timeline). Someone still employed elsewhere must leave or be moved first."""
    _require_manage(user, enterprise)
    _check_enterprise(enterprise)
    _check_job(fields)
    existing = find_worker_by_id_number(id_number)
    if existing is not None:
        return _rehire(existing, enterprise, name=name, phone=phone, user=user, **fields)
    worker = Worker(enterprise=enterprise, name=name.strip())
    set_identity(worker, id_number)
    set_phone(worker, phone)
    _apply(worker, fields, PERSONAL_FIELDS)
    _open_job(worker, enterprise, {**JOB_DEFAULTS, **{k: v for k, v in fields.items() if k in JOB_FIELDS}})
    return worker


def _rehire(worker: Worker, enterprise: Org, *, name, phone, user, **fields) -> Worker:
    if worker.enterprise_id == enterprise.pk:
        raise ValidationError({"id_number": f"该职工（{worker.name}）已在本企业职工台账中。"})
    if worker.enterprise_id is not None:
        raise ValidationError(
            {"id_number": "该职工目前在其他单位在职，请原单位办理离职后再登记，或由共同的上级单位办理调动。"}
        )
    hired_on = fields.get("hired_on")
    last = worker.employments.exclude(left_on__isnull=True).order_by("-left_on").first()
    if hired_on and last and hired_on <= last.left_on:
        raise ValidationError({"hired_on": f"入职日期应晚于上一份工作的离职日期（{last.left_on:%Y-%m-%d}）。"})
    worker.name = name.strip()
    if phone:
        set_phone(worker, phone)
    _apply(worker, fields, PERSONAL_FIELDS)
    _open_job(worker, enterprise, {**JOB_DEFAULTS, **{k: v for k, v in fields.items() if k in JOB_FIELDS}})
    return worker


def _open_job(worker: Worker, enterprise: Org, job: dict) -> Employment:
    for name, value in job.items():
        setattr(worker, name, value)
    worker.enterprise = enterprise
    worker.save()
    return Employment.objects.create(worker=worker, enterprise=enterprise, **job)


@transaction.atomic
def update_worker(worker: Worker, *, user=None, id_number=None, phone=None, **fields) -> Worker:
    """Change personal data and the current job (mirrored on the open Employment)."""
    _require_manage(user, worker)
    _check_job(fields)
    if id_number is not None:
        set_identity(worker, id_number)
    if phone is not None:
        set_phone(worker, phone)
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    _apply(worker, fields, PERSONAL_FIELDS + JOB_FIELDS)
    worker.save()
    job = _open_employment(worker)
    if job is not None:
        _apply(job, fields, JOB_FIELDS)
        job.save()
    return worker


# ---------------------------------------------------------------------------- moving and leaving


@transaction.atomic
def move_worker(worker: Worker, enterprise: Org, on: date, *, user=None, **fields) -> Employment:
    """Move a worker to another enterprise from `on`: the old stint ends the day before, a new one opens.

    The worker stays one Worker, so certificates, training and the rest of the timeline go along.
    Job fields not given carry over from the current job.
    """
    _require_manage(user, worker)
    _require_manage(user, enterprise)
    _check_enterprise(enterprise)
    current = _open_employment(worker)
    if current is not None and current.enterprise_id == enterprise.pk:
        raise ValidationError({"enterprise": "调入单位与现单位相同。"})
    if on > today():
        raise ValidationError({"on": "调动日期不能晚于今天。"})
    if current is not None and current.hired_on and on <= current.hired_on:
        raise ValidationError({"on": f"调动日期应晚于在现单位的入职日期（{current.hired_on:%Y-%m-%d}）。"})
    job = {name: getattr(current or worker, name) for name in JOB_FIELDS if name != "hired_on"}
    job.update({name: value for name, value in fields.items() if name in JOB_FIELDS and name != "hired_on"})
    _check_job(job)
    if current is not None:
        current.left_on = on - timedelta(days=1)
        current.ended_by = Ending.MOVED
        current.save(update_fields=["left_on", "ended_by"])
    return _open_job(worker, enterprise, {**job, "hired_on": on})


@transaction.atomic
def leave_worker(worker: Worker, on: date, *, reason: str = "", user=None) -> Employment:
    """The worker leaves (离职) on `on`, their last working day; the ledger keeps the closed stint."""
    _require_manage(user, worker)
    current = _open_employment(worker)
    if current is None:
        raise ValidationError("该职工当前没有在职记录。")
    if on > today():
        raise ValidationError({"on": "离职日期不能晚于今天。"})
    if current.hired_on and on < current.hired_on:
        raise ValidationError({"on": f"离职日期不能早于入职日期（{current.hired_on:%Y-%m-%d}）。"})
    current.left_on = on
    current.ended_by = Ending.LEFT
    current.leave_reason = reason.strip()[:100]
    current.save(update_fields=["left_on", "ended_by", "leave_reason"])
    worker.enterprise = None
    worker.hired_on = None
    worker.save(update_fields=["enterprise", "hired_on", "updated_at"])
    return current


# ---------------------------------------------------------------------------- full numbers


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


def log_full_view(user, *, field, channel, worker=None, enterprise=None, rows=1, request=None) -> FullNumberView:
    return FullNumberView.objects.create(
        user=user,
        worker=worker,
        enterprise=enterprise if enterprise is not None else (worker.enterprise if worker else None),
        field=field,
        channel=channel,
        rows=rows,
        ip=client_ip(request),
    )


def _require_full(user, worker_or_enterprise) -> None:
    if not can_see_full_numbers(user, worker_or_enterprise):
        raise PermissionDenied("您无权查看完整号码。")


def reveal_id_number(user, worker: Worker, channel=FullNumberView.Channel.PAGE, request=None) -> str:
    """The worker's full identity number, for a user allowed to see it; the view is logged."""
    _require_full(user, worker)
    log_full_view(user, field=FullNumberView.Field.ID_NUMBER, channel=channel, worker=worker, request=request)
    return pii.decrypt(worker.id_cipher)


def reveal_numbers(user, worker: Worker, channel=FullNumberView.Channel.PAGE, request=None) -> tuple[str, str]:
    """(identity number, phone) in full, logged as one view of both."""
    _require_full(user, worker)
    field = FullNumberView.Field.BOTH if worker.phone_cipher else FullNumberView.Field.ID_NUMBER
    log_full_view(user, field=field, channel=channel, worker=worker, request=request)
    return pii.decrypt(worker.id_cipher), pii.decrypt(worker.phone_cipher)


def full_id_number(worker: Worker) -> str:
    """Decrypt without logging: for callers that log once for many rows (exports, API lists)."""
    return pii.decrypt(worker.id_cipher)


def full_phone(worker: Worker) -> str:
    return pii.decrypt(worker.phone_cipher)

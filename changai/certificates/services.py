"""Skill certificates: the ladder and current levels, issuing (with the self-rating check), revoking,
engineering titles, self-rating authorisations and rating batches.

Views, the API, importers, demo loaders and other apps (allowances, careers) call these functions;
nothing else writes certificates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from changai.accounts.scope import scope_for
from changai.orgs.models import Kind, Org
from changai.workers.models import Employment, Occupation, Worker

from .models import (
    Candidate,
    Certificate,
    EngineeringTitle,
    Level,
    RatingBatch,
    Route,
    SelfRatingAuthorisation,
    TitleRank,
    level_name,
)

EXPIRY_WARNING_DAYS = 90
NUMBER_PATTERN = re.compile(r"^[0-9A-Za-z\-_/()（）]+$")
SEQUENCE_DIGITS = 4


def today() -> date:
    """The date levels and expiry are judged on (one place, so tests can move it)."""
    return timezone.localdate()


# ---------------------------------------------------------------------------- levels


def current_levels(worker: Worker, on: date | None = None) -> dict[int, Level]:
    """Occupation id → the highest level of the worker's certificates valid on that day."""
    rows = (
        Certificate.objects.filter(worker=worker)
        .valid_on(on or today())
        .values("occupation_id")
        .annotate(top=Max("level"))
        .order_by()
    )
    return {row["occupation_id"]: Level(row["top"]) for row in rows}


def highest_level(worker: Worker, on: date | None = None) -> int | None:
    """The worker's highest valid level in any occupation, or None without a valid certificate."""
    top = Certificate.objects.filter(worker=worker).valid_on(on or today()).aggregate(top=Max("level"))["top"]
    return Level(top) if top else None


def highest_levels(workers, on: date | None = None) -> dict[int, int]:
    """Worker id → highest valid level, for a queryset (or list of ids) of workers, in one query."""
    certificates = Certificate.objects.valid_on(on or today())
    if hasattr(workers, "values"):
        certificates = certificates.filter(worker__in=workers.values("pk"))
    else:
        certificates = certificates.filter(worker_id__in=list(workers))
    rows = certificates.values("worker_id").annotate(top=Max("level")).order_by()
    return {row["worker_id"]: row["top"] for row in rows}


def highest_title(worker: Worker, on: date | None = None) -> TitleRank | None:
    """The worker's highest engineering title awarded by that day."""
    top = worker.titles.filter(awarded_on__lte=on or today()).aggregate(top=Max("rank"))["top"]
    return TitleRank(top) if top else None


def highest_titles(workers, on: date | None = None) -> dict[int, int]:
    """Worker id → highest engineering title rank awarded by that day, in one query."""
    titles = EngineeringTitle.objects.filter(awarded_on__lte=on or today())
    if hasattr(workers, "values"):
        titles = titles.filter(worker__in=workers.values("pk"))
    else:
        titles = titles.filter(worker_id__in=list(workers))
    rows = titles.values("worker_id").annotate(top=Max("rank")).order_by()
    return {row["worker_id"]: row["top"] for row in rows}


def expired(certificates, on: date | None = None):
    """Certificates (not revoked) whose validity ended before the day."""
    return certificates.filter(revoked=False, expires_on__lt=on or today())


def expiring(certificates, on: date | None = None, days: int = EXPIRY_WARNING_DAYS):
    """Certificates (not revoked) still valid on the day that expire within `days` days."""
    day = on or today()
    return certificates.filter(revoked=False, issued_on__lte=day, expires_on__range=(day, day + timedelta(days=days)))


def with_replaced(certificates, on: date | None = None):
    """Annotate `replaced`: the worker holds a valid certificate of the same occupation at least as high."""
    better = Certificate.objects.valid_on(on or today()).filter(
        worker=OuterRef("worker"), occupation=OuterRef("occupation"), level__gte=OuterRef("level")
    )
    return certificates.annotate(replaced=Exists(better.exclude(pk=OuterRef("pk"))))


# ---------------------------------------------------------------------------- employers


def enterprise_on(worker: Worker, day: date) -> Org | None:
    """Where the worker was employed on the day (their history across employers), else the current employer."""
    stint = (
        Employment.objects.filter(worker=worker, hired_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .select_related("enterprise")
        .order_by("-hired_on", "-pk")
        .first()
    )
    if stint is not None:
        return stint.enterprise
    return worker.enterprise


class EmployerHistory:
    """Where many workers were employed on given days, loaded at once (imports of thousands of rows)."""

    def __init__(self, worker_ids: Iterable[int]):
        self.stints: dict[int, list[tuple]] = defaultdict(list)
        self.current: dict[int, int | None] = {}
        ids = sorted(set(worker_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            stints = Employment.objects.filter(worker_id__in=chunk, hired_on__isnull=False)
            for worker_id, enterprise_id, hired_on, left_on in stints.values_list(
                "worker_id", "enterprise_id", "hired_on", "left_on"
            ):
                self.stints[worker_id].append((hired_on, left_on, enterprise_id))
            self.current.update(Worker.objects.filter(pk__in=chunk).values_list("pk", "enterprise_id"))
        for stints in self.stints.values():
            stints.sort(reverse=True)

    def on(self, worker_id: int, day: date) -> int | None:
        """The enterprise id on the day, else the current one (as enterprise_on)."""
        for hired_on, left_on, enterprise_id in self.stints.get(worker_id, ()):
            if hired_on <= day and (left_on is None or left_on >= day):
                return enterprise_id
        return self.current.get(worker_id)


# ---------------------------------------------------------------------------- self-rating authorisations


class AuthorisationBook:
    """The authorisations of some enterprises, loaded once, answering "may it rate this?" row by row."""

    def __init__(self, enterprise_ids: Iterable[int]):
        self.by_key: dict[tuple[int, int], list[SelfRatingAuthorisation]] = defaultdict(list)
        ids = sorted(set(enterprise_ids) - {None})
        for start in range(0, len(ids), 500):
            for auth in SelfRatingAuthorisation.objects.filter(enterprise_id__in=ids[start : start + 500]):
                self.by_key[(auth.enterprise_id, auth.occupation_id)].append(auth)

    def problem(self, enterprise: Org | None, occupation: Occupation, level: int, day: date) -> str | None:
        """Why the enterprise may not self-rate this occupation at this level on this day; None if it may."""
        found = self.problem_field(enterprise, occupation, level, day)
        return found[1] if found else None

    def problem_field(self, enterprise, occupation, level, day) -> tuple[str, str] | None:
        """(the field at fault: route, occupation, issued_on or level; the message), or None."""
        if enterprise is None:
            return "route", "自主评价证书须由职工所在企业评定，但该职工在发证日期没有登记所在企业。"
        auths = self.by_key.get((enterprise.pk, occupation.pk), [])
        return authorisation_problem(enterprise, occupation, level, day, auths)


def authorisation_problem(enterprise, occupation, level, day, auths) -> tuple[str, str] | None:
    in_period = [auth for auth in auths if auth.valid_from <= day <= auth.valid_to]
    if any(auth.max_level >= level for auth in in_period):
        return None
    wanted = level_name(level)
    if not auths:
        return "occupation", f"{enterprise.name}未获得“{occupation.name}”自主评价备案，不能评定{wanted}。"
    if not in_period:
        periods = "、".join(f"{a.valid_from:%Y-%m-%d}至{a.valid_to:%Y-%m-%d}" for a in auths)
        return "issued_on", (
            f"{enterprise.name}“{occupation.name}”自主评价备案的有效期为{periods}，"
            f"{day:%Y-%m-%d}不在备案期内，不能评定{wanted}。"
        )
    top = max(auth.max_level for auth in in_period)
    return "level", f"{enterprise.name}“{occupation.name}”自主评价备案最高等级为{level_name(top)}，不能评定{wanted}。"


def check_self_rating(enterprise: Org | None, occupation: Occupation, level: int, day: date) -> None:
    """Raise a ValidationError (on the field at fault) unless an authorisation of the enterprise covers the
    occupation, level and day."""
    book = AuthorisationBook([enterprise.pk] if enterprise else [])
    found = book.problem_field(enterprise, occupation, level, day)
    if found:
        raise ValidationError({found[0]: found[1]})


def may_grant_authorisations(user, enterprise: Org | None = None) -> bool:
    """Offices record the HR bureau's self-rating filings for the enterprises in their scope."""
    if not user.has_perm("certificates.add_selfratingauthorisation"):
        return False
    return enterprise is None or scope_for(user).contains(enterprise)


def _check_authorisation_fields(enterprise, max_level, valid_from, valid_to) -> None:
    errors = {}
    if enterprise.kind != Kind.ENTERPRISE:
        errors["enterprise"] = "自主评价备案只能登记给企业。"
    if max_level not in Level.values:
        errors["max_level"] = "请选择最高可评等级。"
    if valid_to < valid_from:
        errors["valid_to"] = "有效期止不能早于有效期起。"
    if errors:
        raise ValidationError(errors)


def _orphans(authorisation: SelfRatingAuthorisation, changed: SelfRatingAuthorisation | None) -> list[Certificate]:
    """Self-rated certificates that the authorisations covered before and would not cover after the change."""
    others = list(
        SelfRatingAuthorisation.objects.filter(
            enterprise_id=authorisation.enterprise_id, occupation_id=authorisation.occupation_id
        ).exclude(pk=authorisation.pk)
    )
    after = [*others, changed] if changed is not None else others
    issued = Certificate.objects.filter(
        route=Route.SELF_RATING,
        rating_enterprise_id=authorisation.enterprise_id,
        occupation_id=authorisation.occupation_id,
        revoked=False,
    ).select_related("worker")

    def covered(certificate, auths):
        return any(
            a.valid_from <= certificate.issued_on <= a.valid_to and a.max_level >= certificate.level for a in auths
        )

    return [c for c in issued if covered(c, [*others, authorisation]) and not covered(c, after)]


def _refuse_orphans(orphans: list[Certificate]) -> None:
    if orphans:
        examples = "、".join(f"{c.number}（{c.worker.name}，{c.issued_on:%Y-%m-%d}）" for c in orphans[:3])
        more = f"等{len(orphans)}张" if len(orphans) > 3 else ""
        raise ValidationError(
            f"已依据该备案发放的证书{examples}{more}将不再在备案范围内；请先撤销这些证书，或保留原备案范围。"
        )


@transaction.atomic
def grant_authorisation(
    user,
    enterprise: Org,
    *,
    occupation: Occupation,
    max_level: int,
    valid_from: date,
    valid_to: date,
    document: str = "",
    granted_by: str = "",
) -> SelfRatingAuthorisation:
    """Record that an enterprise may self-rate an occupation up to a level during a period."""
    if not may_grant_authorisations(user, enterprise):
        raise PermissionDenied("您无权为该企业登记自主评价备案。")
    _check_authorisation_fields(enterprise, max_level, valid_from, valid_to)
    return SelfRatingAuthorisation.objects.create(
        enterprise=enterprise,
        occupation=occupation,
        max_level=max_level,
        valid_from=valid_from,
        valid_to=valid_to,
        document=document.strip(),
        granted_by=granted_by.strip(),
        created_by=user,
    )


@transaction.atomic
def update_authorisation(user, authorisation: SelfRatingAuthorisation, **changes) -> SelfRatingAuthorisation:
    """Change an authorisation; narrowing it below certificates already issued under it is refused."""
    if not user.has_perm("certificates.change_selfratingauthorisation") or not scope_for(user).contains(
        authorisation.enterprise
    ):
        raise PermissionDenied("您无权修改该企业的自主评价备案。")
    allowed = {"occupation", "max_level", "valid_from", "valid_to", "document", "granted_by"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Unknown fields {unknown}")
    changed = SelfRatingAuthorisation.objects.get(pk=authorisation.pk)
    for name, value in changes.items():
        setattr(changed, name, value.strip() if isinstance(value, str) else value)
    _check_authorisation_fields(authorisation.enterprise, changed.max_level, changed.valid_from, changed.valid_to)
    _refuse_orphans(_orphans(authorisation, changed))
    changed.save()
    return changed


@transaction.atomic
def end_authorisation(user, authorisation: SelfRatingAuthorisation, on: date) -> SelfRatingAuthorisation:
    """Make an authorisation end on the day (inclusive), e.g. when the HR bureau withdraws the filing."""
    if on < authorisation.valid_from:
        raise ValidationError({"on": f"终止日期不能早于备案有效期起（{authorisation.valid_from:%Y-%m-%d}）。"})
    if on >= authorisation.valid_to:
        raise ValidationError({"on": f"终止日期应早于原有效期止（{authorisation.valid_to:%Y-%m-%d}）。"})
    return update_authorisation(user, authorisation, valid_to=on)


def authorised_enterprises(on: date):
    """Enterprises holding at least one authorisation valid on the day."""
    return Org.objects.filter(
        pk__in=SelfRatingAuthorisation.objects.filter(valid_from__lte=on, valid_to__gte=on).values("enterprise_id")
    )


# ---------------------------------------------------------------------------- certificates


def may_record_for(user, worker: Worker) -> bool:
    return (
        user.has_perm("certificates.add_certificate") and Worker.objects.visible_to(user).filter(pk=worker.pk).exists()
    )


def clean_number(number) -> str:
    """A certificate number as printed: no spaces, full-width characters made half-width, letters upper case."""
    from changai.workers.cleaning import to_halfwidth

    return re.sub(r"\s+", "", to_halfwidth(str(number or ""))).upper()


def _certificate_field_errors(number, level, route, issued_on, expires_on) -> dict:
    errors = {}
    if not number:
        errors["number"] = "请填写证书编号。"
    elif len(number) > 40 or not NUMBER_PATTERN.match(number):
        errors["number"] = "证书编号只能包含字母、数字和-_/()，最长40个字符。"
    elif Certificate.objects.filter(number=number).exists():
        errors["number"] = f"证书编号“{number}”已登记过，不能重复。"
    if level not in Level.values:
        errors["level"] = "请选择技能等级。"
    if route not in Route.values:
        errors["route"] = "请选择评价途径。"
    if issued_on is None:
        errors["issued_on"] = "请填写发证日期。"
    elif issued_on > today():
        errors["issued_on"] = "发证日期不能晚于今天。"
    if expires_on is not None and issued_on is not None and expires_on <= issued_on:
        errors["expires_on"] = "有效期至应晚于发证日期。"
    return errors


@transaction.atomic
def issue_certificate(
    worker: Worker,
    *,
    occupation: Occupation,
    level: int,
    number: str,
    route: str,
    issued_on: date,
    expires_on: date | None = None,
    issuer: str = "",
    rating_enterprise: Org | None = None,
    batch: RatingBatch | None = None,
    user=None,
) -> Certificate:
    """Record a certificate. A self-rated one must be covered by an authorisation of the rating enterprise
    (by default the worker's employer on the issue date) for the occupation, up to its level, in its period."""
    if user is not None and not may_record_for(user, worker):
        raise PermissionDenied("您无权为该职工登记证书。")
    number = clean_number(number)
    level = int(level) if level not in (None, "") else None
    errors = _certificate_field_errors(number, level, route, issued_on, expires_on)
    if errors:
        raise ValidationError(errors)
    employer = enterprise_on(worker, issued_on)
    if route == Route.SELF_RATING:
        rating_enterprise = rating_enterprise or employer
        check_self_rating(rating_enterprise, occupation, level, issued_on)
    else:
        rating_enterprise = None
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                worker=worker,
                occupation=occupation,
                level=level,
                number=number,
                route=route,
                issued_on=issued_on,
                expires_on=expires_on,
                issuer=(issuer or "").strip()[:120],
                rating_enterprise=rating_enterprise,
                employer=employer,
                batch=batch,
                created_by=user,
            )
    except IntegrityError:
        raise ValidationError({"number": f"证书编号“{number}”已登记过，不能重复。"}) from None


@transaction.atomic
def revoke_certificate(user, certificate: Certificate, reason: str, on: date | None = None) -> Certificate:
    """Record that a certificate was revoked (cancelled by its issuer, or entered by mistake)."""
    if not user.has_perm("certificates.change_certificate") or not may_record_for(user, certificate.worker):
        raise PermissionDenied("您无权撤销该证书。")
    if certificate.revoked:
        raise ValidationError("该证书已撤销。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤销原因。"})
    certificate.revoked = True
    certificate.revoked_on = on or today()
    certificate.revoke_reason = reason[:200]
    certificate.revoked_by = user
    certificate.save(update_fields=["revoked", "revoked_on", "revoke_reason", "revoked_by"])
    return certificate


# ---------------------------------------------------------------------------- engineering titles


def _title_errors(worker, rank, awarded_on, exclude_pk=None) -> dict:
    errors = {}
    if rank not in TitleRank.values:
        errors["rank"] = "请选择职称。"
    elif worker.titles.filter(rank=rank).exclude(pk=exclude_pk).exists():
        errors["rank"] = f"该职工已登记过{TitleRank(rank).label}职称。"
    if awarded_on is None:
        errors["awarded_on"] = "请填写取得日期。"
    elif awarded_on > today():
        errors["awarded_on"] = "取得日期不能晚于今天。"
    return errors


@transaction.atomic
def record_title(
    worker: Worker,
    *,
    rank: int,
    awarded_on: date,
    specialty: str = "",
    issuer: str = "",
    via_title_bridge: bool = False,
    user=None,
) -> EngineeringTitle:
    """Record an engineering title (工程技术职称) a worker holds."""
    if user is not None and not (
        user.has_perm("certificates.add_engineeringtitle")
        and Worker.objects.visible_to(user).filter(pk=worker.pk).exists()
    ):
        raise PermissionDenied("您无权为该职工登记职称。")
    rank = int(rank) if rank not in (None, "") else None
    errors = _title_errors(worker, rank, awarded_on)
    if errors:
        raise ValidationError(errors)
    return EngineeringTitle.objects.create(
        worker=worker,
        rank=rank,
        awarded_on=awarded_on,
        specialty=(specialty or "").strip()[:60],
        issuer=(issuer or "").strip()[:120],
        via_title_bridge=via_title_bridge,
    )


@transaction.atomic
def update_title(user, title: EngineeringTitle, **changes) -> EngineeringTitle:
    if not user.has_perm("certificates.change_engineeringtitle") or not (
        Worker.objects.visible_to(user).filter(pk=title.worker_id).exists()
    ):
        raise PermissionDenied("您无权修改该职称。")
    for name in ("rank", "awarded_on", "specialty", "issuer", "via_title_bridge"):
        if name in changes:
            setattr(title, name, changes[name])
    title.rank = int(title.rank)
    errors = _title_errors(title.worker, title.rank, title.awarded_on, exclude_pk=title.pk)
    if errors:
        raise ValidationError(errors)
    title.specialty, title.issuer = title.specialty.strip()[:60], title.issuer.strip()[:120]
    title.save()
    return title


# ---------------------------------------------------------------------------- rating batches


def may_manage_batch(user, batch: RatingBatch) -> bool:
    return user.has_perm("certificates.change_ratingbatch") and scope_for(user).contains(batch.enterprise)


def _check_manage(user, batch: RatingBatch) -> None:
    if not may_manage_batch(user, batch):
        raise PermissionDenied("您无权管理该评价批次。")


def _check_open(batch: RatingBatch) -> None:
    if batch.status == RatingBatch.Status.ISSUED:
        raise ValidationError("该批次已发证，不能再修改考生和成绩。")


@transaction.atomic
def create_batch(user, enterprise: Org, *, title: str, assessed_on: date, pass_mark=Decimal(60)) -> RatingBatch:
    """Open a self-rating round of an enterprise."""
    if not user.has_perm("certificates.add_ratingbatch") or not scope_for(user).contains(enterprise):
        raise PermissionDenied("您无权为该企业创建评价批次。")
    errors = {}
    if enterprise.kind != Kind.ENTERPRISE:
        errors["enterprise"] = "评价批次只能由企业组织。"
    if not (title or "").strip():
        errors["title"] = "请填写批次名称。"
    if pass_mark is None or not (0 <= Decimal(pass_mark) <= 100):
        errors["pass_mark"] = "合格分数线应在0到100之间。"
    if errors:
        raise ValidationError(errors)
    return RatingBatch.objects.create(
        enterprise=enterprise, title=title.strip()[:120], assessed_on=assessed_on, pass_mark=pass_mark, created_by=user
    )


@transaction.atomic
def update_batch(user, batch: RatingBatch, *, title: str, assessed_on: date, pass_mark) -> RatingBatch:
    _check_manage(user, batch)
    _check_open(batch)
    if not (title or "").strip():
        raise ValidationError({"title": "请填写批次名称。"})
    if pass_mark is None or not (0 <= Decimal(pass_mark) <= 100):
        raise ValidationError({"pass_mark": "合格分数线应在0到100之间。"})
    batch.title, batch.assessed_on, batch.pass_mark = title.strip()[:120], assessed_on, pass_mark
    batch.save(update_fields=["title", "assessed_on", "pass_mark"])
    _refresh_status(batch)
    return batch


def batch_workers(batch: RatingBatch):
    """The workers who may sit a batch: those currently employed by its enterprise."""
    return Worker.objects.filter(enterprise=batch.enterprise)


@transaction.atomic
def add_candidates(
    user, batch: RatingBatch, workers: Iterable[Worker], *, occupation: Occupation, level: int, numbers=None
) -> tuple[list[Candidate], int]:
    """Enter workers of the enterprise for a level of an occupation; (added, already entered)."""
    _check_manage(user, batch)
    _check_open(batch)
    if int(level) not in Level.values:
        raise ValidationError({"level": "请选择申报等级。"})
    workers = list(workers)
    if not workers:
        raise ValidationError({"workers": "请至少选择一名职工。"})
    outsiders = [w.name for w in workers if w.enterprise_id != batch.enterprise_id]
    if outsiders:
        raise ValidationError({"workers": f"{'、'.join(outsiders[:5])}不是{batch.enterprise.name}的在职职工。"})
    entered = set(batch.candidates.filter(occupation=occupation).values_list("worker_id", flat=True))
    added = [
        Candidate(
            batch=batch,
            worker=worker,
            occupation=occupation,
            level=int(level),
            certificate_number=clean_number((numbers or {}).get(worker.pk, "")),
        )
        for worker in workers
        if worker.pk not in entered
    ]
    Candidate.objects.bulk_create(added)
    _refresh_status(batch)
    return added, len(workers) - len(added)


@transaction.atomic
def remove_candidate(user, candidate: Candidate) -> None:
    batch = candidate.batch
    _check_manage(user, batch)
    _check_open(batch)
    candidate.delete()
    _refresh_status(batch)


@dataclass
class Result:
    theory: Decimal | None = None
    practice: Decimal | None = None
    result: str = ""  # "" derives it from the scores and the pass mark
    number: str | None = None  # None keeps what the candidate has


def derived_result(batch: RatingBatch, theory, practice) -> str:
    if theory is None or practice is None:
        return Candidate.Result.PENDING
    passed = Decimal(theory) >= batch.pass_mark and Decimal(practice) >= batch.pass_mark
    return Candidate.Result.PASSED if passed else Candidate.Result.FAILED


def _score_error(value) -> str | None:
    if value is not None and not (0 <= Decimal(value) <= 100):
        return "成绩应在0到100之间。"
    return None


def result_change(batch: RatingBatch, candidate: Candidate, entry: Result) -> tuple | None:
    """The candidate's new (theory, practice, result, number) if the entry changes them, else None."""
    outcome = entry.result or derived_result(batch, entry.theory, entry.practice)
    number = candidate.certificate_number if entry.number is None else clean_number(entry.number)
    new = (entry.theory, entry.practice, outcome, number)
    old = (candidate.theory_score, candidate.practice_score, candidate.result, candidate.certificate_number)
    return new if new != old else None


@transaction.atomic
def record_results(user, batch: RatingBatch, results: dict[int, Result]) -> int:
    """Enter scores and results of candidates (candidate id → Result); returns how many changed."""
    _check_manage(user, batch)
    _check_open(batch)
    candidates = {c.pk: c for c in batch.candidates.select_related("worker").filter(pk__in=list(results))}
    errors, changed = [], []
    for pk, entry in results.items():
        candidate = candidates.get(pk)
        if candidate is None:
            continue
        problem = _score_error(entry.theory) or _score_error(entry.practice)
        if problem:
            errors.append(f"{candidate.worker.name}：{problem}")
            continue
        new = result_change(batch, candidate, entry)
        if new is not None:
            candidate.theory_score, candidate.practice_score, candidate.result, candidate.certificate_number = new
            changed.append(candidate)
    if errors:
        raise ValidationError(errors)
    for candidate in changed:
        candidate.save(update_fields=["theory_score", "practice_score", "result", "certificate_number"])
    _refresh_status(batch)
    return len(changed)


def _refresh_status(batch: RatingBatch) -> None:
    if batch.status == RatingBatch.Status.ISSUED:
        return
    candidates = batch.candidates.all()
    done = candidates.exists() and not candidates.filter(result=Candidate.Result.PENDING).exists()
    status = RatingBatch.Status.ASSESSED if done else RatingBatch.Status.DRAFT
    if status != batch.status:
        batch.status = status
        batch.save(update_fields=["status"])


def default_number_prefix(batch: RatingBatch) -> str:
    """ZP + the rating year + the batch number: ZP20260007, followed by a 4-digit sequence."""
    return f"ZP{batch.assessed_on:%Y}{batch.pk:04d}"


class BatchIssueRefused(ValidationError):
    """The batch cannot be issued; `problems` lists the offending candidates, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(problems)


def _generated_numbers(prefix: str, count: int, taken: set[str]) -> list[str]:
    """`count` free numbers prefix + 0001, 0002 …, skipping those already used."""
    used = set(Certificate.objects.filter(number__startswith=prefix).values_list("number", flat=True)) | taken
    numbers, sequence = [], 0
    while len(numbers) < count:
        sequence += 1
        number = f"{prefix}{sequence:0{SEQUENCE_DIGITS}d}"
        if number not in used:
            numbers.append(number)
    return numbers


def issue_problems(batch: RatingBatch, candidates: list[Candidate], issued_on: date, prefix: str) -> list[str]:
    """Every reason the batch's passed candidates cannot all be issued, one line per candidate."""
    problems = []
    if issued_on < batch.assessed_on:
        problems.append(f"发证日期不能早于评价日期（{batch.assessed_on:%Y-%m-%d}）。")
    if issued_on > today():
        problems.append("发证日期不能晚于今天。")
    if prefix and (len(prefix) > 40 - SEQUENCE_DIGITS or not NUMBER_PATTERN.match(prefix)):
        problems.append(f"编号前缀只能包含字母、数字和-_/()，最长{40 - SEQUENCE_DIGITS}个字符。")
    book = AuthorisationBook([batch.enterprise_id])
    wanted = [c.certificate_number for c in candidates if c.certificate_number]
    existing = set()
    for start in range(0, len(wanted), 500):
        existing.update(
            Certificate.objects.filter(number__in=wanted[start : start + 500]).values_list("number", flat=True)
        )
    seen: dict[str, int] = {}
    for candidate in candidates:
        reasons = []
        problem = book.problem(batch.enterprise, candidate.occupation, candidate.level, issued_on)
        if problem:
            reasons.append(problem)
        number = candidate.certificate_number
        if number and number in existing:
            reasons.append(f"证书编号“{number}”已登记过。")
        elif number and number in seen:
            reasons.append(f"证书编号“{number}”与序号{seen[number]}重复。")
        if number:
            seen.setdefault(number, candidate.row)
        if reasons:
            label = f"序号{candidate.row} {candidate.worker.name}（{candidate.worker.id_masked}）"
            problems.append(f"{label} {candidate.occupation.name} {level_name(candidate.level)}：{''.join(reasons)}")
    return problems


def numbered_candidates(batch: RatingBatch) -> list[Candidate]:
    """The batch's candidates in entry order, each with its row number (序号) on the batch page."""
    candidates = list(batch.candidates.select_related("worker", "occupation", "certificate").order_by("pk"))
    for row, candidate in enumerate(candidates, start=1):
        candidate.row = row
    return candidates


@transaction.atomic
def issue_batch(
    user,
    batch: RatingBatch,
    *,
    issued_on: date,
    expires_on: date | None = None,
    issuer: str = "",
    number_prefix: str = "",
) -> list[Certificate]:
    """Issue certificates to every passed candidate at once, or to none: any candidate outside the
    enterprise's authorisation (or with a number already used) refuses the whole batch with the list."""
    if not (may_manage_batch(user, batch) and user.has_perm("certificates.add_certificate")):
        raise PermissionDenied("您无权为该评价批次发证。")
    batch = RatingBatch.objects.select_for_update().select_related("enterprise").get(pk=batch.pk)
    _check_open(batch)
    candidates = numbered_candidates(batch)
    pending = [c for c in candidates if c.result == Candidate.Result.PENDING]
    if pending:
        names = "、".join(f"序号{c.row} {c.worker.name}" for c in pending[:5])
        raise ValidationError(f"还有{len(pending)}名考生未录入评价结果（{names}），请录入后再发证。")
    passed = [c for c in candidates if c.result == Candidate.Result.PASSED and c.certificate_id is None]
    if not passed:
        raise ValidationError("该批次没有待发证的合格考生。")
    if expires_on is not None and expires_on <= issued_on:
        raise ValidationError({"expires_on": "有效期至应晚于发证日期。"})
    prefix = clean_number(number_prefix) or default_number_prefix(batch)
    problems = issue_problems(batch, passed, issued_on, prefix)
    if problems:
        raise BatchIssueRefused(problems)
    explicit = {c.certificate_number for c in passed if c.certificate_number}
    generated = iter(_generated_numbers(prefix, sum(1 for c in passed if not c.certificate_number), explicit))
    issuer = (issuer or "").strip() or batch.enterprise.name
    issued = []
    for candidate in passed:
        certificate = Certificate.objects.create(
            worker=candidate.worker,
            occupation=candidate.occupation,
            level=candidate.level,
            number=candidate.certificate_number or next(generated),
            route=Route.SELF_RATING,
            issued_on=issued_on,
            expires_on=expires_on,
            issuer=issuer[:120],
            rating_enterprise=batch.enterprise,
            employer=enterprise_on(candidate.worker, issued_on),
            batch=batch,
            created_by=user,
        )
        candidate.certificate = certificate
        candidate.certificate_number = certificate.number
        candidate.save(update_fields=["certificate", "certificate_number"])
        issued.append(certificate)
    batch.status, batch.issued_on, batch.issued_by = RatingBatch.Status.ISSUED, issued_on, user
    batch.save(update_fields=["status", "issued_on", "issued_by"])
    return issued

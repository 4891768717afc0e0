"""Periodic reporting (填报): entry, validation, submission, review up the tree, completeness."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from changai.accounts.models import Membership
from changai.accounts.scope import scope_for
from changai.core.models import Notification
from changai.core.periods import Period
from changai.core.workdays import add_working_days
from changai.orgs.models import Org

from .jobs import schedule_refresh
from .models import DataSet, DataValue, DeadlineException, Indicator, Submission, SubmissionEvent, ValidationRule

Status = Submission.Status
_OPS = {
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "==": lambda a, b: a == b,
}


# ---------------------------------------------------------------------------- windows and locks


def today() -> date:
    """The date reporting windows are judged on (one place, so tests can move the clock)."""
    return timezone.localdate()


def opens_on(dataset: DataSet, period: Period) -> date:
    return add_working_days(period.end, dataset.open_offset_days) if dataset.open_offset_days else period.end


def deadline(dataset: DataSet, period: Period) -> date:
    return add_working_days(period.end, dataset.deadline_days)


def current_round(dataset: DataSet) -> Period:
    """The round being reported now: the latest period of the data set whose reporting window has opened."""
    period = Period.containing(today(), dataset.period_type)
    if today() < opens_on(dataset, period):
        period = period.previous()
    return period


def exception_until(dataset: DataSet, org: Org, period: str) -> date | None:
    return (
        DeadlineException.objects.filter(dataset=dataset, org=org, period=period)
        .values_list("until", flat=True)
        .first()
    )


def entry_state(dataset: DataSet, org: Org, period: str, on: date | None = None) -> tuple[bool, str]:
    """Whether the window is open for this org, and a sentence saying why (not)."""
    on = on or today()
    period_obj = Period.parse(period)
    if on < opens_on(dataset, period_obj):
        return False, f"{period_obj.label}的填报将于{opens_on(dataset, period_obj):%Y年%-m月%-d日}开放。"
    until = max(deadline(dataset, period_obj), exception_until(dataset, org, period) or date.min)
    if on > until:
        return False, f"{period_obj.label}的填报已于{until:%Y年%-m月%-d日}截止，如需补报请联系上级申请延期。"
    return True, f"截止日期：{until:%Y年%-m月%-d日}"


# ---------------------------------------------------------------------------- permissions


def _is_scope_root(user, org) -> bool:
    scope = scope_for(user)
    return not scope.everything and org.path in scope.paths


def can_enter(user, org: Org) -> bool:
    return user.has_perm("indicators.add_datavalue") and scope_for(user).contains(org)


def can_review(user, org: Org) -> bool:
    """The level above reviews: in scope, but not the reviewer's own org."""
    return (
        user.has_perm("indicators.change_submission")
        and scope_for(user).contains(org)
        and not _is_scope_root(user, org)
    )


def _open_during(period: Period) -> Q:
    """Orgs that existed at some point of the period (opened before its end, closed after its start)."""
    opened = Q(opened_on__isnull=True) | Q(opened_on__lte=period.end)
    not_closed_before = Q(closed_on__isnull=True) | Q(closed_on__gte=period.start)
    return opened & not_closed_before


# ---------------------------------------------------------------------------- entry


@dataclass
class EntryResult:
    errors: dict[str, str] = field(default_factory=dict)  # indicator code -> message
    warnings: dict[str, str] = field(default_factory=dict)  # indicator code -> change warning
    form_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.form_errors


def submission_for(dataset: DataSet, org: Org, period: str) -> Submission:
    Period.parse(period)
    submission, _ = Submission.objects.get_or_create(dataset=dataset, org=org, period=period)
    return submission


def previous_values(submission: Submission) -> dict[int, Decimal]:
    previous = submission.period_obj.previous().code
    return dict(
        DataValue.objects.filter(
            org=submission.org, period=previous, indicator__in=submission.dataset.indicators.all()
        ).values_list("indicator_id", "value")
    )


def current_values(submission: Submission) -> dict[int, DataValue]:
    return {v.indicator_id: v for v in DataValue.objects.filter(org=submission.org, period=submission.period)}


def parse_number(raw, indicator: Indicator) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError("请填写数字。") from exc
    if not value.is_finite():
        raise ValidationError("请填写数字。")
    if value < 0:
        raise ValidationError("不能为负数。")
    if indicator.integer_only and value != value.to_integral_value():
        raise ValidationError(f"应为整数（单位：{indicator.unit}）。")
    return value


def check(
    submission: Submission,
    raw_values: dict[str, object],
    explanations: dict[str, str],
    *,
    final: bool,
    require_explanations: bool = True,
):
    """Validate entered values; `final` adds the submit-time checks (required, rules, explanations)."""
    result = EntryResult()
    indicators = {link.indicator.code: link for link in submission.dataset.links.select_related("indicator")}
    parsed: dict[str, Decimal | None] = {}
    for code, link in indicators.items():
        try:
            parsed[code] = parse_number(raw_values.get(code), link.indicator)
        except ValidationError as exc:
            result.errors[code] = exc.messages[0]
            continue
        if final and link.required and parsed[code] is None:
            result.errors[code] = "必填。"
    _check_changes(submission, parsed, explanations, result, final and require_explanations)
    if final:
        _check_rules(submission.dataset, parsed, result)
    return parsed, result


def _check_changes(submission, parsed, explanations, result, final):
    threshold = Decimal(submission.dataset.change_warning_pct) / 100
    previous = previous_values(submission)
    by_code = {link.indicator.code: link.indicator for link in submission.dataset.links.select_related("indicator")}
    for code, value in parsed.items():
        before = previous.get(by_code[code].pk)
        if value is None or before is None or code in result.errors:
            continue
        moved = abs(value - before) / before if before else (Decimal(1) if value else Decimal(0))
        if before == 0 and value == 0 or moved <= threshold:
            continue
        result.warnings[code] = (
            f"与上期（{before.normalize():f}）相比变动超过{submission.dataset.change_warning_pct}%，请填写说明。"
        )
        if final and not (explanations.get(code) or "").strip():
            result.errors[code] = result.warnings[code]


def _check_rules(dataset, parsed, result):
    for rule in ValidationRule.objects.filter(dataset=dataset).select_related("left", "right"):
        left, right = parsed.get(rule.left.code), parsed.get(rule.right.code)
        if left is None or right is None or rule.left.code in result.errors:
            continue
        if not _OPS[rule.operator](left, right):
            message = rule.message or f"{rule.left.name}应{rule.get_operator_display()}{rule.right.name}。"
            result.errors[rule.left.code] = message


def _ensure_editable(user, submission: Submission) -> None:
    if not can_enter(user, submission.org):
        raise PermissionDenied("您无权为该单位填报。")
    if submission.status in (Status.SUBMITTED, Status.APPROVED):
        raise ValidationError(f"该表已{submission.get_status_display()}，不能修改。")
    is_open, why = entry_state(submission.dataset, submission.org, submission.period)
    if not is_open:
        raise ValidationError(why)


def _write_values(submission, parsed, explanations):
    by_code = {link.indicator.code: link.indicator for link in submission.dataset.links.select_related("indicator")}
    for code, value in parsed.items():
        indicator = by_code[code]
        if value is None:
            DataValue.objects.filter(indicator=indicator, org=submission.org, period=submission.period).delete()
            continue
        # A number typed over one read from a report no longer comes from that report.
        DataValue.objects.filter(indicator=indicator, org=submission.org, period=submission.period).exclude(
            value=value
        ).update(provenance="")
        DataValue.objects.update_or_create(
            indicator=indicator,
            org=submission.org,
            period=submission.period,
            defaults={
                "value": value,
                "submission": submission,
                "approved": False,
                "explanation": (explanations.get(code) or "").strip()[:300],
            },
        )


def snapshot(submission: Submission) -> dict[str, str]:
    return {
        value.indicator.code: f"{value.value.normalize():f}"
        for value in DataValue.objects.filter(
            org=submission.org, period=submission.period, submission=submission
        ).select_related("indicator")
    }


@transaction.atomic
def save_draft(user, submission: Submission, raw_values, explanations=None) -> EntryResult:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _ensure_editable(user, submission)
    parsed, result = check(submission, raw_values, explanations or {}, final=False)
    if result.ok:
        _write_values(submission, parsed, explanations or {})
        if submission.status != Status.RETURNED:
            submission.status = Status.DRAFT
        submission.save()
        _event(submission, SubmissionEvent.Action.SAVED, user)
    return result


@transaction.atomic
def submit(user, submission: Submission, raw_values, explanations=None) -> EntryResult:
    """Validate everything and hand the form to the level above; on any error nothing changes."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _ensure_editable(user, submission)
    parsed, result = check(submission, raw_values, explanations or {}, final=True)
    if not result.ok:
        return result
    _write_values(submission, parsed, explanations or {})
    now = timezone.now()
    submission.status = Status.SUBMITTED
    submission.submitted_at = now
    submission.first_submitted_at = submission.first_submitted_at or now
    submission.return_reason = ""
    submission.save()
    _event(submission, SubmissionEvent.Action.SUBMITTED, user)
    _notify_reviewers(submission)
    return result


@transaction.atomic
def submit_on_behalf(user, dataset: DataSet, org: Org, period: str, parsed: dict[str, Decimal | None]) -> Submission:
    """Record values an office entered for a lower org (bulk workbook) as that org's submission."""
    submission = Submission.objects.select_for_update().get(pk=submission_for(dataset, org, period).pk)
    _ensure_editable(user, submission)
    _write_values(submission, parsed, {})
    now = timezone.now()
    submission.status = Status.SUBMITTED
    submission.submitted_at = now
    submission.first_submitted_at = submission.first_submitted_at or now
    submission.save()
    _event(submission, SubmissionEvent.Action.SUBMITTED, user, "批量导入代填")
    return submission


@transaction.atomic
def return_submission(user, submission: Submission, reason: str) -> Submission:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not can_review(user, submission.org):
        raise PermissionDenied("您无权审核该单位的填报。")
    if submission.status != Status.SUBMITTED:
        raise ValidationError("只能退回已上报、待审核的填报。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写退回原因。")
    submission.status = Status.RETURNED
    submission.return_reason = reason
    submission.reviewed_at = timezone.now()
    submission.save()
    _event(submission, SubmissionEvent.Action.RETURNED, user, reason)
    _notify_org(submission, f"{submission.dataset.name}（{submission.period_obj.label}）被退回", reason)
    return submission


@transaction.atomic
def approve(user, submission: Submission) -> Submission:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not can_review(user, submission.org):
        raise PermissionDenied("您无权审核该单位的填报。")
    if submission.status != Status.SUBMITTED:
        raise ValidationError("只能审核已上报的填报。")
    submission.status = Status.APPROVED
    submission.reviewed_at = timezone.now()
    submission.save()
    indicator_ids = list(submission.values.values_list("indicator_id", flat=True))
    submission.values.update(approved=True)
    _event(submission, SubmissionEvent.Action.APPROVED, user)
    org, period = submission.org, submission.period
    transaction.on_commit(lambda: schedule_refresh(org, period, indicator_ids, user=user))
    return submission


@transaction.atomic
def grant_exception(user, dataset: DataSet, org: Org, period: str, until: date, reason: str) -> DeadlineException:
    if not can_review(user, org):
        raise PermissionDenied("只有上级可以批准延期填报。")
    if until < today():
        raise ValidationError("延期日期不能早于今天。")
    if not (reason or "").strip():
        raise ValidationError("请填写延期原因。")
    exception, _ = DeadlineException.objects.update_or_create(
        dataset=dataset,
        org=org,
        period=period,
        defaults={"until": until, "reason": reason.strip(), "granted_by": user, "granted_at": timezone.now()},
    )
    return exception


def _event(submission, action, user, reason=""):
    SubmissionEvent.objects.create(
        submission=submission, action=action, actor=user, reason=reason, values=snapshot(submission)
    )


def history(submission: Submission):
    return submission.events.select_related("actor")


def diff(submission: Submission) -> list[dict]:
    """Field by field: what the last submission changed against the one before it (the one returned)."""
    submitted = list(submission.events.filter(action=SubmissionEvent.Action.SUBMITTED).order_by("at", "pk"))
    if len(submitted) < 2:
        return []
    before, after = submitted[-2].values, submitted[-1].values
    names = dict(Indicator.objects.filter(code__in={*before, *after}).values_list("code", "name"))
    return [
        {"code": code, "name": names.get(code, code), "before": before.get(code), "after": after.get(code)}
        for code in sorted({*before, *after})
        if before.get(code) != after.get(code)
    ]


# ---------------------------------------------------------------------------- completeness


@dataclass
class CompletenessRow:
    org: Org
    status: str
    status_label: str
    submitted_at: object
    on_time: bool | None
    submission: Submission | None


@dataclass
class Completeness:
    dataset: DataSet
    period: Period
    deadline: date
    rows: list[CompletenessRow]

    def _count(self, *statuses) -> int:
        return sum(1 for row in self.rows if row.status in statuses)

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def reported(self) -> int:
        return self._count(Status.SUBMITTED, Status.APPROVED)

    @property
    def on_time(self) -> int:
        return sum(1 for row in self.rows if row.on_time)

    @property
    def rate(self) -> float:
        """Share of the orgs expected this period that reported: by construction never above 100%."""
        return round(self.reported * 100 / self.expected, 1) if self.expected else 0.0

    @property
    def timely_rate(self) -> float:
        return round(self.on_time * 100 / self.expected, 1) if self.expected else 0.0

    def by_status(self) -> dict[str, int]:
        counts = {"not_started": 0, **{s.value: 0 for s in Status}}
        for row in self.rows:
            counts[row.status] += 1
        return counts


def expected_orgs(dataset: DataSet, period: Period, root: Org | None, user=None):
    orgs = Org.objects.filter(kind__in=dataset.reporting_kinds).filter(_open_during(period))
    if root is not None:
        orgs = orgs.filter(path__startswith=root.path)
    if user is not None:
        orgs = orgs.visible_to(user)
    return orgs.order_by("path")


def completeness(dataset: DataSet, period: str, root: Org | None = None, user=None) -> Completeness:
    period_obj = Period.parse(period)
    due = deadline(dataset, period_obj)
    orgs = list(expected_orgs(dataset, period_obj, root, user))
    submissions = {
        s.org_id: s for s in Submission.objects.filter(dataset=dataset, period=period, org__in=[o.pk for o in orgs])
    }
    exceptions = dict(DeadlineException.objects.filter(dataset=dataset, period=period).values_list("org_id", "until"))
    rows = []
    for org in orgs:
        submission = submissions.get(org.pk)
        status = submission.status if submission else "not_started"
        label = submission.get_status_display() if submission else "未开始"
        on_time = None
        if submission and submission.first_submitted_at:
            limit = max(due, exceptions.get(org.pk, due))
            on_time = timezone.localdate(submission.first_submitted_at) <= limit
        rows.append(CompletenessRow(org, status, label, submission and submission.submitted_at, on_time, submission))
    return Completeness(dataset, period_obj, due, rows)


def remind_missing(user, dataset: DataSet, period: str, root: Org | None = None) -> int:
    """Notify the users of every expected org that has not reported yet; returns how many were notified."""
    report = completeness(dataset, period, root, user)
    missing = [row.org for row in report.rows if row.status in ("not_started", Status.DRAFT, Status.RETURNED)]
    label = report.period.label
    notified = 0
    for member in Membership.objects.active().filter(org__in=missing).select_related("user", "org"):
        Notification.objects.create(
            user=member.user,
            title=f"请按时填报：{dataset.name}（{label}）",
            body=f"{member.org.name}尚未完成{label}的{dataset.name}，截止日期{report.deadline:%Y年%-m月%-d日}。",
            link=f"/figures/entry/{dataset.code}/{member.org_id}/{period}/",
        )
        notified += 1
    return notified


def _notify_org(submission, title, body):
    for member in Membership.objects.active().filter(org=submission.org).select_related("user"):
        Notification.objects.create(
            user=member.user,
            title=title,
            body=body,
            link=f"/figures/entry/{submission.dataset.code}/{submission.org_id}/{submission.period}/",
        )


def _notify_reviewers(submission):
    parent = submission.org.parent_org
    if parent is None:
        return
    for member in Membership.objects.active().filter(org=parent).select_related("user"):
        if member.user.has_perm("indicators.change_submission"):
            Notification.objects.create(
                user=member.user,
                title=f"待审核：{submission.org.name} {submission.dataset.name}（{submission.period_obj.label}）",
                link=f"/figures/submissions/{submission.pk}/",
            )

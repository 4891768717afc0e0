"""Narrative intake: upload a report, propose its figures, and review them into data values with provenance."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from changai.accounts.models import Membership
from changai.accounts.scope import scope_for
from changai.core.models import Notification
from changai.core.periods import InvalidPeriod, Period
from changai.indicators import services as figures
from changai.indicators.jobs import schedule_refresh
from changai.indicators.models import Aggregation, DataValue, Indicator, Source, Submission
from changai.orgs.models import Kind, Org

from . import documents
from .extraction import IndicatorHint, document_author, extract
from .keywords import SEED_KEYWORDS
from .models import FactProposal, NarrativeReport

Status = FactProposal.Status
PROVENANCE_PREFIX = "材料识数："
REVIEW_PERM = "narratives.change_factproposal"
UPLOAD_PERM = "narratives.add_narrativereport"
# Kinds an uploader picks as the report's org (member units and industry lines report through their own apps).
REPORT_KINDS = (Kind.PROVINCE, Kind.CITY, Kind.COUNTY, Kind.TOWN, Kind.PARK, Kind.ENTERPRISE, Kind.INDUSTRY_LINE)
_MONEY_SCALE = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_SAME_UNITS = [
    {"人", "名", "位"},
    {"场", "场次", "次"},
    {"项", "条", "件"},
    {"个", "家", "所", "座", "处", "支", "间", "对"},
]


# ---------------------------------------------------------------------------- who may do what


def can_upload(user) -> bool:
    return user.has_perm(UPLOAD_PERM)


def can_review(user, report: NarrativeReport) -> bool:
    """Offices, towns and industry lines review the reports of the orgs in their scope."""
    return user.has_perm(REVIEW_PERM) and scope_for(user).contains(report.org)


def can_delete(user, report: NarrativeReport) -> bool:
    return user.has_perm("narratives.delete_narrativereport") and (
        report.uploaded_by_id == user.pk or can_review(user, report)
    )


def upload_orgs(user):
    """Reviewers upload for any org in scope; enterprise unions only for their own org."""
    orgs = Org.objects.visible_to(user).filter(kind__in=REPORT_KINDS, is_active=True)
    if not user.has_perm(REVIEW_PERM):
        orgs = orgs.filter(pk__in=Membership.objects.active().filter(user=user).values("org_id"))
    return orgs.order_by("path")


def target_orgs(user):
    """Orgs a reviewer may record a figure for."""
    return Org.objects.visible_to(user).filter(is_active=True).exclude(kind=Kind.MEMBER_UNIT).order_by("path")


def acceptable_indicators():
    """Indicators a figure may become: reported ones (ratios are computed from their parts, never typed in)."""
    return Indicator.objects.filter(is_active=True, source=Source.REPORTED).exclude(aggregation=Aggregation.RATIO)


# ---------------------------------------------------------------------------- upload and extraction


def catalogue_hints() -> list[IndicatorHint]:
    return [
        IndicatorHint(ind.code, ind.name, ind.unit, ind.description, SEED_KEYWORDS.get(ind.code, ()))
        for ind in acceptable_indicators()
    ]


def check_period(code: str) -> str:
    try:
        return Period.parse(code).code
    except InvalidPeriod as exc:
        raise ValidationError("期间格式不对：年度填 2024，半年填 2024H1，季度填 2024Q2，月份填 2024M06。") from exc


@transaction.atomic
def create_report(user, *, org: Org, period: str, title: str = "", upload=None, text: str = "") -> NarrativeReport:
    """Store the report and propose every figure in it. Nothing is stored when the file cannot be read."""
    if not can_upload(user) or not upload_orgs(user).filter(pk=org.pk).exists():
        raise PermissionDenied("您无权为该单位上传材料。")
    try:
        period = check_period(period)
    except ValidationError as exc:
        raise ValidationError({"period": exc.messages}) from exc
    if upload is not None:
        try:
            body, file_type = documents.read_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        filename = upload.name.rsplit("/", 1)[-1][:255]
    elif (text or "").strip():
        try:
            body = documents.clean_text(text, "粘贴的文字")
        except ValidationError as exc:
            raise ValidationError({"text": exc.messages}) from exc
        file_type, filename = NarrativeReport.FileType.PASTED, ""
    else:
        raise ValidationError({"file": "请选择要上传的文件，或在下方粘贴材料文字。"})
    title = (title or "").strip() or _title_from(body, filename)
    report = NarrativeReport.objects.create(
        org=org,
        period=period,
        title=title[:200],
        file=upload if upload is not None else "",
        filename=filename,
        file_type=file_type,
        text=body,
        author=document_author(body)[:120],
        uploaded_by=user,
    )
    propose_facts(report)
    if not can_review(user, report):
        transaction.on_commit(lambda: _notify_reviewers(report))
    return report


def _title_from(body: str, filename: str) -> str:
    if filename:
        return filename.rsplit(".", 1)[0]
    first = next((line.strip("# ").strip() for line in body.split("\n") if line.strip("# ").strip()), "")
    return first[:60] or "未命名材料"


def propose_facts(report: NarrativeReport) -> int:
    """Read the report's figures into proposals, each with the indicator the catalogue suggests for it."""
    indicators = {ind.code: ind for ind in acceptable_indicators()}
    facts = extract(report.text, catalogue_hints(), author=report.author or report.org.name)
    FactProposal.objects.bulk_create(
        FactProposal(
            report=report,
            position=position,
            start=fact.start,
            end=fact.end,
            quote_start=fact.quote_start,
            quote_end=fact.quote_end,
            quote=fact.quote[:300],
            value=fact.value,
            value_max=fact.value_max,
            unit=fact.unit,
            qualifier=fact.qualifier,
            period_phrase=fact.period[:40],
            subject=fact.subject[:120],
            suggested_indicator=indicators.get(fact.indicator or ""),
        )
        for position, fact in enumerate(facts, start=1)
    )
    return len(facts)


def _notify_reviewers(report: NarrativeReport) -> None:
    parent = report.org.parent_org
    if parent is None:
        return
    link = reverse("narratives:detail", kwargs={"report_pk": report.pk})
    for membership in Membership.objects.active().filter(org=parent).select_related("user"):
        if membership.user.has_perm(REVIEW_PERM):
            Notification.objects.create(
                user=membership.user,
                title=f"待审核材料：{report.org.name}《{report.title}》",
                body=f"识别出{report.proposals.count()}处数字，请核对后采用或忽略。",
                link=link,
            )


@transaction.atomic
def delete_report(user, report: NarrativeReport) -> None:
    if not can_delete(user, report):
        raise PermissionDenied("您无权删除该材料。")
    if report.proposals.filter(status__in=[Status.ACCEPTED, Status.CORRECTED]).exists():
        raise ValidationError("该材料已有数字被采用为指标数据，不能删除；如确需删除，请先逐条撤回采用。")
    if report.file:
        report.file.delete(save=False)
    report.delete()


# ---------------------------------------------------------------------------- review defaults


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    """The value in the indicator's unit (35.6万元 → 356000元), or None when the units do not measure the same."""
    if from_unit == to_unit:
        return value
    if from_unit in _MONEY_SCALE and to_unit in _MONEY_SCALE:
        return (value * _MONEY_SCALE[from_unit] / _MONEY_SCALE[to_unit]).normalize()
    if any(from_unit in group and to_unit in group for group in _SAME_UNITS):
        return value
    if from_unit == "人" and to_unit == "人次":
        return value
    return None


def proposed_value(fact: FactProposal, indicator: Indicator | None) -> Decimal:
    if indicator is None:
        return fact.value
    converted = convert(fact.value, fact.unit, indicator.unit)
    return fact.value if converted is None else converted


def suggest_period(fact: FactProposal) -> str:
    """The period a figure belongs to: a year or half named in its phrase, else the report's period."""
    report_period = Period.parse(fact.report.period)
    phrase = fact.period_phrase
    year = report_period.year
    named = re.search(r"(\d{4})年", phrase)
    if named and "以来" not in phrase and not phrase.endswith("来"):
        year = int(named.group(1))
    elif phrase.startswith("去年") and "以来" not in phrase:
        year -= 1
    else:
        return report_period.code
    if "上半年" in phrase:
        return Period(year, "half_year", 1).code
    if "下半年" in phrase:
        return Period(year, "half_year", 2).code
    return Period(year, "year").code


def suggest_org(user, fact: FactProposal) -> Org:
    """The org the figure is about when the report names one the reviewer may record for, else the report's org."""
    subject = (fact.subject or "").strip()
    if len(subject) >= 3:
        match = target_orgs(user).filter(name=subject).first()
        if match is not None:
            return match
    return fact.report.org


@dataclass
class Existing:
    """What the cell (indicator, org, period) already holds."""

    value: DataValue
    locked: bool
    label: str


def existing_value(indicator: Indicator, org: Org, period: str) -> Existing | None:
    value = DataValue.objects.filter(indicator=indicator, org=org, period=period).select_related("submission").first()
    if value is None:
        return None
    submission = value.submission
    locked = value.approved or (
        submission is not None and submission.status in (Submission.Status.SUBMITTED, Submission.Status.APPROVED)
    )
    if value.approved:
        label = "已审核"
    elif submission is not None:
        label = submission.get_status_display()
    else:
        label = "未审核"
    return Existing(value, locked, label)


# ---------------------------------------------------------------------------- review


def _ensure_reviewable(user, fact: FactProposal) -> None:
    if not can_review(user, fact.report):
        raise PermissionDenied("您无权审核该材料中的数字。")


def _locked_fact(fact: FactProposal) -> FactProposal:
    return FactProposal.objects.select_for_update(of=("self",)).select_related("report__org").get(pk=fact.pk)


@transaction.atomic
def accept(
    user,
    fact: FactProposal,
    *,
    indicator: Indicator,
    org: Org,
    period: str,
    value,
    replace: bool = False,
    note: str = "",
) -> FactProposal:
    """Record the figure as the data value of (indicator, org, period), linked back to its quote.

    A value already reported for that cell is never silently overwritten: an equal value is only linked,
    an approved or submitted one is refused, and an unreviewed one is replaced only when `replace` is set.
    """
    fact = _locked_fact(fact)
    _ensure_reviewable(user, fact)
    if not fact.is_open:
        raise ValidationError(f"该数字已{fact.get_status_display()}，如需改变请先撤回。")
    errors = {}
    if indicator is None or not acceptable_indicators().filter(pk=indicator.pk).exists():
        errors["indicator"] = "请选择一个启用中的填报指标（比率指标由分子分母计算，不能直接采用）。"
    if org is None or not scope_for(user).contains(org) or not figures.can_enter(user, org):
        errors["org"] = "请选择您管辖范围内的单位。"
    try:
        period = check_period(period or "")
    except ValidationError as exc:
        errors["period"] = exc.messages
    if errors:
        raise ValidationError(errors)
    try:
        number = figures.parse_number(value, indicator)
    except ValidationError as exc:
        raise ValidationError({"value": exc.messages}) from exc
    if number is None:
        raise ValidationError({"value": "请填写数值。"})
    existing = existing_value(indicator, org, period)
    data_value, created = _write_value(user, fact, indicator, org, period, number, existing, replace)
    corrected = number != proposed_value(fact, indicator) or (
        fact.suggested_indicator_id is not None and fact.suggested_indicator_id != indicator.pk
    )
    fact.status = Status.CORRECTED if corrected else Status.ACCEPTED
    fact.indicator, fact.org, fact.period, fact.accepted_value = indicator, org, period, number
    fact.data_value, fact.created_value = data_value, created
    fact.note = (note or "").strip()[:200]
    fact.reviewed_by, fact.reviewed_at = user, timezone.now()
    fact.save()
    if data_value.approved:
        transaction.on_commit(lambda: schedule_refresh(org, period, [indicator.pk], user=user))
    return fact


def _write_value(user, fact, indicator, org, period, number, existing: Existing | None, replace: bool):
    provenance = provenance_text(fact)
    if existing is None:
        # A form the org has started for this period takes the value in, to go up with it for review.
        draft = Submission.objects.filter(
            org=org,
            period=period,
            dataset__indicators=indicator,
            status__in=[Submission.Status.DRAFT, Submission.Status.RETURNED],
        ).first()
        value = DataValue.objects.create(
            indicator=indicator,
            org=org,
            period=period,
            value=number,
            submission=draft,
            approved=draft is None and figures.can_review(user, org),
            provenance=provenance,
        )
        return value, True
    current = existing.value
    if current.value == number:
        if not current.provenance:
            current.provenance = provenance
            current.save(update_fields=["provenance", "updated_at"])
        return current, False
    shown = f"{current.value.normalize():f}{indicator.unit}"
    where = f"{org.name}{Period.parse(period).label}的“{indicator.name}”"
    if existing.locked:
        raise ValidationError(
            {
                "value": f"{where}已有{existing.label}的数值{shown}，不能用材料中的数字覆盖。"
                "如需更正，请由上级退回该单位的填报后修改。"
            }
        )
    if not replace:
        raise ValidationError(
            {
                "replace": f"{where}已有{existing.label}的数值{shown}（{current.provenance or '下级填报'}）。"
                "如确认以材料中的数字为准，请勾选“替换已有数值”后再提交。"
            }
        )
    current.value = number
    current.provenance = provenance
    if current.submission_id is None:
        current.approved = figures.can_review(user, org)
    current.save()
    return current, False


def provenance_text(fact: FactProposal) -> str:
    report = fact.report
    quote = fact.quote if len(fact.quote) <= 60 else fact.quote[:58] + "…"
    return f"{PROVENANCE_PREFIX}{report.org.name}《{report.title}》第{fact.position}处：{quote}"[:300]


def is_narrative(value: DataValue) -> bool:
    return (value.provenance or "").startswith(PROVENANCE_PREFIX)


@transaction.atomic
def reject(user, fact: FactProposal, note: str = "") -> FactProposal:
    fact = _locked_fact(fact)
    _ensure_reviewable(user, fact)
    if not fact.is_open:
        raise ValidationError(f"该数字已{fact.get_status_display()}。")
    fact.status = Status.REJECTED
    fact.note = (note or "").strip()[:200]
    fact.reviewed_by, fact.reviewed_at = user, timezone.now()
    fact.save()
    return fact


@transaction.atomic
def reject_open(user, report: NarrativeReport, note: str = "") -> int:
    """Ignore every proposal of the report still waiting for review."""
    if not can_review(user, report):
        raise PermissionDenied("您无权审核该材料中的数字。")
    return report.proposals.filter(status=Status.PROPOSED).update(
        status=Status.REJECTED, note=(note or "").strip()[:200], reviewed_by=user, reviewed_at=timezone.now()
    )


@transaction.atomic
def withdraw(user, fact: FactProposal) -> FactProposal:
    """Put a reviewed figure back to review. A data value it created is removed again, if nobody has since
    changed it or taken it into a submission; a value it was only linked to stays."""
    fact = _locked_fact(fact)
    _ensure_reviewable(user, fact)
    if fact.is_open:
        raise ValidationError("该数字尚未审核。")
    refresh = None
    if fact.is_taken and fact.data_value_id:
        value = (
            DataValue.objects.select_for_update(of=("self",)).select_related("submission").get(pk=fact.data_value_id)
        )
        if value.submission is not None and value.submission.status in (
            Submission.Status.SUBMITTED,
            Submission.Status.APPROVED,
        ):
            raise ValidationError("该数值已进入填报审核流程，不能撤回。如需更正，请由上级退回该单位的填报后修改。")
        others = value.narrative_facts.exclude(pk=fact.pk).filter(status__in=[Status.ACCEPTED, Status.CORRECTED])
        other = others.select_related("report__org").first()
        if other is None and fact.created_value and value.value == fact.accepted_value:
            if value.approved:
                refresh = (value.org, value.period, value.indicator_id)
            fact.data_value = None
            fact.save(update_fields=["data_value"])
            value.delete()
        elif value.provenance == provenance_text(fact):
            value.provenance = provenance_text(other) if other else ""
            value.save(update_fields=["provenance", "updated_at"])
    fact.status = Status.PROPOSED
    fact.indicator = fact.org = fact.accepted_value = fact.data_value = fact.reviewed_by = fact.reviewed_at = None
    fact.period, fact.note, fact.created_value = "", "", False
    fact.save()
    if refresh:
        org, period, indicator_id = refresh
        transaction.on_commit(lambda: schedule_refresh(org, period, [indicator_id], user=user))
    return fact


# ---------------------------------------------------------------------------- lists


def reports_with_counts(queryset):
    return queryset.annotate(
        open_count=Count("proposals", filter=Q(proposals__status=Status.PROPOSED)),
        taken_count=Count("proposals", filter=Q(proposals__status__in=[Status.ACCEPTED, Status.CORRECTED])),
        fact_count=Count("proposals"),
    ).order_by("-uploaded_at", "-pk")


def status_counts(report: NarrativeReport) -> dict[str, int]:
    counts = dict(report.proposals.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in Status.values}


def fact_for_value(user, value_pk: int) -> FactProposal | None:
    """The reviewed figure a data value came from, if the user may see its report."""
    return (
        FactProposal.objects.visible_to(user)
        .filter(data_value_id=value_pk, status__in=[Status.ACCEPTED, Status.CORRECTED])
        .order_by("-reviewed_at")
        .first()
    )

"""Assessment (考核): scorecards, scoring rules, evidence from the platform's own records, self and reviewer marks,
totals scaled to the points the assessment carries, ranking, closing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from changai.accounts.models import Membership
from changai.core.models import Notification
from changai.orgs.models import Kind, Org
from changai.worklists import services as worklists
from changai.worklists.models import Checkpoint, PlanItem

from . import indicators
from .models import Assessee, Score, Scorecard, ScoreRule
from .permissions import (
    ASSESSEE_KINDS,
    can_create_for,
    can_edit_setup,
    can_manage,
    is_assessee_member,
    is_office,
)

Status = Scorecard.Status
RuleKind = ScoreRule.Kind
CENT = Decimal("0.01")
ZERO = Decimal("0")
MAX_RECORDS = 200  # evidence rows kept per score; the counts cover all of them
# Fields a Brand may date its promotion by, tried in order (the supervision app is optional).
BRAND_DATE_FIELDS = ("promoted_on", "promoted_at", "named_on", "named_at", "created_at")


def _q(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None) -> str:
    """A mark as people write it: 3, 2.5, 0.25."""
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(CENT):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(raw, name: str, *, allow_none: bool = False) -> Decimal | None:
    if raw in (None, "") and allow_none:
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({name: "请填写有效的分值。"}) from None
    if not value.is_finite():
        raise ValidationError({name: "请填写有效的分值。"})
    if value != value.quantize(CENT):
        raise ValidationError({name: "分值最多保留两位小数。"})
    return value


# ---------------------------------------------------------------------------- set-up


@transaction.atomic
def create_scorecard(user, org: Org, *, year: int, title: str, max_points, description: str = "") -> Scorecard:
    """An office starts an assessment of the orgs under it for a year."""
    if not can_create_for(user, org):
        raise PermissionDenied("您无权为该单位设立考核。")
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": "请填写正确的考核年度。"})
    if not (title or "").strip():
        raise ValidationError({"title": "请填写考核名称。"})
    max_points = _number(max_points, "max_points")
    if max_points <= 0:
        raise ValidationError({"max_points": "满分应大于0。"})
    return Scorecard.objects.create(
        org=org,
        year=year,
        title=title.strip(),
        max_points=max_points,
        description=(description or "").strip(),
        created_by=user,
    )


def _check_setup(user, scorecard: Scorecard) -> None:
    if not can_manage(user, scorecard):
        raise PermissionDenied("只有考核单位可以修改考核设置。")
    if not can_edit_setup(user, scorecard):
        raise ValidationError("考核已开始评分，不能再修改评分细则和被考核单位。")


@transaction.atomic
def add_rule(
    user,
    scorecard: Scorecard,
    *,
    name: str,
    kind: str = RuleKind.MANUAL,
    points,
    per_unit_deduction=0,
    cap=None,
    description: str = "",
    sort: int | None = None,
) -> ScoreRule:
    """Add a line to the scoring table (only while the scorecard is being prepared)."""
    _check_setup(user, scorecard)
    if kind not in RuleKind.values:
        raise ValidationError({"kind": "未知的计分方式。"})
    if not (name or "").strip():
        raise ValidationError({"name": "请填写考核内容。"})
    points = _number(points, "points")
    deduction = _number(per_unit_deduction or 0, "per_unit_deduction")
    cap = _number(cap, "cap", allow_none=True)
    if points <= 0:
        raise ValidationError({"points": "分值应大于0。"})
    if deduction < 0:
        raise ValidationError({"per_unit_deduction": "每次扣分不能为负数。"})
    if kind == RuleKind.OVERDUE_CHECKPOINTS and deduction <= 0:
        raise ValidationError({"per_unit_deduction": "逾期报送扣分须填写每次扣分。"})
    if kind == RuleKind.BRAND_BONUS and (cap is None or cap < points):
        raise ValidationError({"cap": "品牌加分须填写加分上限，且不低于每个品牌的加分。"})
    if kind != RuleKind.BRAND_BONUS:
        cap = None
    if sort is None:
        sort = scorecard.rules.count() + 1
    rule = ScoreRule.objects.create(
        scorecard=scorecard,
        name=name.strip(),
        kind=kind,
        points=points,
        per_unit_deduction=deduction,
        cap=cap,
        description=(description or "").strip(),
        sort=sort,
    )
    _ensure_scores(scorecard)
    return rule


@transaction.atomic
def remove_rule(user, rule: ScoreRule) -> None:
    _check_setup(user, rule.scorecard)
    rule.delete()


def assessee_candidates(scorecard: Scorecard, kind: str):
    """Open orgs of a kind under the office; member units only those of the office itself."""
    office = scorecard.org
    orgs = Org.objects.filter(kind=kind, is_active=True, path__startswith=office.path).exclude(pk=office.pk)
    if kind == Kind.MEMBER_UNIT:
        orgs = orgs.filter(depth=office.depth + 1)
    return orgs.order_by("path")


@transaction.atomic
def add_assessees(user, scorecard: Scorecard, orgs: Iterable[Org]) -> int:
    """Add orgs under the office to the assessment; those already in it are skipped."""
    _check_setup(user, scorecard)
    orgs = list(orgs)
    for org in orgs:
        if org.kind not in ASSESSEE_KINDS or org.pk == scorecard.org_id or not org.path.startswith(scorecard.org.path):
            raise ValidationError(f"“{org.name}”不在{scorecard.org.name}的管辖范围内，不能列为被考核单位。")
    existing = set(scorecard.assessees.values_list("org_id", flat=True))
    new = [Assessee(scorecard=scorecard, org=org) for org in orgs if org.pk not in existing]
    Assessee.objects.bulk_create(new)
    _ensure_scores(scorecard)
    return len(new)


@transaction.atomic
def remove_assessee(user, assessee: Assessee) -> None:
    _check_setup(user, assessee.scorecard)
    assessee.delete()


def _ensure_scores(scorecard: Scorecard) -> None:
    """One score row per assessee and rule."""
    have = set(Score.objects.filter(assessee__scorecard=scorecard).values_list("assessee_id", "rule_id"))
    rules = list(scorecard.rules.values_list("pk", flat=True))
    missing = [
        Score(assessee_id=assessee_id, rule_id=rule_id)
        for assessee_id in scorecard.assessees.values_list("pk", flat=True)
        for rule_id in rules
        if (assessee_id, rule_id) not in have
    ]
    Score.objects.bulk_create(missing)


# ---------------------------------------------------------------------------- evidence


@dataclass
class Evidence:
    """An automatic mark and what it rests on: the counts and the records behind them."""

    score: Decimal | None
    summary: str
    numbers: list[tuple[str, str]] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "summary": self.summary,
            "numbers": [[label, str(value)] for label, value in self.numbers],
            "records": self.records[:MAX_RECORDS],
            "truncated": max(len(self.records) - MAX_RECORDS, 0),
            "on": worklists.today().isoformat(),
        }


def led_items(assessee: Assessee):
    """The year's plan items the assessee leads (cancelled ones do not count)."""
    return (
        PlanItem.objects.filter(lead_unit=assessee.org_id, plan__year=assessee.scorecard.year)
        .exclude(status=PlanItem.Status.CANCELLED)
        .select_related("plan")
        .order_by("plan__org__path", "number", "pk")
    )


def _item_label(item: PlanItem) -> str:
    return f"{item.plan.title}：{item.number} {item.title}"


def _overdue_checkpoints(rule: ScoreRule, assessee: Assessee, items) -> Evidence:
    on = worklists.today()
    checkpoints = Checkpoint.objects.filter(item__in=items.values("pk"), due_on__lt=on).select_related("item__plan")
    due, late, missing, records = 0, 0, 0, []
    for checkpoint in checkpoints.order_by("due_on", "pk"):
        due += 1
        if checkpoint.submitted_at is None:
            missing += 1
            state = "未报送"
        elif timezone.localdate(checkpoint.submitted_at) > checkpoint.due_on:
            late += 1
            state = f"逾期报送（{timezone.localdate(checkpoint.submitted_at):%Y-%m-%d}）"
        else:
            continue
        records.append(
            {
                "text": f"{_item_label(checkpoint.item)} · {checkpoint.get_kind_display()} {checkpoint.period}",
                "note": f"截止{checkpoint.due_on:%Y-%m-%d}，{state}",
            }
        )
    deduction = rule.per_unit_deduction * (late + missing)
    score = max(ZERO, rule.points - deduction)
    summary = (
        f"截至{on:%Y年%-m月%-d日}，牵头任务{items.count()}项，已到期节点{due}个，其中逾期报送{late}个、未报送{missing}个；"
        f"每个扣{fmt(rule.per_unit_deduction)}分，共扣{fmt(min(deduction, rule.points))}分。"
    )
    numbers = [("已到期节点", due), ("逾期报送", late), ("未报送", missing), ("扣分", fmt(min(deduction, rule.points)))]
    return Evidence(_q(score), summary, numbers, records)


def _items_completed(rule: ScoreRule, assessee: Assessee, items) -> Evidence:
    items = list(items)
    done = [item for item in items if item.status == PlanItem.Status.DONE]
    records = [
        {"text": _item_label(item), "note": f"{item.get_status_display()}，进度{item.progress}%"} for item in items
    ]
    if not items:
        return Evidence(_q(rule.points), "本年度无牵头任务，不扣分，按满分计。", [("牵头任务", 0)], records)
    score = rule.points * len(done) / len(items)
    rate = _q(Decimal(len(done) * 100) / len(items))
    summary = f"牵头任务{len(items)}项，已完成{len(done)}项，完成率{fmt(rate)}%。"
    return Evidence(
        _q(score), summary, [("牵头任务", len(items)), ("已完成", len(done)), ("完成率%", fmt(rate))], records
    )


def brand_model():
    """The supervision app's Brand, when that app is installed."""
    if not apps.is_installed("changai.supervision"):
        return None
    try:
        return apps.get_model("supervision", "Brand")
    except LookupError:
        return None


def _brands_of_year(brand_cls, assessee: Assessee):
    year = assessee.scorecard.year
    brands = brand_cls.objects.filter(item__lead_unit=assessee.org_id).select_related("item__plan")
    fields = {f.name for f in brand_cls._meta.concrete_fields}
    if "year" in fields:
        return brands.filter(year=year)
    for name in BRAND_DATE_FIELDS:
        if name in fields:
            return brands.filter(**{f"{name}__year": year})
    return brands.filter(item__plan__year=year)


def _brand_bonus(rule: ScoreRule, assessee: Assessee, items) -> Evidence:
    brand_cls = brand_model()
    if brand_cls is None:
        return Evidence(ZERO, "品牌管理功能尚未启用，暂按0分计。")
    brands = list(_brands_of_year(brand_cls, assessee).order_by("pk"))
    cap = rule.cap if rule.cap is not None else rule.points * len(brands)
    score = min(cap, rule.points * len(brands))
    records = [{"text": str(brand), "note": _item_label(brand.item)} for brand in brands]
    summary = (
        f"{assessee.scorecard.year}年牵头任务打造成品牌{len(brands)}个，每个加{fmt(rule.points)}分，"
        f"上限{fmt(cap)}分，加{fmt(score)}分。"
    )
    return Evidence(_q(score), summary, [("品牌", len(brands)), ("加分", fmt(score))], records)


_AUTO = {
    RuleKind.OVERDUE_CHECKPOINTS: _overdue_checkpoints,
    RuleKind.ITEMS_COMPLETED: _items_completed,
    RuleKind.BRAND_BONUS: _brand_bonus,
}


def evidence(rule: ScoreRule, assessee: Assessee, items=None) -> Evidence:
    """The automatic mark of a rule for an assessee and the records behind it (manual rules have none)."""
    compute = _AUTO.get(rule.kind)
    if compute is None:
        return Evidence(None, "人工评分：由考核单位对照评分标准评定。")
    return compute(rule, assessee, items if items is not None else led_items(assessee))


def compute_auto_scores(scorecard: Scorecard) -> int:
    """Fill every automatic mark and its evidence from the platform's records; returns the scores written."""
    if scorecard.status == Status.CLOSED:
        raise ValidationError("考核已结束，得分已锁定。")
    _ensure_scores(scorecard)
    rules = [rule for rule in scorecard.rules.all() if rule.is_auto]
    if not rules:
        return 0
    now, written = timezone.now(), 0
    with transaction.atomic():
        for assessee in scorecard.assessees.select_related("org", "scorecard"):
            items = led_items(assessee)
            scores = {s.rule_id: s for s in assessee.scores.filter(rule__in=rules)}
            for rule in rules:
                found = evidence(rule, assessee, items)
                score = scores[rule.pk]
                score.auto_score, score.evidence, score.computed_at = found.score, found.as_json(), now
                score.save(update_fields=["auto_score", "evidence", "computed_at"])
                written += 1
    return written


# ---------------------------------------------------------------------------- opening and closing


@transaction.atomic
def open_scorecard(user, scorecard: Scorecard) -> Scorecard:
    """Start scoring: the platform's marks are computed and the assessed orgs are told to score themselves."""
    if not can_manage(user, scorecard):
        raise PermissionDenied("只有考核单位可以开始评分。")
    if scorecard.status != Status.DRAFT:
        raise ValidationError(f"考核{scorecard.get_status_display()}，不能再开始评分。")
    if not scorecard.rules.exists():
        raise ValidationError("请先添加评分细则。")
    if not scorecard.assessees.exists():
        raise ValidationError("请先添加被考核单位。")
    scorecard.status, scorecard.opened_at = Status.OPEN, timezone.now()
    scorecard.save(update_fields=["status", "opened_at", "updated_at"])
    compute_auto_scores(scorecard)
    transaction.on_commit(lambda: _notify_assessees(scorecard))
    return scorecard


@transaction.atomic
def close_scorecard(user, scorecard: Scorecard) -> Scorecard:
    """End scoring: the platform's marks are computed one last time, then every mark is locked."""
    if not can_manage(user, scorecard):
        raise PermissionDenied("只有考核单位可以结束考核。")
    if scorecard.status != Status.OPEN:
        raise ValidationError("只有评分中的考核可以结束。")
    compute_auto_scores(scorecard)
    scorecard.status, scorecard.closed_at = Status.CLOSED, timezone.now()
    scorecard.save(update_fields=["status", "closed_at", "updated_at"])
    transaction.on_commit(lambda: indicators.forget(scorecard.year))
    return scorecard


def _notify_assessees(scorecard: Scorecard) -> None:
    assessees = {a.org_id: a.pk for a in scorecard.assessees.all()}
    members = Membership.objects.active().filter(org__in=assessees).select_related("user")
    Notification.objects.bulk_create(
        Notification(
            user=member.user,
            title=f"{scorecard.year}年{scorecard.title}已开始"[:120],
            body=f"{scorecard.org.name}已开始考核评分，请对照评分细则填报自评分。",
            link=reverse("evaluations:assessee_detail", kwargs={"assessee_pk": assessees[member.org_id]}),
        )
        for member in members
    )


# ---------------------------------------------------------------------------- marking


def _check_open(scorecard: Scorecard, what: str) -> None:
    """Judge on the stored status, locked, so a mark cannot slip in while the office closes the scorecard."""
    scorecard.status = Scorecard.objects.select_for_update().values_list("status", flat=True).get(pk=scorecard.pk)
    if scorecard.status == Status.DRAFT:
        raise ValidationError(f"考核尚未开始，暂不能{what}。")
    if scorecard.status == Status.CLOSED:
        raise ValidationError("考核已结束，评分已锁定。")


def _check_value(rule: ScoreRule, raw) -> Decimal:
    value = _number(raw, "value")
    if not ZERO <= value <= rule.max_score:
        raise ValidationError({"value": f"“{rule.name}”的分值应在0到{fmt(rule.max_score)}分之间。"})
    return value


@transaction.atomic
def enter_self_score(user, score: Score, value, comment: str = "") -> Score:
    """The assessed org scores itself on one rule, while the assessment is open and before the office marks it."""
    assessee = score.assessee
    if not (user.has_perm("evaluations.self_score") and is_assessee_member(user, assessee)):
        raise PermissionDenied("只有被考核单位可以填报自评分。")
    _check_open(assessee.scorecard, "自评")
    if score.reviewer_score is not None:
        raise ValidationError("考核单位已评分，不能再修改自评分。")
    score.self_score = _check_value(score.rule, value)
    score.self_comment = (comment or "").strip()
    score.self_by, score.self_at = user, timezone.now()
    score.save(update_fields=["self_score", "self_comment", "self_by", "self_at"])
    return score


@transaction.atomic
def review_score(user, score: Score, value, comment: str = "") -> Score:
    """The office marks one rule; a mark that differs from the self score must say why."""
    scorecard = score.assessee.scorecard
    if not (user.has_perm("evaluations.review_score") and is_office(user, scorecard)):
        raise PermissionDenied("只有考核单位可以评分。")
    _check_open(scorecard, "评分")
    value = _check_value(score.rule, value)
    comment = (comment or "").strip()
    if score.self_score is not None and value != score.self_score and not comment:
        raise ValidationError(
            {
                "comment": f"评分（{fmt(value)}分）与自评分（{fmt(score.self_score)}分）不一致，"
                "请填写评分说明，写明扣分或加分理由。"
            }
        )
    score.reviewer_score, score.reviewer_comment = value, comment
    score.reviewed_by, score.reviewed_at = user, timezone.now()
    score.save(update_fields=["reviewer_score", "reviewer_comment", "reviewed_by", "reviewed_at"])
    return score


# ---------------------------------------------------------------------------- totals and ranking


@dataclass
class Totals:
    """An assessee's marks added up: raw sums over the rules, and the final mark scaled to the scorecard's points."""

    self_sum: Decimal = ZERO
    auto_sum: Decimal = ZERO
    reviewer_sum: Decimal = ZERO
    sum: Decimal = ZERO
    total: Decimal = ZERO
    self_total: Decimal = ZERO
    self_entered: int = 0
    reviewed: int = 0


def full_marks(rules: Iterable[ScoreRule]) -> Decimal:
    return sum((rule.max_score for rule in rules), ZERO)


def _scale(value: Decimal, full: Decimal, max_points: Decimal) -> Decimal:
    return _q(value * max_points / full) if full else ZERO


def add_up(scorecard: Scorecard, rules: list[ScoreRule], scores: Iterable[Score]) -> Totals:
    """Total one assessee's scores (already fetched) on the scorecard's rules."""
    rule_ids = {rule.pk for rule in rules}
    totals = Totals()
    for score in scores:
        if score.rule_id not in rule_ids:
            continue
        if score.self_score is not None:
            totals.self_sum += score.self_score
            totals.self_entered += 1
        if score.auto_score is not None:
            totals.auto_sum += score.auto_score
        if score.reviewer_score is not None:
            totals.reviewer_sum += score.reviewer_score
            totals.reviewed += 1
        totals.sum += score.effective or ZERO
    full = full_marks(rules)
    totals.total = _scale(totals.sum, full, scorecard.max_points)
    totals.self_total = _scale(totals.self_sum, full, scorecard.max_points)
    return totals


def score_table(scorecard: Scorecard, assessees=None) -> tuple[list[ScoreRule], dict[int, dict[int, Score]]]:
    """The rules and every score of the given assessees (default: all) by assessee and rule, in two queries."""
    rules = list(scorecard.rules.all())
    scores = Score.objects.filter(assessee__scorecard=scorecard)
    if assessees is not None:
        scores = scores.filter(assessee__in=[a.pk for a in assessees])
    table: dict[int, dict[int, Score]] = {}
    for score in scores:
        table.setdefault(score.assessee_id, {})[score.rule_id] = score
    return rules, table


def total(assessee: Assessee) -> Decimal:
    """The assessee's final mark: reviewer marks, or automatic ones where the office gave none, scaled to max_points."""
    scorecard = assessee.scorecard
    return add_up(scorecard, list(scorecard.rules.all()), assessee.scores.all()).total


@dataclass
class RankRow:
    rank: int
    assessee: Assessee
    totals: Totals
    marks: list[Score | None]


def ranking(scorecard: Scorecard, assessees=None) -> list[RankRow]:
    """Assessees by final mark, highest first; equal marks share a rank (1, 1, 3)."""
    if assessees is None:
        assessees = scorecard.assessees.select_related("org")
    assessees = list(assessees)
    rules, table = score_table(scorecard, assessees)
    rows = []
    for assessee in assessees:
        scores = table.get(assessee.pk, {})
        marks = [scores.get(rule.pk) for rule in rules]
        rows.append(RankRow(0, assessee, add_up(scorecard, rules, scores.values()), marks))
    rows.sort(key=lambda row: (-row.totals.total, row.assessee.org.path))
    for position, row in enumerate(rows, start=1):
        previous = rows[position - 2] if position > 1 else None
        row.rank = previous.rank if previous and previous.totals.total == row.totals.total else position
    return rows

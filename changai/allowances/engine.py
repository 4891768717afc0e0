"""The monthly roster computation, built to stream a group of a million workers.

The database does the heavy lifting: one GROUP BY over the certificates gives, per worker, the highest level
valid on the month's first day, the highest level valid all month, whether any certificate starts or stops
within the month, and the first day each rewarded level was reached. The employments of the enterprises, that
aggregate and last month's approved lines are three streams ordered by worker, merged here in one pass
(constant memory). Only workers whose situation changes within the month under a pro-rata policy are looked at
day by day, from a small prefetch of the certificates that start or stop in the month.

Rules (docs/decisions.md):
- an enterprise with its own policy in force during the month uses it; otherwise its group head's;
- the month's rule is that of the policy in force on the first day (else of the first one starting in the
  month): "next month" takes the situation (employment, level, title, talent tier, policy) on the first day
  for the whole month; "pro rata" pays each day by the situation of that day;
- the basis is the higher of the skill level and the title's equivalent level (助理工程师=高级工, 工程师=技师,
  高级工程师 and above=高级技师), never both; a level without its own amount gets the nearest lower one;
- the talent tier allowance is paid on top (the best tier the worker holds by a designation of the enterprise
  or its group);
- a one-off reward for level L is due when the worker's first certificate at L or above was issued by the month's
  end, on or after the owner's first policy and the start of the current job, and no reward for L was paid
  before (anywhere); it goes on the line of the worker's last job of the month.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Max, Min, Q

from changai.certificates.models import Certificate, EngineeringTitle, Level, TitleRank
from changai.workers.models import Employment

from .models import LINE_FIGURES, AllowancePolicy, MidMonthRule, RewardPayment, RosterLine, TalentDesignation, Tier

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
CHUNK = 20_000
# Engineering titles → the skill level they count as (正高级工程师 has no higher equivalent than 高级技师).
TITLE_EQUIVALENT = {TitleRank.ASSISTANT: 4, TitleRank.ENGINEER: 5, TitleRank.SENIOR: 6, TitleRank.PROFESSOR: 6}
TIER_ORDER = [Tier.LEADING, Tier.SPECIAL, Tier.KEY]
LEVEL_LABELS = {level: label.split("（")[0] for level, label in Level.choices}
TITLE_LABELS = dict(TitleRank.choices)
TIER_LABELS = dict(Tier.choices)


# ---------------------------------------------------------------------------- months


@dataclass(frozen=True)
class Month:
    start: date
    end: date

    @property
    def code(self) -> str:
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def days(self) -> int:
        return self.end.day

    @property
    def label(self) -> str:
        return f"{self.start.year}年{self.start.month}月"

    def previous(self) -> Month:
        return month_of(self.start - timedelta(days=1))

    def next(self) -> Month:
        return month_of(self.end + timedelta(days=1))


def month_of(day: date) -> Month:
    return Month(day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1]))


def parse_month(value) -> Month:
    """'2026-05' (also 2026-5, 2026/05, 202605) → Month; a ValidationError in Chinese otherwise."""
    if isinstance(value, Month):
        return value
    if isinstance(value, date):
        return month_of(value)
    text = str(value or "").strip().replace("/", "-").replace("年", "-").rstrip("月")
    if text.isdigit() and len(text) == 6:
        text = f"{text[:4]}-{text[4:]}"
    try:
        year, month = (int(part) for part in text.split("-"))
        return month_of(date(year, month, 1))
    except (TypeError, ValueError):
        raise ValidationError("月份格式应为“年-月”，如 2026-05。", code="month") from None


# ---------------------------------------------------------------------------- policies


@dataclass(frozen=True, eq=False)
class Terms:
    """A policy's amounts, flattened for the inner loop."""

    policy_id: int
    owner_id: int
    name: str
    rule: str
    titles_count: bool
    effective_from: date
    effective_to: date | None
    by_level: tuple  # index 0..8: the monthly amount for that basis level
    tiers: dict
    rewards: dict

    @classmethod
    def of(cls, policy: AllowancePolicy) -> Terms:
        rows = sorted((row.level, row.amount) for row in policy.level_amounts.all())
        by_level, amount = [], ZERO
        for level in range(9):
            for row_level, row_amount in rows:
                if row_level == level:
                    amount = row_amount
            by_level.append(amount)
        return cls(
            policy_id=policy.pk,
            owner_id=policy.org_id,
            name=policy.name,
            rule=policy.mid_month_rule,
            titles_count=policy.titles_count,
            effective_from=policy.effective_from,
            effective_to=policy.effective_to,
            by_level=tuple(by_level),
            tiers={row.tier: row.amount for row in policy.tiers.all()},
            rewards={row.level: row.amount for row in policy.reward_rules.all()},
        )

    def snapshot(self) -> dict:
        return {
            "name": self.name,
            "org": self.owner_id,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "mid_month_rule": self.rule,
            "titles_count": self.titles_count,
            "levels": {str(level): str(amount) for level, amount in enumerate(self.by_level) if amount},
            "tiers": {tier: str(amount) for tier, amount in self.tiers.items()},
            "rewards": {str(level): str(amount) for level, amount in self.rewards.items()},
        }


@dataclass(eq=False)
class Plan:
    """The policies an enterprise uses during one month, clipped to the month."""

    enterprise_id: int
    group_id: int | None
    owner_id: int | None
    segments: list  # [(first day, last day, Terms)]
    programme_start: date | None
    month: Month

    def __post_init__(self):
        first = self.segments[0] if self.segments else None
        self.day1 = first[2] if first and first[0] == self.month.start else None
        self.rule = (self.day1 or first[2]).rule if first else None
        self.whole = self.day1 if len(self.segments) == 1 and first[1] == self.month.end else None
        self.boundaries = set()
        for seg_start, seg_end, _ in self.segments:
            self.boundaries.update((seg_start, seg_end + timedelta(days=1)))
        self.designating = {self.enterprise_id, self.group_id} - {None}

    def terms_on(self, day: date) -> Terms | None:
        for seg_start, seg_end, terms in self.segments:
            if seg_start <= day <= seg_end:
                return terms
        return None


def build_plans(enterprises: list[tuple[int, int | None]], month: Month, owners) -> dict[int, Plan]:
    """(enterprise id, group id) pairs → the month's Plan of each; `owners` filters the policies' orgs (a Q)."""
    policies = (
        AllowancePolicy.objects.filter(owners)
        .overlapping(month.start, month.end)
        .prefetch_related("level_amounts", "tiers", "reward_rules")
        .order_by("effective_from", "pk")
    )
    by_owner: dict[int, list[Terms]] = {}
    for policy in policies:
        by_owner.setdefault(policy.org_id, []).append(Terms.of(policy))
    starts = dict(
        AllowancePolicy.objects.filter(owners)
        .values("org_id")
        .annotate(first=Min("effective_from"))
        .values_list("org_id", "first")
    )
    plans = {}
    for eid, gid in enterprises:
        owner = eid if eid in by_owner else (gid if gid in by_owner else None)
        segments = []
        for terms in by_owner.get(owner, []):
            seg_start = max(terms.effective_from, month.start)
            seg_end = min(terms.effective_to or month.end, month.end)
            if segments and seg_start <= segments[-1][1]:  # overlapping versions: the later one takes over
                segments[-1] = (segments[-1][0], seg_start - timedelta(days=1), segments[-1][2])
                if segments[-1][1] < segments[-1][0]:
                    segments.pop()
            segments.append((seg_start, seg_end, terms))
        plans[eid] = Plan(eid, gid, owner, segments, starts.get(owner), month)
    return plans


# ---------------------------------------------------------------------------- lines


class Line:
    """One computed roster line (not a model instance: a million of them stream through)."""

    __slots__ = (
        "worker_id",
        "enterprise_id",
        "name",
        "id_masked",
        "skill_level",
        "title_rank",
        "basis_level",
        "basis_source",
        "level_amount",
        "tier",
        "tier_amount",
        "reward_amount",
        "total",
        "days",
        "previous_total",
        "change",
        "reasons",
        "detail",
        "rewards",
    )

    def __init__(self, worker_id, enterprise_id, name, id_masked):
        self.worker_id = worker_id
        self.enterprise_id = enterprise_id
        self.name = name
        self.id_masked = id_masked
        self.skill_level = self.title_rank = self.basis_level = None
        self.basis_source = self.tier = ""
        self.level_amount = self.tier_amount = self.reward_amount = self.total = ZERO
        self.days = self.previous_total = None
        self.change = RosterLine.Change.SAME
        self.reasons = []
        self.detail = None
        self.rewards = ()  # ((level, amount, reached_on), ...)

    def row(self, roster_id: int) -> tuple:
        import json

        detail = dict(self.detail or {})
        if self.rewards:
            detail["rewards"] = [
                {"level": level, "amount": str(amount), "reached_on": reached.isoformat()}
                for level, amount, reached in self.rewards
            ]
        return (
            roster_id,
            self.worker_id,
            self.enterprise_id,
            self.name,
            self.id_masked,
            self.skill_level,
            self.title_rank,
            self.basis_level,
            self.basis_source,
            self.level_amount,
            self.tier,
            self.tier_amount,
            self.reward_amount,
            self.total,
            self.days,
            self.previous_total,
            self.change,
            "；".join(self.reasons)[:300],
            json.dumps(detail, ensure_ascii=False) if detail else "{}",
        )


LINE_COLUMNS = ["roster_id", "worker_id", "enterprise_id", *LINE_FIGURES, "detail"]


@dataclass
class CertFacts:
    """One worker's row of the certificate aggregate."""

    start_level: int
    stable_level: int
    moving: int
    expired_level: int
    reached: dict


NO_CERTS = CertFacts(0, 0, 0, 0, {})


def stream(queryset):
    """The rows of a values_list queryset, fetched in chunks from a server-side cursor.

    On PostgreSQL the compiled SQL runs on a raw cursor: psycopg already returns dates and decimals, and skipping
    Django's per-row converters saves seconds over a million rows. Elsewhere (SQLite) the ORM converts."""
    if connection.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=CHUNK)
        return
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def _clip(hired, left, month: Month):
    first = month.start if hired is None or hired < month.start else hired
    last = month.end if left is None or left > month.end else left
    return first, last


# ---------------------------------------------------------------------------- the computation


class Computation:
    """Streams the lines of `enterprises` for `month`, compared with the approved lines of `reference`.

    `enterprise_filter` is a list of ids or a queryset of Org ids (for the cross-check over a whole region);
    `reference` is (roster ids, enterprise ids with such a roster) of last month, or None not to compare.
    """

    def __init__(self, enterprise_filter, month: Month, *, reference=None, progress=None):
        from changai.orgs.models import Org

        self.month = month
        self.window_start = month.previous().start
        self.enterprise_filter = enterprise_filter
        pairs = Org.objects.filter(pk__in=enterprise_filter).values_list("pk", "group_id")
        groups = Org.objects.filter(pk__in=enterprise_filter).exclude(group=None).values("group_id")
        owners = Q(org_id__in=enterprise_filter) | Q(org_id__in=groups)
        self.plans = build_plans(list(pairs), month, owners)
        self.reference_rosters, self.covered_before = reference or ([], set())
        self.compare = reference is not None
        self.progress = progress
        self.terms_used: dict[int, Terms] = {}
        rules = {plan.rule for plan in self.plans.values() if plan.rule}
        self.any_pro_rata = MidMonthRule.PRO_RATA in rules
        all_terms = [terms for plan in self.plans.values() for _, _, terms in plan.segments]
        self.any_titles = any(terms.titles_count for terms in all_terms)
        self.any_tiers = any(terms.tiers for terms in all_terms)
        self.reward_levels = sorted({level for terms in all_terms for level in terms.rewards})

    # ------------------------------------------------------------------ queries

    def _employments(self):
        start, end = self.month.start, self.month.end
        return Employment.objects.filter(
            Q(hired_on__isnull=True) | Q(hired_on__lte=end),
            Q(left_on__isnull=True) | Q(left_on__gte=start),
            enterprise_id__in=self.enterprise_filter,
        )

    def _workers(self):
        return self._employments().values("worker_id")

    def _certificate_facts(self):
        start, end = self.month.start, self.month.end
        open_at_start = Q(expires_on__isnull=True) | Q(expires_on__gte=start)
        open_at_end = Q(expires_on__isnull=True) | Q(expires_on__gte=end)
        aggregates = {
            "start_level": Max("level", filter=Q(issued_on__lte=start) & open_at_start),
            "stable_level": Max("level", filter=Q(issued_on__lte=start) & open_at_end),
            "moving": Count("pk", filter=Q(issued_on__gt=start) | Q(expires_on__gte=start, expires_on__lt=end)),
            "expired_level": Max("level", filter=Q(expires_on__gte=self.window_start, expires_on__lt=end)),
        }
        for level in self.reward_levels:
            aggregates[f"reached_{level}"] = Min("issued_on", filter=Q(level__gte=level))
        names = list(aggregates)
        rows = (
            Certificate.objects.filter(revoked=False, issued_on__lte=end, worker_id__in=self._workers())
            .values("worker_id")
            .annotate(**aggregates)
            .order_by("worker_id")
            .values_list("worker_id", *names)
        )
        levels = self.reward_levels
        for row in stream(rows):
            reached = {level: row[5 + i] for i, level in enumerate(levels) if row[5 + i] is not None}
            yield row[0], CertFacts(row[1] or 0, row[2] or 0, row[3], row[4] or 0, reached)

    def _moving_certificates(self) -> dict:
        if not self.any_pro_rata:
            return {}
        start, end = self.month.start, self.month.end
        rows = Certificate.objects.filter(
            Q(issued_on__gt=start) | Q(expires_on__gte=start, expires_on__lt=end),
            revoked=False,
            issued_on__lte=end,
            worker_id__in=self._workers(),
        ).values_list("worker_id", "level", "issued_on", "expires_on")
        moving: dict[int, list] = {}
        for worker_id, level, issued, expires in stream(rows):
            moving.setdefault(worker_id, []).append((level, issued, expires))
        return moving

    def _titles(self) -> dict:
        if not self.any_titles:
            return {}
        rows = EngineeringTitle.objects.filter(
            worker_id__in=self._workers(), awarded_on__lte=self.month.end, rank__in=list(TITLE_EQUIVALENT)
        ).values_list("worker_id", "rank", "awarded_on")
        titles: dict[int, list] = {}
        for worker_id, rank, awarded in stream(rows):
            titles.setdefault(worker_id, []).append((rank, awarded))
        return titles

    def _designations(self) -> dict:
        if not self.any_tiers:
            return {}
        rows = (
            TalentDesignation.objects.overlapping(self.month.start, self.month.end)
            .filter(worker_id__in=self._workers())
            .values_list("worker_id", "org_id", "tier", "valid_from", "valid_to")
        )
        designations: dict[int, list] = {}
        for worker_id, *rest in stream(rows):
            designations.setdefault(worker_id, []).append(tuple(rest))
        return designations

    def _paid_rewards(self) -> set:
        if not self.reward_levels:
            return set()
        rows = RewardPayment.objects.filter(worker_id__in=self._workers(), level__in=self.reward_levels)
        return set(rows.values_list("worker_id", "level").iterator(chunk_size=CHUNK))

    def _reference_lines(self):
        if not self.reference_rosters:
            return iter(())
        return stream(
            RosterLine.objects.filter(
                roster_id__in=self.reference_rosters, enterprise_id__in=self.enterprise_filter, total__gt=0
            )
            .order_by("worker_id")
            .values_list(
                "worker_id",
                "enterprise_id",
                "basis_level",
                "basis_source",
                "tier",
                "total",
                "level_amount",
                "tier_amount",
                "name",
                "id_masked",
                "worker__enterprise_id",
            )
        )

    # ------------------------------------------------------------------ the merge

    def lines(self):
        """Every line, in worker order: workers employed during the month with a non-zero total, and workers on
        last month's approved roster (so a stop or a drop shows with its reason)."""
        self.moving = self._moving_certificates()
        self.titles = self._titles()
        self.designations = self._designations()
        self.paid = self._paid_rewards()
        self.changing = self._changing()
        employments = groupby(
            stream(
                self._employments()
                .order_by("worker_id", "hired_on", "pk")
                .values_list("worker_id", "enterprise_id", "hired_on", "left_on", "worker__name", "worker__id_masked")
            ),
            key=lambda row: row[0],
        )
        previous = groupby(self._reference_lines(), key=lambda row: row[0])
        facts = self._certificate_facts()
        try:
            yield from self._merge(employments, previous, facts)
        finally:
            facts.close()  # frees its database cursor when the caller stops early

    def _merge(self, employments, previous, facts):
        fact_id, fact = next(facts, (None, None))
        emp = next(employments, None)
        prev = next(previous, None)
        done = 0
        while emp is not None or prev is not None:
            worker_id = min(emp[0] if emp else float("inf"), prev[0] if prev else float("inf"))
            stints = list(emp[1]) if emp and emp[0] == worker_id else []
            before = list(prev[1]) if prev and prev[0] == worker_id else []
            if stints:
                emp = next(employments, None)
            if before:
                prev = next(previous, None)
            while fact_id is not None and fact_id < worker_id:
                fact_id, fact = next(facts, (None, None))
            worker_facts = fact if fact_id == worker_id else NO_CERTS
            yield from self._worker_lines(worker_id, stints, before, worker_facts)
            done += 1
            if self.progress and done % 50_000 == 0:
                self.progress(done)

    def _worker_lines(self, worker_id, stints, before, facts):
        previous = {row[1]: row for row in before} if before else {}
        if len(stints) == 1:  # the common case, without the grouping
            row = stints[0]
            by_enterprise = {row[1]: [(row[2], row[3])]}
        else:
            by_enterprise = {}
            for _, enterprise_id, hired, left, *_ in stints:
                by_enterprise.setdefault(enterprise_id, []).append((hired, left))
        for enterprise_id, ranges in by_enterprise.items():
            row = stints[-1]
            line = Line(worker_id, enterprise_id, row[4], row[5])
            self._evaluate(line, ranges, facts)
            prior = previous.pop(enterprise_id, None)
            if self.compare:
                self._explain(line, prior, previous, ranges, facts)
            if line.total or prior is not None:
                yield line
        for enterprise_id, prior in previous.items():
            yield self._gone(worker_id, enterprise_id, prior)

    # ------------------------------------------------------------------ the rules

    def _state(self, line, day, facts, terms, plan):
        """(skill level, title rank, basis level, basis source, tier) of line's worker on `day`."""
        worker_id = line.worker_id
        if day == self.month.start:
            skill = facts.start_level
        else:
            skill = facts.stable_level
            for level, issued, expires in self.moving.get(worker_id, ()):
                if issued <= day and (expires is None or expires >= day) and level > skill:
                    skill = level
        rank = 0
        for title_rank, awarded in self.titles.get(worker_id, ()):
            if awarded <= day and title_rank > rank:
                rank = title_rank
        basis, source = skill, "skill" if skill else ""
        if terms is not None and terms.titles_count and rank and TITLE_EQUIVALENT[rank] > skill:
            basis, source = TITLE_EQUIVALENT[rank], "title"
        tier = ""
        for org_id, tier_code, valid_from, valid_to in self.designations.get(worker_id, ()):
            if (
                org_id in plan.designating
                and valid_from <= day
                and (valid_to is None or valid_to >= day)
                and (not tier or TIER_ORDER.index(tier_code) < TIER_ORDER.index(tier))
            ):
                tier = tier_code
        return skill or None, rank or None, basis or None, source, tier

    def _set_state(self, line, state, terms):
        line.skill_level, line.title_rank, line.basis_level, line.basis_source, line.tier = state
        if terms is not None:
            self.terms_used.setdefault(terms.policy_id, terms)

    def _evaluate(self, line, ranges, facts):
        plan = self.plans[line.enterprise_id]
        month = self.month
        if plan.rule is None:
            self._set_state(line, self._state(line, month.end, facts, None, plan), None)
            line.reasons.append("本企业及所属集团均无适用的津贴政策")
        elif plan.rule == MidMonthRule.NEXT_MONTH:
            self._whole_month(line, ranges, facts, plan)
        else:
            self._pro_rata(line, ranges, facts, plan)
        if self.reward_levels:
            self._rewards(line, ranges, facts, plan)
        line.total = line.level_amount + line.tier_amount + line.reward_amount

    def _whole_month(self, line, ranges, facts, plan):
        """Next-month rule: the situation on the first day decides the whole month (`ranges` None: at work)."""
        start = self.month.start
        terms = plan.day1
        state = self._state(line, start, facts, terms, plan)
        self._set_state(line, state, terms)
        if terms is None:
            return
        if ranges is not None and not any(
            (hired is None or hired <= start) and (left is None or left >= start) for hired, left in ranges
        ):
            return
        _, _, basis, _, tier = state
        line.level_amount = terms.by_level[basis] if basis else ZERO
        line.tier_amount = terms.tiers.get(tier, ZERO) if tier else ZERO

    def _pro_rata(self, line, ranges, facts, plan):
        """Pro-rata rule: each day is paid by that day's situation, as days / days-in-month of the amounts."""
        month = self.month
        worker_id = line.worker_id
        if plan.whole is not None and len(ranges) == 1 and not facts.moving and worker_id not in self.changing:
            hired, left = ranges[0]
            if (hired is None or hired <= month.start) and (left is None or left >= month.end):
                self._whole_month(line, None, facts, plan)  # nothing changes within the month
                return
        clipped = [_clip(hired, left, month) for hired, left in ranges]
        cuts = {month.start, month.end + timedelta(days=1)} | plan.boundaries
        for first, last in clipped:
            cuts.update((first, last + timedelta(days=1)))
        for _, issued, expires in self.moving.get(worker_id, ()):
            cuts.add(issued)
            if expires is not None:
                cuts.add(expires + timedelta(days=1))
        cuts.update(awarded for _, awarded in self.titles.get(worker_id, ()))
        for _, _, valid_from, valid_to in self.designations.get(worker_id, ()):
            cuts.add(valid_from)
            if valid_to is not None:
                cuts.add(valid_to + timedelta(days=1))
        points = sorted(day for day in cuts if month.start <= day <= month.end + timedelta(days=1))
        level_sum = tier_sum = ZERO
        paid_days, segments, state, terms = 0, [], None, None
        for seg_start, next_start in zip(points, points[1:], strict=False):
            seg_end = next_start - timedelta(days=1)
            if not any(first <= seg_start <= last for first, last in clipped):
                continue
            seg_terms = plan.terms_on(seg_start)
            seg_state = self._state(line, seg_start, facts, seg_terms, plan)
            state, terms = seg_state, seg_terms or terms
            if seg_terms is None:
                continue
            self.terms_used.setdefault(seg_terms.policy_id, seg_terms)
            days = (seg_end - seg_start).days + 1
            _, _, basis, _, tier = seg_state
            level_amount = seg_terms.by_level[basis] if basis else ZERO
            tier_amount = seg_terms.tiers.get(tier, ZERO) if tier else ZERO
            level_sum += level_amount * days
            tier_sum += tier_amount * days
            paid_days += days
            segments.append(
                {
                    "from": seg_start.isoformat(),
                    "to": seg_end.isoformat(),
                    "level": basis,
                    "level_amount": str(level_amount),
                    "tier": tier,
                    "tier_amount": str(tier_amount),
                }
            )
        if state is None:
            state = self._state(line, clipped[-1][1], facts, plan.terms_on(clipped[-1][1]), plan)
        self._set_state(line, state, terms)
        line.level_amount = (level_sum / month.days).quantize(CENT, ROUND_HALF_UP)
        line.tier_amount = (tier_sum / month.days).quantize(CENT, ROUND_HALF_UP)
        if paid_days != month.days or len({(s["level"], s["tier"]) for s in segments}) > 1:
            line.days = paid_days
            line.detail = {"segments": segments, "month_days": month.days}

    def _changing(self) -> set[int]:
        """Workers whose title or talent designation starts or ends within the month."""
        start, end = self.month.start, self.month.end
        changing = {
            worker_id
            for worker_id, titles in self.titles.items()
            if any(start < awarded <= end for _, awarded in titles)
        }
        for worker_id, designations in self.designations.items():
            if any(
                start < valid_from <= end or (valid_to is not None and start <= valid_to < end)
                for _, _, valid_from, valid_to in designations
            ):
                changing.add(worker_id)
        return changing

    def _rewards(self, line, ranges, facts, plan):
        """One-off rewards for levels first reached by the month's end, while in this job, never rewarded before."""
        if not facts.reached or plan.programme_start is None:
            return
        rewards, used = [], None
        for level in self.reward_levels:
            reached = facts.reached.get(level)
            if reached is None or reached < plan.programme_start or reached > self.month.end:
                continue
            if (line.worker_id, level) in self.paid:
                continue
            if not any(
                (hired is None or hired <= reached) and (left is None or reached <= left) for hired, left in ranges
            ):
                continue  # reached while working elsewhere
            terms = plan.terms_on(max(reached, self.month.start)) or plan.segments[-1][2]
            if level not in terms.rewards:
                continue
            rewards.append((level, terms.rewards[level], reached))
            used = terms
        if rewards:
            self.terms_used.setdefault(used.policy_id, used)
            line.rewards = tuple(rewards)
            line.reward_amount = sum((amount for _, amount, _ in rewards), ZERO)

    # ------------------------------------------------------------------ changes against last month

    def _explain(self, line, prior, other_prior, ranges, facts):
        reasons = line.reasons
        month = self.month
        for hired, left in ranges:
            if hired is not None and month.start < hired <= month.end:
                reasons.append(f"{hired.month}月{hired.day}日到岗")
            if left is not None and month.start <= left < month.end:
                reasons.append(f"{left.month}月{left.day}日离岗")
        if prior is None:
            if line.enterprise_id not in self.covered_before:
                line.change = RosterLine.Change.FIRST
            else:
                line.change = RosterLine.Change.NEW
                reasons[:0] = self._new_reasons(line, other_prior, ranges)
        else:
            _, _, prev_basis, prev_source, prev_tier, prev_total, prev_level_amount, prev_tier_amount, *_ = prior
            line.previous_total = prev_total
            reasons[:0] = self._level_reasons(line, prev_basis, facts)
            reasons.extend(self._tier_reasons(line.tier, prev_tier))
            if (
                line.basis_level == prev_basis
                and line.tier == prev_tier
                and line.days is None
                and (line.level_amount != prev_level_amount or line.tier_amount != prev_tier_amount)
            ):
                reasons.append("津贴标准调整")
            if prev_total > prev_level_amount + prev_tier_amount:
                reasons.append("上月含一次性奖励")
            if not line.total:
                line.change = RosterLine.Change.GONE
            elif line.total > prev_total:
                line.change = RosterLine.Change.UP
            elif line.total < prev_total:
                line.change = RosterLine.Change.DOWN
        if line.days is not None and line.total:
            reasons.append(f"按天折算（计发{line.days}天）")
        for level, amount, _ in line.rewards:
            reasons.append(f"新晋{LEVEL_LABELS[level]}一次性奖励{amount:,.0f}元")
        if line.total and prior is not None and not reasons and line.change != RosterLine.Change.SAME:
            reasons.append("津贴标准调整")

    def _new_reasons(self, line, other_prior, ranges) -> list[str]:
        if other_prior:
            return ["调入"]
        if any(hired is not None and hired >= self.window_start for hired, _ in ranges):
            return ["新入职"]
        reasons = []
        if line.basis_source == "title":
            reasons.append(f"新取得{TITLE_LABELS[line.title_rank]}职称（按{LEVEL_LABELS[line.basis_level]}享受）")
        elif line.level_amount and line.basis_level:
            reasons.append(f"新取得{LEVEL_LABELS[line.basis_level]}证书")
        reasons.extend(self._tier_reasons(line.tier, ""))
        return reasons

    @staticmethod
    def _level_reasons(line, prev_basis, facts) -> list[str]:
        basis = line.basis_level or 0
        prev_basis = prev_basis or 0
        if basis > prev_basis:
            if line.basis_source == "title":
                return [f"新取得{TITLE_LABELS[line.title_rank]}职称（按{LEVEL_LABELS[basis]}享受）"]
            return [f"新取得{LEVEL_LABELS[basis]}证书"]
        if basis < prev_basis:
            if facts.expired_level >= prev_basis:
                return [f"{LEVEL_LABELS[prev_basis]}证书过期"]
            return [f"享受等级由{LEVEL_LABELS[prev_basis]}调整为{LEVEL_LABELS.get(basis, '无等级')}"]
        return []

    @staticmethod
    def _tier_reasons(tier, prev_tier) -> list[str]:
        if tier == prev_tier:
            return []
        if tier and prev_tier:
            return [f"人才类别由{TIER_LABELS[prev_tier]}调整为{TIER_LABELS[tier]}"]
        if tier:
            return [f"新认定为{TIER_LABELS[tier]}"]
        return [f"{TIER_LABELS[prev_tier]}认定到期"]

    def _gone(self, worker_id, enterprise_id, prior) -> Line:
        name, id_masked, current_enterprise = prior[8], prior[9], prior[10]
        line = Line(worker_id, enterprise_id, name, id_masked)
        line.previous_total = prior[5]
        line.change = RosterLine.Change.GONE
        line.reasons.append("调离" if current_enterprise and current_enterprise != enterprise_id else "离职")
        return line

"""Allowance policies, talent designations, the monthly roster (compute, approve, lock) and the cross-check."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from changai.orgs.models import Kind, Org

from .engine import LEVEL_LABELS, LINE_COLUMNS, TIER_LABELS, ZERO, Computation, Month, month_of, parse_month
from .models import (
    AllowancePolicy,
    PolicyLevelAmount,
    RewardPayment,
    RewardRule,
    Roster,
    RosterLine,
    TalentDesignation,
    TalentTier,
    Tier,
)

# Rosters and checks over more employments than this run as a background job.
SYNC_LIMIT = 20_000
WRITE_BATCH = 20_000


def today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------------------- who and where


def can_manage(user, org: Org) -> bool:
    """Policies and rosters of an enterprise are managed by its union, or its group head's."""
    from changai.accounts.scope import scope_for

    return (
        user.has_perm("allowances.change_allowancepolicy")
        and org.kind == Kind.ENTERPRISE
        and scope_for(user).contains(org)
    )


def manageable_enterprises(user):
    if not user.has_perm("allowances.change_allowancepolicy"):
        return Org.objects.none()
    return Org.objects.visible_to(user).filter(kind=Kind.ENTERPRISE, is_active=True).order_by("path")


def group_members(head: Org):
    return Org.objects.filter(group=head, kind=Kind.ENTERPRISE)


def roster_enterprise_ids(org: Org, whole_group: bool) -> list[int]:
    ids = [org.pk]
    if whole_group:
        ids += list(group_members(org).values_list("pk", flat=True))
    return ids


def covered_enterprise_ids(roster: Roster) -> set[int]:
    return set(roster_enterprise_ids(roster.org, roster.whole_group))


# ---------------------------------------------------------------------------- policies


def policies_in_force(enterprise: Org, month) -> list[AllowancePolicy]:
    """The policies an enterprise uses in a month: its own, or, with none of its own, its group's."""
    month = parse_month(month)
    own = list(AllowancePolicy.objects.filter(org=enterprise).overlapping(month.start, month.end))
    if own or not enterprise.group_id:
        return own
    return list(AllowancePolicy.objects.filter(org_id=enterprise.group_id).overlapping(month.start, month.end))


def _check_dates(policy: AllowancePolicy) -> None:
    if policy.effective_to and policy.effective_to < policy.effective_from:
        raise ValidationError({"effective_to": "截止日期不能早于生效日期。"})
    others = AllowancePolicy.objects.filter(org=policy.org).exclude(pk=policy.pk)
    end = policy.effective_to or date.max
    clash = others.overlapping(policy.effective_from, end).first()
    if clash:
        raise ValidationError(
            {
                "effective_from": f"与本单位已有的政策“{clash.name}”（{clash.period_label}）有效期重叠。"
                "请先调整该政策的截止日期，或在该政策页面“复制为新版本”。"
            }
        )


def _check_amounts(levels: dict, tiers: dict, rewards: dict) -> None:
    if not any(levels.values()) and not any(tiers.values()):
        raise ValidationError("请至少填写一个技能等级的月津贴或一类特殊人才的月津贴。")
    filled = [(level, amount) for level, amount in sorted(levels.items()) if amount]
    for (low, low_amount), (high, high_amount) in zip(filled, filled[1:], strict=False):
        if high_amount < low_amount:
            raise ValidationError(
                f"{LEVEL_LABELS[high]}的月津贴（{high_amount}元）不应低于{LEVEL_LABELS[low]}（{low_amount}元）。"
            )


def used_by_approved_roster(policy: AllowancePolicy) -> Roster | None:
    return policy.rosters.filter(status=Roster.Status.APPROVED).order_by("-month").first()


LOCKED_FIELDS = {"org_id": "制定单位", "effective_from": "生效日期", "mid_month_rule": "月中变动处理"}
LOCKED_FIELDS["titles_count"] = "职称按等级对应享受"


@transaction.atomic
def save_policy(user, policy: AllowancePolicy, *, levels: dict, tiers: dict, rewards: dict) -> AllowancePolicy:
    """Create or update a policy with its amounts per level, per talent tier and its rewards (blank = none)."""
    if policy.org.kind != Kind.ENTERPRISE:
        raise ValidationError({"org": "津贴政策只能由企业或集团本部制定。"})
    _check_dates(policy)
    _check_amounts(levels, tiers, rewards)
    if policy.pk:
        _check_locked_changes(policy, levels, tiers, rewards)
    else:
        policy.created_by = user
    policy.save()
    _replace_rows(policy, PolicyLevelAmount, "level", levels)
    _replace_rows(policy, TalentTier, "tier", tiers)
    _replace_rows(policy, RewardRule, "level", rewards)
    return policy


def _check_locked_changes(policy, levels, tiers, rewards) -> None:
    """A policy an approved roster used keeps its amounts: change them in a new version instead."""
    roster = used_by_approved_roster(policy)
    if roster is None:
        return
    before = AllowancePolicy.objects.get(pk=policy.pk)
    changed = [label for name, label in LOCKED_FIELDS.items() if getattr(before, name) != getattr(policy, name)]
    if _amounts(before) != (_clean(levels), _clean(tiers), _clean(rewards)):
        changed.append("津贴金额")
    if changed:
        raise ValidationError(
            f"该政策已用于已审批的{roster.month_label}花名册，不能再修改{'、'.join(changed)}。"
            "请使用“复制为新版本”设定新的生效日期。"
        )
    last_month_end = parse_month(roster.month).end
    if policy.effective_to and policy.effective_to < last_month_end:
        raise ValidationError(
            {"effective_to": f"该政策已用于已审批的{roster.month_label}花名册，截止日期不能早于{last_month_end}。"}
        )


def _clean(values: dict) -> dict:
    return {key: Decimal(value) for key, value in values.items() if value}


def _amounts(policy) -> tuple[dict, dict, dict]:
    return (
        {row.level: row.amount for row in policy.level_amounts.all()},
        {row.tier: row.amount for row in policy.tiers.all()},
        {row.level: row.amount for row in policy.reward_rules.all()},
    )


def _replace_rows(policy, model, key: str, values: dict) -> None:
    """Make the policy's rows match `values` one row at a time, so the audit trail shows each change."""
    wanted = {item: Decimal(amount) for item, amount in values.items() if amount}
    for row in model.objects.filter(policy=policy):
        item = getattr(row, key)
        if item not in wanted:
            row.delete()
        elif row.amount != wanted[item]:
            row.amount = wanted.pop(item)
            row.save(update_fields=["amount"])
        else:
            wanted.pop(item)
    for item, amount in sorted(wanted.items()):
        model.objects.create(policy=policy, **{key: item}, amount=amount)


@transaction.atomic
def copy_policy(user, policy: AllowancePolicy, effective_from: date, name: str = "") -> AllowancePolicy:
    """A new version of a policy from a later date; the old one ends the day before."""
    if effective_from <= policy.effective_from:
        raise ValidationError(
            {"effective_from": f"新版本的生效日期应晚于原政策的生效日期（{policy.effective_from}）。"}
        )
    if policy.effective_to and effective_from > policy.effective_to + timedelta(days=1):
        later = None
    else:
        later = AllowancePolicy.objects.filter(org=policy.org, effective_from__gt=policy.effective_from).exclude(
            pk=policy.pk
        )
        later = later.filter(effective_from__lte=effective_from).first()
    if later:
        raise ValidationError({"effective_from": f"本单位在此之后已有政策“{later.name}”，请在该政策上复制。"})
    roster = used_by_approved_roster(policy)
    if roster and effective_from <= parse_month(roster.month).end:
        raise ValidationError(
            {"effective_from": f"原政策已用于已审批的{roster.month_label}花名册，新版本应在该月之后生效。"}
        )
    if policy.effective_to is None or policy.effective_to >= effective_from:
        AllowancePolicy.objects.filter(pk=policy.pk).update(effective_to=effective_from - timedelta(days=1))
        policy.refresh_from_db()
    levels, tiers, rewards = _amounts(policy)
    following = AllowancePolicy.objects.filter(org=policy.org, effective_from__gt=effective_from).order_by(
        "effective_from"
    )
    next_start = following.values_list("effective_from", flat=True).first()
    copy = AllowancePolicy(
        org=policy.org,
        name=name or f"{policy.name}（{effective_from:%Y年%-m月}起）",
        effective_from=effective_from,
        effective_to=next_start - timedelta(days=1) if next_start else None,
        mid_month_rule=policy.mid_month_rule,
        titles_count=policy.titles_count,
        notes=policy.notes,
        copied_from=policy,
    )
    return save_policy(user, copy, levels=levels, tiers=tiers, rewards=rewards)


# ---------------------------------------------------------------------------- talent designations


def designation_scope_ids(org: Org) -> list[int]:
    """Where a designation by `org` counts: the enterprise, and for a group head its members too."""
    return [org.pk, *group_members(org).values_list("pk", flat=True)]


@transaction.atomic
def save_designation(user, designation: TalentDesignation) -> TalentDesignation:
    if designation.valid_to and designation.valid_to < designation.valid_from:
        raise ValidationError({"valid_to": "认定截止日期不能早于起始日期。"})
    worker = designation.worker
    if (
        worker.enterprise_id not in designation_scope_ids(designation.org)
        and not worker.employments.filter(enterprise_id__in=designation_scope_ids(designation.org)).exists()
    ):
        raise ValidationError({"id_number": f"{worker.name}不在{designation.org.name}（含集团下属企业）任职。"})
    clash = (
        TalentDesignation.objects.filter(org=designation.org, worker=worker)
        .exclude(pk=designation.pk)
        .overlapping(designation.valid_from, designation.valid_to or date.max)
        .first()
    )
    if clash:
        raise ValidationError(
            {
                "valid_from": f"{worker.name}已被认定为{clash.get_tier_display()}"
                f"（{clash.valid_from}起），期间重叠；如需调整类别，请先结束原认定。"
            }
        )
    if not designation.pk:
        designation.created_by = user
    designation.save()
    return designation


def find_worker(number: str):
    """The worker with this identity number (normalised as the ledger does; a Chinese error when invalid)."""
    from changai.workers.cleaning import normalise_id_number
    from changai.workers.services import find_worker_by_id_number

    try:
        return find_worker_by_id_number(normalise_id_number(number))
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None


# ---------------------------------------------------------------------------- the roster


def check_month(month: Month) -> None:
    if month.start > today():
        raise ValidationError({"month": f"不能编制尚未开始的{month.label}花名册。"})


def _check_roster_org(org: Org, whole_group: bool) -> None:
    if org.kind != Kind.ENTERPRISE:
        raise ValidationError({"org": "花名册按企业或集团编制，请选择企业（集团花名册请选择集团本部）。"})
    if whole_group and org.group_id:
        raise ValidationError({"org": f"{org.name}是集团下属企业，集团花名册请选择集团本部编制。"})
    if whole_group and not group_members(org).exists():
        raise ValidationError({"whole_group": f"{org.name}没有下属企业，请按单个企业编制。"})


def prepare_roster(user, org: Org, month, whole_group: bool = False) -> Roster:
    """The draft roster of an org and month, created if missing (not yet computed)."""
    month = parse_month(month)
    check_month(month)
    _check_roster_org(org, whole_group)
    roster, _ = Roster.objects.get_or_create(
        org=org, month=month.code, whole_group=whole_group, defaults={"created_by": user}
    )
    if roster.is_locked:
        raise ValidationError(f"{roster}已审批锁定，不能重新计算。")
    return roster


def employment_count(enterprise_filter, month: Month) -> int:
    from changai.workers.models import Employment

    return (
        Employment.objects.filter(enterprise_id__in=enterprise_filter)
        .filter(
            Q(hired_on__isnull=True) | Q(hired_on__lte=month.end), Q(left_on__isnull=True) | Q(left_on__gte=month.start)
        )
        .count()
    )


def is_large(roster: Roster) -> bool:
    ids = roster_enterprise_ids(roster.org, roster.whole_group)
    return employment_count(ids, parse_month(roster.month)) > SYNC_LIMIT


def start_computing(user, org: Org, month, whole_group: bool = False) -> Roster:
    """Compute at once when small; as a background job (the page shows its progress) when large."""
    roster = prepare_roster(user, org, month, whole_group)
    if is_large(roster):
        from .jobs import schedule_roster

        roster.job = schedule_roster(user, roster)
        Roster.objects.filter(pk=roster.pk).update(job=roster.job)
        return roster
    return compute_roster(org, month, whole_group=whole_group, user=user)


def compute_roster(org: Org, month, *, whole_group: bool = False, user=None, progress=None) -> Roster:
    """Compute (or recompute, replacing the draft's lines) the roster of an enterprise or a group for a month."""
    month = parse_month(month)
    check_month(month)
    _check_roster_org(org, whole_group)
    started = time.perf_counter()
    with transaction.atomic():
        roster, _ = Roster.objects.select_for_update().get_or_create(
            org=org, month=month.code, whole_group=whole_group, defaults={"created_by": user}
        )
        if roster.is_locked:
            raise ValidationError(f"{roster}已审批锁定，不能重新计算。")
        RosterLine.objects.filter(roster=roster)._raw_delete(RosterLine.objects.db)
        ids = roster_enterprise_ids(org, whole_group)
        computation = Computation(ids, month, reference=reference_rosters(ids, month.previous()), progress=progress)
        totals = write_lines(roster, computation.lines())
        names = dict(Org.objects.filter(pk__in=ids).values_list("pk", "name"))
        roster.totals = totals.as_json(names)
        roster.line_count, roster.paid_count, roster.changed_count = totals.lines, totals.paid, totals.changed
        roster.total_amount, roster.reward_amount = totals.amount, totals.reward_amount
        roster.policy_snapshot = {str(pk): terms.snapshot() for pk, terms in computation.terms_used.items()}
        roster.computed_at = timezone.now()
        roster.compute_seconds = round(time.perf_counter() - started, 2)
        roster.save(update_fields=COMPUTED_FIELDS)  # not `job`: the page that started the job sets it
        roster.policies.set(list(computation.terms_used))
    return roster


COMPUTED_FIELDS = [
    "totals",
    "line_count",
    "paid_count",
    "changed_count",
    "total_amount",
    "reward_amount",
    "policy_snapshot",
    "computed_at",
    "compute_seconds",
]


def reference_rosters(enterprise_ids: list[int], month: Month) -> tuple[list[int], set[int]]:
    """Approved rosters of `month` covering any of the enterprises, and which of them they cover."""
    heads = Org.objects.filter(pk__in=enterprise_ids).exclude(group=None).values("group_id")
    rosters = Roster.objects.filter(month=month.code, status=Roster.Status.APPROVED).filter(
        Q(org_id__in=enterprise_ids) | Q(whole_group=True, org_id__in=heads)
    )
    wanted, ids, covered = set(enterprise_ids), [], set()
    for roster in rosters.select_related("org"):
        overlap = covered_enterprise_ids(roster) & wanted
        if overlap:
            ids.append(roster.pk)
            covered |= overlap
    return ids, covered


@dataclass
class Totals:
    lines: int = 0
    paid: int = 0
    changed: int = 0
    amount: Decimal = ZERO
    reward_amount: Decimal = ZERO
    levels: dict = field(default_factory=dict)
    tiers: dict = field(default_factory=dict)
    rewards: dict = field(default_factory=dict)
    enterprises: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)

    def add(self, line) -> None:
        self.lines += 1
        self.amount += line.total
        self.changes[line.change] = self.changes.get(line.change, 0) + 1
        if line.change not in (RosterLine.Change.SAME, RosterLine.Change.FIRST):
            self.changed += 1
        if line.total:
            self.paid += 1
            per_enterprise = self.enterprises.setdefault(line.enterprise_id, [0, ZERO])
            per_enterprise[0] += 1
            per_enterprise[1] += line.total
        if line.level_amount:  # a level lost during the month (pro rata) is counted under 0
            per_level = self.levels.setdefault(line.basis_level or 0, [0, ZERO])
            per_level[0] += 1
            per_level[1] += line.level_amount
        if line.tier_amount:
            per_tier = self.tiers.setdefault(line.tier, [0, ZERO])
            per_tier[0] += 1
            per_tier[1] += line.tier_amount
        for level, amount, _ in line.rewards:
            per_reward = self.rewards.setdefault(level, [0, ZERO])
            per_reward[0] += 1
            per_reward[1] += amount
            self.reward_amount += amount

    def as_json(self, names: dict) -> dict:
        return {
            "levels": [
                {
                    "level": level,
                    "label": LEVEL_LABELS.get(level, "月内失去等级"),
                    "count": count,
                    "amount": str(amount),
                }
                for level, (count, amount) in sorted(self.levels.items())
            ],
            "tiers": [
                {
                    "tier": tier,
                    "label": TIER_LABELS[tier],
                    "count": self.tiers[tier][0],
                    "amount": str(self.tiers[tier][1]),
                }
                for tier in Tier.values
                if tier in self.tiers
            ],
            "rewards": [
                {"level": level, "label": LEVEL_LABELS[level], "count": count, "amount": str(amount)}
                for level, (count, amount) in sorted(self.rewards.items())
            ],
            "enterprises": [
                {"id": pk, "name": names.get(pk, ""), "count": count, "amount": str(amount)}
                for pk, (count, amount) in sorted(self.enterprises.items(), key=lambda item: names.get(item[0], ""))
            ],
            "changes": self.changes,
        }


def write_lines(roster: Roster, lines) -> Totals:
    """Write the streamed lines in batches: COPY on PostgreSQL, bulk_create elsewhere."""
    totals = Totals()
    batch = []
    for line in lines:
        totals.add(line)
        batch.append(line.row(roster.pk))
        if len(batch) >= WRITE_BATCH:
            _write_batch(batch)
            batch = []
    if batch:
        _write_batch(batch)
    return totals


def _write_batch(rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        columns = ", ".join(f'"{name}"' for name in LINE_COLUMNS)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {RosterLine._meta.db_table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    import json

    names = [name[:-3] if name.endswith("_id") and name != "id_masked" else name for name in LINE_COLUMNS]
    objects = []
    for row in rows:
        values = dict(zip(names, row, strict=True))
        for fk in ("roster", "worker", "enterprise"):
            values[f"{fk}_id"] = values.pop(fk)
        values["detail"] = json.loads(values["detail"])
        objects.append(RosterLine(**values))
    RosterLine.objects.bulk_create(objects, batch_size=2000)


@transaction.atomic
def approve_roster(user, roster: Roster) -> Roster:
    """Approve and lock a computed draft; its one-off rewards are recorded as paid (once per worker per level)."""
    roster = Roster.objects.select_for_update().select_related("org").get(pk=roster.pk)
    if roster.is_locked:
        raise ValidationError("该花名册已审批，无需重复审批。")
    if roster.computed_at is None:
        raise ValidationError("花名册尚未计算完成，请待计算完成后再审批。")
    overlapping, _ = reference_rosters(sorted(covered_enterprise_ids(roster)), parse_month(roster.month))
    other = Roster.objects.filter(pk__in=overlapping).select_related("org").first()
    if other is not None:
        raise ValidationError(f"{other}已审批，与本花名册覆盖的企业重复，同一企业同一月份只能有一份已审批花名册。")
    payments = _reward_payments(roster)
    taken = _already_paid(payments)
    if taken:
        raise ValidationError(
            f"{'、'.join(taken[:5])}等{len(taken)}人的晋级奖励已在其他花名册中发放，请重新计算本花名册后再审批。"
        )
    RewardPayment.objects.bulk_create(payments, batch_size=5000)
    roster.status = Roster.Status.APPROVED
    roster.approved_by = user
    roster.approved_at = timezone.now()
    roster.save(update_fields=["status", "approved_by", "approved_at"])
    return roster


def _reward_payments(roster: Roster) -> list[RewardPayment]:
    payments = []
    rows = RosterLine.objects.filter(roster=roster, reward_amount__gt=0).values_list(
        "worker_id", "enterprise_id", "detail", "name"
    )
    for worker_id, enterprise_id, detail, name in rows.iterator(chunk_size=5000):
        for reward in detail.get("rewards", []):
            payment = RewardPayment(
                worker_id=worker_id,
                level=reward["level"],
                amount=Decimal(reward["amount"]),
                reached_on=date.fromisoformat(reward["reached_on"]),
                enterprise_id=enterprise_id,
                roster=roster,
                month=roster.month,
            )
            payment.worker_name = name
            payments.append(payment)
    return payments


def _already_paid(payments: list[RewardPayment]) -> list[str]:
    wanted = {(p.worker_id, p.level): p for p in payments}
    taken = []
    worker_ids = sorted({p.worker_id for p in payments})
    for start in range(0, len(worker_ids), 5000):
        rows = RewardPayment.objects.filter(worker_id__in=worker_ids[start : start + 5000]).values_list(
            "worker_id", "level"
        )
        taken.extend(wanted[key].worker_name for key in rows if key in wanted)
    return taken


# ---------------------------------------------------------------------------- the cross-check


@dataclass
class UnlistedReport:
    """Workers entitled to an allowance in a month but on no approved roster of that month."""

    month: str
    count: int = 0
    amount: Decimal = ZERO
    enterprises: dict = field(default_factory=dict)  # id → [count, amount]
    lines: list = field(default_factory=list)  # the first `limit` lines

    def as_json(self) -> dict:
        names = dict(Org.objects.filter(pk__in=list(self.enterprises)).values_list("pk", "name"))
        return {
            "month": self.month,
            "count": self.count,
            "amount": str(self.amount),
            "enterprises": [
                {"id": pk, "name": names.get(pk, ""), "count": count, "amount": str(amount)}
                for pk, (count, amount) in sorted(self.enterprises.items(), key=lambda item: -item[1][0])
            ],
            "lines": [
                {
                    "worker": line.worker_id,
                    "enterprise": line.enterprise_id,
                    "enterprise_name": names.get(line.enterprise_id, ""),
                    "name": line.name,
                    "id_masked": line.id_masked,
                    "basis_level": LEVEL_LABELS.get(line.basis_level, ""),
                    "tier": TIER_LABELS.get(line.tier, ""),
                    "total": str(line.total),
                }
                for line in self.lines
            ],
        }


def scope_enterprises(scope):
    """Enterprise ids of a scope: an org's subtree (and, for a group head, its members) or an Org queryset."""
    if isinstance(scope, Org):
        condition = Q(path__startswith=scope.path)
        if scope.kind == Kind.ENTERPRISE:
            condition |= Q(group=scope)
        return Org.objects.filter(condition, kind=Kind.ENTERPRISE).values("pk")
    return scope.filter(kind=Kind.ENTERPRISE).values("pk")


def entitled_but_unlisted(scope, month, *, limit: int = 2000, progress=None) -> UnlistedReport:
    """Across the enterprises of a scope: who is entitled to a non-zero allowance under their enterprise's policy
    for the month but is not on any approved roster of that month."""
    month = parse_month(month)
    enterprises = scope_enterprises(scope)
    report = UnlistedReport(month.code)
    listed = (
        RosterLine.objects.filter(
            roster__status=Roster.Status.APPROVED, roster__month=month.code, enterprise_id__in=enterprises
        )
        .order_by("worker_id")
        .values_list("worker_id", "enterprise_id")
        .iterator(chunk_size=20_000)
    )
    listed_id, listed_enterprise = next(listed, (None, None))
    current_worker, on_roster = None, set()
    for line in Computation(enterprises, month, progress=progress).lines():
        if line.total <= 0:
            continue
        if line.worker_id != current_worker:  # a worker's lines come together, in worker order like `listed`
            current_worker, on_roster = line.worker_id, set()
            while listed_id is not None and listed_id <= current_worker:
                if listed_id == current_worker:
                    on_roster.add(listed_enterprise)
                listed_id, listed_enterprise = next(listed, (None, None))
        if line.enterprise_id in on_roster:
            continue
        report.count += 1
        report.amount += line.total
        per_enterprise = report.enterprises.setdefault(line.enterprise_id, [0, ZERO])
        per_enterprise[0] += 1
        per_enterprise[1] += line.total
        if len(report.lines) < limit:
            report.lines.append(line)
    return report


def previous_month_code(month_code: str) -> str:
    return parse_month(month_code).previous().code


def current_month() -> Month:
    return month_of(today())

"""Demo allowances: a group policy at the 'qiye' enterprise (300/500/800 yuan a month, talent tiers
3,000/2,000/1,000, rewards 1,000 per new 高级工 and 5,000 per new 技师), a few named talents, last month's roster
approved and this month's as a draft. Run after the workers and certificates demos."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from changai.accounts.models import User
from changai.certificates.models import Certificate, Level
from changai.orgs.models import Kind, Org
from changai.workers.models import Worker

from . import services
from .models import AllowancePolicy, MidMonthRule, TalentDesignation, Tier

LEVELS = {Level.SENIOR: Decimal(300), Level.TECHNICIAN: Decimal(500), Level.SENIOR_TECHNICIAN: Decimal(800)}
TIERS = {Tier.LEADING: Decimal(3000), Tier.SPECIAL: Decimal(2000), Tier.KEY: Decimal(1000)}
REWARDS = {Level.SENIOR: Decimal(1000), Level.TECHNICIAN: Decimal(5000)}
NAMED = [Tier.LEADING, Tier.SPECIAL, Tier.KEY, Tier.KEY]


@transaction.atomic
def load_demo_allowances() -> int:
    """Returns how many roster lines were made (0 when already loaded or without the demo enterprise)."""
    user = User.objects.filter(username="qiye").first()
    membership = user.active_memberships().select_related("org").first() if user else None
    if membership is None or membership.org.kind != Kind.ENTERPRISE:
        return 0
    home = membership.org
    head = _group_head(home)
    if AllowancePolicy.objects.filter(org=head).exists():
        return 0
    this_month = services.current_month()
    policy = AllowancePolicy(
        org=head,
        name=f"{head.name}技能人才津贴办法",
        effective_from=date(this_month.start.year - 1, 1, 1),
        mid_month_rule=MidMonthRule.NEXT_MONTH,
        titles_count=True,
        notes="高级工、技师、高级技师按月发放技能津贴；职称按对应等级就高享受；特殊人才另发人才津贴；"
        "新取得高级工、技师证书的给予一次性奖励。",
    )
    services.save_policy(user, policy, levels=LEVELS, tiers=TIERS, rewards=REWARDS)
    _designations(user, head, home, policy.effective_from)
    last_month = this_month.previous()
    roster = services.compute_roster(home, last_month.code, user=user)
    services.approve_roster(user, roster)
    draft = services.compute_roster(home, this_month.code, user=user)
    return roster.line_count + draft.line_count


def _group_head(home: Org) -> Org:
    """The demo group: the enterprise's own group if it has one, else it becomes the head of two neighbours."""
    if home.group_id:
        return home.group
    if Org.objects.filter(group=home).exists():
        return home
    neighbours = (
        Org.objects.filter(kind=Kind.ENTERPRISE, is_active=True, group__isnull=True, path__startswith=home.path[:-4])
        .exclude(pk=home.pk)
        .exclude(group_members__isnull=False)
        .order_by("path")[:2]
    )
    Org.objects.filter(pk__in=[org.pk for org in neighbours]).update(group=home)
    return home


def _designations(user, head: Org, home: Org, since: date) -> None:
    best = (
        Certificate.objects.filter(worker__enterprise=home, revoked=False, level__gte=Level.TECHNICIAN)
        .order_by("-level", "worker_id")
        .values_list("worker_id", flat=True)
    )
    chosen = list(dict.fromkeys(best))[: len(NAMED)]
    for worker, tier in zip(Worker.objects.filter(pk__in=chosen).order_by("pk"), NAMED, strict=False):
        services.save_designation(
            user,
            TalentDesignation(
                org=head, worker=worker, tier=tier, valid_from=since, basis=f"{head.name}{since.year}年技能人才认定"
            ),
        )

"""Demo certificates for the demo workers (changai/workers/demo.py): a ladder of levels by every route, some
expiring soon or expired, titles for a few, and for the 'qiye' enterprise a self-rating filing and one issued
rating batch."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from changai.accounts.models import User
from changai.orgs.models import Kind, Org
from changai.workers.models import Occupation, Worker

from . import services
from .models import Certificate, Level, Route, SelfRatingAuthorisation, TitleRank

SOCIAL_PREFIX = "S320281"
LEVEL_WEIGHTS = [
    (Level.JUNIOR, 20),
    (Level.INTERMEDIATE, 30),
    (Level.SENIOR, 30),
    (Level.TECHNICIAN, 12),
    (Level.SENIOR_TECHNICIAN, 5),
    (Level.MASTER, 2),
    (Level.CHIEF, 1),
]
ROUTE_WEIGHTS = [(Route.SOCIAL, 55), (Route.LEGACY, 30), (Route.COMPETITION, 15)]
DEMO_LIMIT = 2000


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _enterprise_of(user: User | None) -> Org | None:
    membership = user.active_memberships().select_related("org").first() if user else None
    return membership.org if membership and membership.org.kind == Kind.ENTERPRISE else None


@transaction.atomic
def load_demo_certificates(rng: random.Random) -> int:
    """Certificates for the demo workers; returns how many were made (0 when already loaded or no workers)."""
    if Certificate.objects.filter(number__startswith=SOCIAL_PREFIX).exists():
        return 0
    workers = list(
        Worker.objects.filter(enterprise__isnull=False).select_related("occupation").order_by("pk")[:DEMO_LIMIT]
    )
    if not workers:
        return 0
    today = services.today()
    default = Occupation.objects.filter(name="车工").first() or Occupation.objects.order_by("code").first()
    made = 0
    for index, worker in enumerate(workers):
        if rng.random() < 0.25:
            continue  # not everyone holds a certificate yet
        made += _ladder(rng, worker, worker.occupation or default, today, index)
        if rng.random() < 0.05:
            _title(rng, worker, today)
    made += _self_rating(rng, today)
    return made


def _ladder(rng, worker: Worker, occupation: Occupation, today: date, index: int) -> int:
    """One to three certificates climbing the ladder, the last one possibly expiring soon or expired."""
    top = _pick(rng, LEVEL_WEIGHTS)
    steps = [level for level in Level if Level.JUNIOR <= level <= top][-rng.randint(1, 3) :]
    issued_on = today - timedelta(days=rng.randint(400, 3000))
    made = 0
    for step, level in enumerate(steps):
        route = _pick(rng, ROUTE_WEIGHTS) if level < Level.MASTER else Route.COMPETITION
        expires_on = None
        if route == Route.SOCIAL and rng.random() < 0.3:
            expires_on = today + timedelta(days=rng.randint(-200, 150))
            expires_on = max(expires_on, issued_on + timedelta(days=30))
        services.issue_certificate(
            worker,
            occupation=occupation,
            level=level,
            number=f"{SOCIAL_PREFIX}{index:05d}{step}",
            route=route,
            issued_on=issued_on,
            expires_on=expires_on,
            issuer={"social": "江苏省职业技能鉴定中心", "legacy": "无锡市职业技能鉴定指导中心"}.get(
                route, "江苏省总工会"
            ),
        )
        made += 1
        issued_on = min(today, issued_on + timedelta(days=rng.randint(300, 900)))
    return made


def _title(rng, worker: Worker, today: date) -> None:
    rank = rng.choice([TitleRank.ASSISTANT, TitleRank.ENGINEER, TitleRank.SENIOR])
    services.record_title(
        worker,
        rank=rank,
        awarded_on=today - timedelta(days=rng.randint(100, 2000)),
        specialty="机械制造",
        issuer="无锡市人力资源和社会保障局",
        via_title_bridge=rng.random() < 0.5,
    )


def _self_rating(rng, today: date) -> int:
    """The 'qiye' enterprise: a filing for 车工 and 焊工 and one rating batch issued under it."""
    union, office = _user("qiye"), _user("jiangyin")
    enterprise = _enterprise_of(union)
    lathe, welder = Occupation.objects.filter(name="车工").first(), Occupation.objects.filter(name="焊工").first()
    if enterprise is None or lathe is None or welder is None:
        return 0
    start = date(today.year - 1, 1, 1)
    for occupation, top in ((lathe, Level.TECHNICIAN), (welder, Level.SENIOR)):
        SelfRatingAuthorisation.objects.get_or_create(
            enterprise=enterprise,
            occupation=occupation,
            valid_from=start,
            defaults={
                "max_level": top,
                "valid_to": date(today.year + 2, 12, 31),
                "document": f"澄人社评备〔{start.year}〕12号",
                "granted_by": "江阴市人力资源和社会保障局",
                "created_by": office,
            },
        )
    candidates = list(Worker.objects.filter(enterprise=enterprise).order_by("pk")[:6])
    if not candidates:
        return 0
    assessed_on = today - timedelta(days=45)
    batch = services.create_batch(
        union, enterprise, title=f"{assessed_on.year}年车工技能等级自主评价（第一批）", assessed_on=assessed_on
    )
    services.add_candidates(union, batch, candidates, occupation=lathe, level=Level.SENIOR)
    results = {
        c.pk: services.Result(Decimal(rng.randint(55, 98)), Decimal(rng.randint(60, 98)))
        for c in batch.candidates.all()
    }
    services.record_results(union, batch, results)
    if not any(c.result == "passed" for c in batch.candidates.all()):
        return 0
    issued = services.issue_batch(union, batch, issued_on=assessed_on + timedelta(days=14))
    return len(issued)

"""Demo careers in the Jiangyin county: promotions within a sequence, moves between sequences, frontline workers
promoted into management, and title-bridge applications with outcomes for workers whose certificates qualify.
Uses the demo workers and certificates (changai/workers/demo.py, changai/certificates/demo.py)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from changai.accounts.models import User
from changai.accounts.scope import scope_for
from changai.orgs.models import Org
from changai.workers.models import Sequence, Worker

from . import services
from .models import CareerMove

COUNTY = "320281"
NEXT_GRADE = {"": "技能四级", "技能四级": "技能三级", "技能三级": "技能二级", "技能二级": "技能一级"}
BODY = "无锡市工程系列机械工程专业职称评审委员会"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


@transaction.atomic
def load_demo_careers(rng: random.Random) -> int:
    """Moves and title-bridge applications; returns how many records were made (0 if loaded or no workers)."""
    county = Org.objects.filter(code=COUNTY).first()
    office, union = _user("jiangyin"), _user("qiye")
    if county is None or office is None:
        return 0
    workers = Worker.objects.filter(enterprise__path__startswith=county.path)
    if CareerMove.objects.filter(enterprise__path__startswith=county.path).exists() or not workers.exists():
        return 0
    today = services.today()
    made = _load_moves(rng, office, union, list(workers.select_related("enterprise").order_by("pk")[:600]), today)
    return made + _load_applications(rng, office, union, workers, today)


def _actor(office, union, worker):
    return union if union is not None and scope_for(union).contains(worker.enterprise) else office


def _effective_on(rng, worker, today: date) -> date | None:
    day = today - timedelta(days=rng.randrange(20, 700))
    if worker.hired_on and day <= worker.hired_on:
        day = worker.hired_on + timedelta(days=30)
    return day if day <= today else None


def _load_moves(rng, office, union, workers, today: date) -> int:
    made = 0
    for worker in workers:
        roll = rng.random()
        if roll > 0.12:
            continue
        day = _effective_on(rng, worker, today)
        if day is None:
            continue
        if roll < 0.03 and worker.frontline and worker.sequence != Sequence.MANAGEMENT:
            target = (Sequence.MANAGEMENT, rng.choice(["班组长", "工段长", "车间副主任"]))
        elif roll < 0.05 and worker.sequence == Sequence.SKILLS:
            target = (Sequence.TECHNICAL, "技术员")
        elif worker.sequence == Sequence.SKILLS and worker.grade in NEXT_GRADE:
            target = (Sequence.SKILLS, NEXT_GRADE[worker.grade])
        else:
            continue
        services.record_move(
            _actor(office, union, worker),
            worker,
            to_sequence=target[0],
            to_grade=target[1],
            effective_on=day,
            approving_body="公司人力资源部" if target[0] != Sequence.MANAGEMENT else "公司党委会",
        )
        made += 1
    return made


def _load_applications(rng, office, union, workers, today: date) -> int:
    rows = list(services.bridge_rows(workers, today, show="now")[:40])
    made = 0
    for standing in services.standings_for(rows, today):
        if standing.pending or rng.random() < 0.4:
            continue
        submitted_on = max(today - timedelta(days=rng.randrange(10, 200)), _opened_on(standing))
        application = services.apply_for_title(
            _actor(office, union, standing.worker),
            standing.worker,
            target_rank=standing.target_rank,
            submitted_on=submitted_on,
            body=BODY,
            specialty="机械工程",
        )
        made += 1
        decided_on = submitted_on + timedelta(days=rng.randrange(45, 120))
        if decided_on <= today:
            services.decide(office, application, passed=rng.random() < 0.8, decided_on=decided_on)
    return made


def _opened_on(standing) -> date:
    return services.add_years(standing.since, services.YEARS_AT_LEVEL[standing.target_rank])

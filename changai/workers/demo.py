"""Demo workers: made-up people with valid identity numbers on the ledgers of the demo enterprises."""

from __future__ import annotations

import random
from datetime import date, timedelta

from changai.accounts.models import User
from changai.orgs.models import Kind, Org

from . import services
from .idgen import random_id_number, random_mobile
from .models import Education, Occupation, PoliticalStatus, Sequence, Worker

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢陆顾"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰峰辉鹏宇浩子涵欣怡晨阳博文思远海燕春梅立新永健德胜"
QIYE_WORKERS = 50
EDUCATIONS = [Education.JUNIOR, Education.SENIOR, Education.SENIOR, Education.COLLEGE, Education.COLLEGE]
EDUCATIONS += [Education.BACHELOR, Education.MASTER]
POLITICS = [PoliticalStatus.MASSES] * 6 + [PoliticalStatus.PARTY, PoliticalStatus.LEAGUE]
SEQUENCES = [Sequence.SKILLS] * 6 + [Sequence.TECHNICAL, Sequence.MANAGEMENT]
GRADES = {Sequence.SKILLS: "技能{}级", Sequence.TECHNICAL: "技术{}级", Sequence.MANAGEMENT: "管理{}级"}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _register(rng: random.Random, enterprise: Org, occupations: list[Occupation]) -> Worker:
    while True:
        number = random_id_number(rng, oldest=1966, youngest=2003)
        if services.find_worker_by_id_number(number) is None:
            break
    born_year = int(number[6:10])
    earliest = date(max(born_year + 18, 1995), 1, 1)
    hired_on = earliest + timedelta(days=rng.randrange(max(1, (date(2025, 6, 30) - earliest).days)))
    sequence = rng.choice(SEQUENCES)
    return services.register_worker(
        enterprise,
        name=_name(rng),
        id_number=number,
        phone=random_mobile(rng) if rng.random() < 0.9 else "",
        education=rng.choice(EDUCATIONS),
        political_status=rng.choice(POLITICS),
        occupation=rng.choice(occupations),
        frontline=sequence == Sequence.SKILLS or rng.random() < 0.2,
        hired_on=hired_on,
        sequence=sequence,
        grade=GRADES[sequence].format(rng.randint(1, 6)),
    )


def load_demo_workers(rng: random.Random) -> int:
    """About 50 workers at the demo enterprise union's enterprise, 4–12 at other demo enterprises (idempotent)."""
    qiye = User.objects.filter(username="qiye").first()
    home = qiye.active_memberships().first().org if qiye else None
    if home is None or Worker.objects.filter(enterprise=home).exists():
        return 0
    occupations = list(Occupation.objects.filter(is_active=True, code__startswith="6-"))
    made = [_register(rng, home, occupations) for _ in range(QIYE_WORKERS)]
    others = list(
        Org.objects.filter(kind=Kind.ENTERPRISE, is_active=True)
        .exclude(pk=home.pk)
        .filter(path__startswith=home.path[: 3 * Org.steplen])
        .order_by("path")[:30]
    )
    for enterprise in others:
        made += [_register(rng, enterprise, occupations) for _ in range(rng.randint(4, 12))]
    _history(rng, home, others, made)
    return len(made)


def _history(rng: random.Random, home: Org, others: list[Org], made: list[Worker]) -> None:
    """A few careers across employers: two moved into the demo enterprise, one left it."""
    movers = [worker for worker in made if worker.enterprise_id != home.pk and worker.hired_on < date(2023, 1, 1)]
    for worker in movers[:2]:
        services.move_worker(worker, home, date(2023, 3, 1) + timedelta(days=rng.randrange(300)))
    leaver = next(w for w in made if w.enterprise_id == home.pk and w.hired_on < date(2024, 1, 1))
    services.leave_worker(leaver, date(2024, 12, 31), reason="个人原因")

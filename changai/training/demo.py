"""Demo training in the Jiangyin county: county classes (one finished, one running), an in-house class of the
'qiye' enterprise, and workers studying for diplomas with scholarships paid. Uses the demo workers
(changai/workers/demo.py); loads nothing when there are none."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from changai.accounts.models import User
from changai.accounts.scope import scope_for
from changai.orgs.models import Kind, Org
from changai.workers.models import Occupation, Worker

from . import services
from .models import Course, EducationUpgrade, Mode, StudyLevel, TrainingClass

COUNTY = "320281"
# title, mode, hours, occupation name, description
COURSES = [
    ("数控车工技能提升", Mode.IN_PERSON, 24, "车工", "数控车床编程与操作、零件精度检测，面向中级工以上职工。"),
    ("焊工高级工考前培训", Mode.IN_PERSON, 32, "焊工", "高级工理论复习与实操训练，结业后参加技能等级认定。"),
    ("安全生产与职业健康（线上）", Mode.ONLINE, 8, None, "线上课程：安全生产法规、岗位风险辨识与职业病防护。"),
]
SCHOOLS = [
    ("江阴职业技术学院", "机电一体化技术", StudyLevel.COLLEGE),
    ("无锡职业技术学院", "数控技术", StudyLevel.COLLEGE),
    ("江南大学", "机械设计制造及其自动化", StudyLevel.BACHELOR),
    ("江苏开放大学", "电气工程及其自动化", StudyLevel.BACHELOR),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _firm_of(user: User | None) -> Org | None:
    membership = user.active_memberships().select_related("org").first() if user else None
    return membership.org if membership and membership.org.kind == Kind.ENTERPRISE else None


@transaction.atomic
def load_demo_training(rng: random.Random) -> int:
    """Classes, rosters, attendance, completions, education upgrades and scholarships; returns the person-times."""
    county = Org.objects.filter(code=COUNTY).first()
    office, union = _user("jiangyin"), _user("qiye")
    if county is None or office is None or Course.objects.filter(organiser=county, title=COURSES[0][0]).exists():
        return 0
    workers = list(
        Worker.objects.filter(enterprise__path__startswith=county.path).select_related("enterprise").order_by("pk")
    )
    if not workers:
        return 0
    today = services.today()
    courses = [_course(office, county, *row) for row in COURSES]
    person_times = _run_class(rng, office, courses[0], county, rng.sample(workers, min(24, len(workers))), today, 60)
    person_times += _run_class(rng, office, courses[2], county, rng.sample(workers, min(40, len(workers))), today, 5)
    firm = _firm_of(union)
    own = [w for w in workers if firm and w.enterprise_id == firm.pk]
    if own:
        in_house = _course(union, firm, "班组长管理能力提升", Mode.IN_PERSON, 12, None, "企业内训：班组管理与质量。")
        person_times += _run_class(rng, union, in_house, firm, own[:15], today, 20)
    _upcoming_class(office, courses[1], county, rng.sample(workers, min(12, len(workers))), today)
    _load_upgrades(union if own else office, county, own or workers, today)
    return person_times


def _course(user, organiser, title, mode, hours, occupation_name, description) -> Course:
    occupation = Occupation.objects.filter(name=occupation_name).first() if occupation_name else None
    course = Course(title=title, organiser=organiser, mode=mode, hours=Decimal(hours), occupation=occupation)
    course.description = description
    return services.save_course(user, course)


def _run_class(rng, user, course, organiser, people, today: date, days_ago: int) -> int:
    """A class that started `days_ago` days ago: sessions of four hours, ~85% attendance, completions if ended."""
    sessions = int(course.hours // 4)
    starts_on = today - timedelta(days=days_ago)
    ends_on = starts_on + timedelta(days=max(sessions - 1, 0) * 7)
    training_class = services.save_class(
        user,
        TrainingClass(
            course=course,
            organiser=organiser,
            title=f"{starts_on.year}年{course.title}班",
            starts_on=starts_on,
            ends_on=ends_on,
            place="线上学习平台" if course.mode == Mode.ONLINE else "江阴市职工学校",
            capacity=len(people) + 5,
            required_hours=(course.hours * Decimal("0.75")).quantize(Decimal("0.1")),
        ),
    )
    enrolments = services.enrol(user, training_class, people, on=starts_on - timedelta(days=7)).enrolled
    marked = 0
    for number in range(sessions):
        held_on = starts_on + timedelta(days=number * 7)
        if held_on > today:
            break
        topic = f"第{number + 1}讲"
        session = services.add_session(user, training_class, held_on=held_on, hours=Decimal(4), topic=topic)
        present = [e for e in enrolments if rng.random() < 0.85]
        services.set_attendance(user, session, present)
        marked += len(present)
    if ends_on < today:
        services.complete(user, training_class, training_class.enrolments.all(), ends_on)
    return marked


def _upcoming_class(user, course, organiser, people, today: date) -> None:
    starts_on = today + timedelta(days=14)
    training_class = services.save_class(
        user,
        TrainingClass(
            course=course,
            organiser=organiser,
            title=f"{starts_on.year}年{course.title}班",
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=2),
            place="企业培训中心",
            capacity=20,
            required_hours=course.hours,
        ),
    )
    services.enrol(user, training_class, people, on=today)


def _load_upgrades(user, county, people, today: date) -> None:
    for index, worker in enumerate(people[:8]):
        school, programme, level = SCHOOLS[index % len(SCHOOLS)]
        started_on = date(today.year - 1 - index % 3, 9, 1)
        upgrade = services.save_upgrade(
            user,
            EducationUpgrade(
                worker=worker,
                school=school,
                programme=programme,
                level=level,
                started_on=started_on,
                expected_on=started_on.replace(year=started_on.year + (2 if level == StudyLevel.COLLEGE else 3)),
            ),
        )
        for term in range(1 + index % 3):
            paid_on = started_on + timedelta(days=40 + term * 182)
            if paid_on <= today:
                payer = county if term % 2 else worker.enterprise
                services.pay_scholarship(
                    _payer_user(user, payer), upgrade, amount=Decimal(1500), paid_on=paid_on, payer=payer, note="助学金"
                )
        if upgrade.expected_on <= today:
            services.graduate(user, upgrade, upgrade.expected_on)


def _payer_user(user, payer: Org):
    return user if scope_for(user).contains(payer) else _user("jiangyin")

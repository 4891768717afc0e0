"""Workers, certificates and training records for the training and careers tests, through the services."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from changai.certificates.models import Certificate, Route
from changai.training import services
from changai.training.models import Course, Mode, TrainingClass
from changai.workers.idgen import make_id_number
from changai.workers.models import Occupation, Sequence
from changai.workers.services import register_worker

_serial = count(1)


def occupation(code="6-18-01-01", name="车工"):
    found, _ = Occupation.objects.get_or_create(code=code, defaults={"name": name})
    return found


def id_number(serial: int) -> str:
    return make_id_number("320281", date(1980, 1, 1) + timedelta(days=serial), serial % 1000)


def worker(enterprise, name=None, *, frontline=True, sequence=Sequence.SKILLS, grade="", hired_on=date(2015, 3, 1)):
    serial = next(_serial)
    return register_worker(
        enterprise,
        name=name or f"职工{serial}",
        id_number=id_number(serial),
        frontline=frontline,
        sequence=sequence,
        grade=grade,
        hired_on=hired_on,
    )


def certificate(person, level, issued_on, *, expires_on=None, revoked=False):
    return Certificate.objects.create(
        worker=person,
        occupation=occupation(),
        level=level,
        number=f"CERT{next(_serial):08d}",
        route=Route.SOCIAL,
        issued_on=issued_on,
        expires_on=expires_on,
        revoked=revoked,
        employer=person.enterprise,
    )


def course(user, organiser, title="数控车工技能提升", hours=Decimal("16")):
    return services.save_course(user, Course(title=title, organiser=organiser, mode=Mode.IN_PERSON, hours=hours))


def training_class(user, organiser, *, capacity=30, required_hours=Decimal("12"), starts_on=None, ends_on=None):
    starts_on = starts_on or date(2025, 3, 3)
    return services.save_class(
        user,
        TrainingClass(
            course=course(user, organiser),
            organiser=organiser,
            title="2025年第一期数控车工提升班",
            starts_on=starts_on,
            ends_on=ends_on or starts_on + timedelta(days=30),
            place="祝塘镇职工学校",
            capacity=capacity,
            required_hours=required_hours,
        ),
    )

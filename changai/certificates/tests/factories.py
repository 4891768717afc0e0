"""Test data for the certificates app, built through the services so their checks run."""

import itertools
from datetime import date, timedelta

from changai.workers.idgen import make_id_number
from changai.workers.models import Occupation
from changai.workers.services import register_worker

from ..models import Level, Route, SelfRatingAuthorisation
from ..services import issue_certificate

_people = itertools.count(1)
_numbers = itertools.count(1)


def occupation(name="车工") -> Occupation:
    return Occupation.objects.get(name=name)


def new_id_number(region="320281") -> str:
    n = next(_people)
    return make_id_number(region, date(1980, 1, 1) + timedelta(days=n * 37), n % 1000)


def worker(enterprise, name="张建国", hired_on=date(2015, 3, 1), occupation_name="车工", id_number=None):
    number = id_number or new_id_number()
    person = register_worker(
        enterprise, name=name, id_number=number, hired_on=hired_on, occupation=occupation(occupation_name)
    )
    person.full_id_number = number
    return person


def authorise(
    enterprise,
    occupation_name="车工",
    max_level=Level.SENIOR,
    valid_from=date(2024, 1, 1),
    valid_to=date(2028, 12, 31),
) -> SelfRatingAuthorisation:
    return SelfRatingAuthorisation.objects.create(
        enterprise=enterprise,
        occupation=occupation(occupation_name),
        max_level=max_level,
        valid_from=valid_from,
        valid_to=valid_to,
        document="澄人社备〔2024〕1号",
        granted_by="江阴市人力资源和社会保障局",
    )


def certificate(person, level=Level.SENIOR, occupation_name="车工", route=Route.SOCIAL, **fields):
    fields.setdefault("issued_on", date(2024, 6, 1))
    fields.setdefault("number", f"TEST{next(_numbers):06d}")
    return issue_certificate(person, occupation=occupation(occupation_name), level=level, route=route, **fields)

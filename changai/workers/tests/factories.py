"""Workers for tests: valid, made-up identity numbers, registered through the service like real ones."""

from datetime import date
from itertools import count

from changai.workers import services
from changai.workers.idgen import make_id_number

_sequence = count(1)


def id_number(born=date(1988, 3, 9), region="320281") -> str:
    return make_id_number(region, born, next(_sequence) % 1000)


def worker_at(enterprise, name="张三", *, number=None, phone="13912345678", **fields):
    fields.setdefault("hired_on", date(2020, 3, 1))
    return services.register_worker(enterprise, name=name, id_number=number or id_number(), phone=phone, **fields)

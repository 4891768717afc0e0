"""Worker records at a secret org, for the URL walk of changai/tests/test_authorization.py."""

from datetime import date

from changai.workers import services
from changai.workers.idgen import make_id_number
from changai.workers.models import FullNumberView


def secrets(secret) -> tuple[dict, list]:
    org = secret.org
    worker = services.register_worker(
        org,
        name=f"{secret.name}职工",
        id_number=make_id_number("321084", date(1990, 1, 1), org.pk % 1000),
        phone="13900000001",
        hired_on=date(2020, 1, 1),
        grade=f"{secret.name}"[:30],
    )
    FullNumberView.objects.create(
        user=secret.user,
        worker=worker,
        enterprise=org,
        field=FullNumberView.Field.BOTH,
        channel=FullNumberView.Channel.PAGE,
    )
    # The occupation catalogue is shared reference data, looked up by code: reachable by anyone signed in.
    return {"worker_pk": worker.pk, "occupation_code": "6-18-01-01"}, [worker]

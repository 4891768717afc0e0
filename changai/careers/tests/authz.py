"""Career records at a secret org, for the URL walk of changai/tests/test_authorization.py."""

from datetime import date

from changai.careers.models import CareerMove, TitleApplication
from changai.certificates.models import Level, TitleRank
from changai.training.tests.authz import secret_worker
from changai.workers.models import Sequence


def secrets(secret) -> tuple[dict, list]:
    worker = secret_worker(secret, "技师")
    move = CareerMove.objects.create(
        worker=worker,
        enterprise=secret.org,
        kind=CareerMove.Kind.HORIZONTAL,
        from_sequence=Sequence.SKILLS,
        from_grade="技能三级",
        to_sequence=Sequence.MANAGEMENT,
        to_grade="班组长",
        frontline_promotion=True,
        effective_on=date(2025, 6, 1),
        approving_body=f"{secret.name}人力资源部",
        note=f"{secret.name}秘密任命",
    )
    application = TitleApplication.objects.create(
        worker=worker,
        enterprise=secret.org,
        target_rank=TitleRank.ENGINEER,
        qualifying_level=Level.TECHNICIAN,
        body=f"{secret.name}秘密评审会",
        submitted_on=date(2025, 5, 1),
    )
    return {"titleapplication_pk": application.pk}, [move, application]

"""Certificate records at a secret org, for the URL walk of changai/tests/test_authorization.py."""

from datetime import date

from changai.workers.idgen import make_id_number
from changai.workers.models import Occupation
from changai.workers.services import register_worker

from ..models import Candidate, Certificate, EngineeringTitle, Level, RatingBatch, Route, SelfRatingAuthorisation


def secrets(secret) -> tuple[dict, list]:
    org = secret.org
    lathe = Occupation.objects.get(name="车工")
    person = register_worker(
        org, name=f"{secret.name}证书职工", id_number=make_id_number("321084", date(1979, 3, 3), org.pk % 1000)
    )
    authorisation = SelfRatingAuthorisation.objects.create(
        enterprise=org,
        occupation=lathe,
        max_level=Level.TECHNICIAN,
        valid_from=date(2024, 1, 1),
        valid_to=date(2028, 12, 31),
        document=f"{secret.name}备案",
        granted_by=secret.name,
    )
    batch = RatingBatch.objects.create(enterprise=org, title=f"{secret.name}评价批次", assessed_on=date(2024, 6, 1))
    certificate = Certificate.objects.create(
        worker=person,
        occupation=lathe,
        level=Level.SENIOR,
        number=f"SECRET{org.pk}",
        route=Route.SELF_RATING,
        issued_on=date(2024, 6, 20),
        issuer=secret.name,
        rating_enterprise=org,
        employer=org,
        batch=batch,
    )
    candidate = Candidate.objects.create(
        batch=batch, worker=person, occupation=lathe, level=Level.SENIOR, result="passed", certificate=certificate
    )
    title = EngineeringTitle.objects.create(
        worker=person, rank=5, awarded_on=date(2022, 1, 1), issuer=secret.name, specialty="机械"
    )
    values = {
        "worker_pk": person.pk,
        "certificate_pk": certificate.pk,
        "engineeringtitle_pk": title.pk,
        "authorisation_pk": authorisation.pk,
        "ratingbatch_pk": batch.pk,
        "ratingcandidate_pk": candidate.pk,
    }
    return values, [certificate, batch, authorisation, title, candidate]

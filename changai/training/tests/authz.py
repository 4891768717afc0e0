"""Training records at a secret org, for the URL walk of changai/tests/test_authorization.py."""

from datetime import date, timedelta
from decimal import Decimal

from changai.training.models import (
    Attendance,
    Course,
    EducationUpgrade,
    Enrolment,
    Mode,
    ScholarshipPayment,
    StudyLevel,
    TrainingClass,
    TrainingSession,
)
from changai.workers import pii
from changai.workers.idgen import make_id_number
from changai.workers.models import Employment, Gender, Worker


def secret_worker(secret, label: str) -> Worker:
    """A worker at the secret org named after it (built on the models: the walk must not depend on services)."""
    number = make_id_number("320102", date(1970, 1, 1) + timedelta(days=secret.org.pk * 7 + len(label)), 777)
    worker, _ = Worker.objects.get_or_create(
        id_hash=pii.keyed_hash(number),
        defaults={
            "name": f"{secret.name}{label}",
            "id_cipher": pii.encrypt(number),
            "id_masked": pii.mask_id_number(number),
            "gender": Gender.MALE,
            "birth_date": date(1970, 1, 1),
            "enterprise": secret.org,
            "hired_on": date(2010, 1, 1),
        },
    )
    Employment.objects.get_or_create(worker=worker, enterprise=secret.org, defaults={"hired_on": date(2010, 1, 1)})
    return worker


def secrets(secret) -> tuple[dict, list]:
    org = secret.org
    worker = secret_worker(secret, "学员")
    course = Course.objects.create(title=f"{secret.name}秘密课程", organiser=org, mode=Mode.IN_PERSON, hours=8)
    training_class = TrainingClass.objects.create(
        course=course,
        organiser=org,
        title=f"{secret.name}秘密培训班",
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 1, 9),
        place=f"{secret.name}会议室",
        capacity=10,
        required_hours=Decimal("4"),
    )
    session = TrainingSession.objects.create(
        training_class=training_class, number=1, held_on=date(2026, 1, 5), hours=4, topic=f"{secret.name}秘密课"
    )
    enrolment = Enrolment.objects.create(
        training_class=training_class, worker=worker, enterprise=org, enrolled_on=date(2026, 1, 2)
    )
    Attendance.objects.create(session=session, enrolment=enrolment)
    upgrade = EducationUpgrade.objects.create(
        worker=worker,
        enterprise=org,
        school=f"{secret.name}秘密学院",
        programme="机械制造",
        level=StudyLevel.COLLEGE,
        started_on=date(2025, 9, 1),
        expected_on=date(2028, 7, 1),
    )
    payment = ScholarshipPayment.objects.create(
        upgrade=upgrade, amount=Decimal("2000"), paid_on=date(2025, 10, 1), payer=org, note=f"{secret.name}助学金"
    )
    values = {
        "course_pk": course.pk,
        "trainingclass_pk": training_class.pk,
        "trainingsession_pk": session.pk,
        "enrolment_pk": enrolment.pk,
        "educationupgrade_pk": upgrade.pk,
    }
    return values, [course, training_class, enrolment, upgrade, payment]

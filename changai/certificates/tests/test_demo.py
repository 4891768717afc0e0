import random
from datetime import date

import pytest

from changai.certificates.demo import load_demo_certificates
from changai.certificates.models import Certificate, RatingBatch, SelfRatingAuthorisation

from .factories import worker

pytestmark = pytest.mark.django_db


def test_the_demo_gives_the_demo_workers_certificates_and_the_enterprise_an_issued_batch(cast):
    for n in range(12):
        worker(cast.jiangyin_firm, name=f"职工{n}", hired_on=date(2012, 1, 1))
    made = load_demo_certificates(random.Random(2026))
    assert made == Certificate.objects.count() > 6
    assert SelfRatingAuthorisation.objects.filter(enterprise=cast.jiangyin_firm).count() == 2
    batch = RatingBatch.objects.get(enterprise=cast.jiangyin_firm)
    assert batch.status == RatingBatch.Status.ISSUED
    assert Certificate.objects.filter(batch=batch).exists()
    assert load_demo_certificates(random.Random(2026)) == 0

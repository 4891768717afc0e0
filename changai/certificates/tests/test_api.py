from datetime import date

import pytest

from changai.certificates.models import Level, RatingBatch, Route

from .factories import certificate, worker

pytestmark = pytest.mark.django_db


def test_certificates_are_listed_in_scope_with_the_worker_masked_and_filterable(client, cast):
    zhang = worker(cast.jiangyin_firm, name="张建国")
    far = worker(cast.gaoyou_firm, name="高邮职工")
    certificate(zhang, Level.SENIOR, number="A1")
    certificate(zhang, Level.TECHNICIAN, "焊工", route=Route.COMPETITION, number="A2")
    certificate(far, Level.SENIOR, number="B1")
    client.force_login(cast.users["jiangyin"])
    data = client.get("/api/v1/certificates/").json()
    assert data["count"] == 2
    first = data["results"][0]
    assert first["worker_name"] == "张建国" and first["worker_id_number"] == zhang.id_masked
    assert zhang.full_id_number not in str(data)
    assert first["valid"] is True
    assert [r["number"] for r in client.get("/api/v1/certificates/", {"level": 5}).json()["results"]] == ["A2"]
    assert client.get("/api/v1/certificates/", {"route": "competition"}).json()["count"] == 1
    assert client.get("/api/v1/certificates/", {"worker": far.pk}).json()["count"] == 0
    assert client.get("/api/v1/certificates/", {"worker": 987654}).json()["count"] == 0
    far_certificate = far.certificates.get()
    assert client.get(f"/api/v1/certificates/{far_certificate.pk}/").status_code == 404


def test_rating_batches_come_with_their_candidates(client, cast):
    zhang = worker(cast.jiangyin_firm, name="张建国")
    batch = RatingBatch.objects.create(enterprise=cast.jiangyin_firm, title="第一批", assessed_on=date(2024, 6, 1))
    batch.candidates.create(worker=zhang, occupation=zhang.occupation, level=Level.SENIOR)
    client.force_login(cast.users["qiye"])
    data = client.get(f"/api/v1/rating-batches/{batch.pk}/").json()
    assert data["title"] == "第一批" and data["candidates"][0]["worker_id_number"] == zhang.id_masked
    client.force_login(cast.users["gaoyou"])
    assert client.get(f"/api/v1/rating-batches/{batch.pk}/").status_code == 404

import pytest
from rest_framework.test import APIClient

from changai.narratives.models import FactProposal

from .factories import make_report


@pytest.fixture(autouse=True)
def no_rollup_jobs(monkeypatch):
    monkeypatch.setattr("changai.narratives.services.schedule_refresh", lambda *args, **kwargs: None)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_reports_and_figures_are_scoped(cast, catalogue):
    report = make_report(cast.users["qiye"], cast.jiangyin_firm)
    assert api(cast.users["zhutang"]).get("/api/v1/narrative-reports/").json()["count"] == 1
    assert api(cast.users["gaoyou"]).get("/api/v1/narrative-reports/").json()["count"] == 0
    assert api(cast.users["gaoyou"]).get(f"/api/v1/narrative-reports/{report.pk}/").status_code == 404
    facts = api(cast.users["zhutang"]).get("/api/v1/narrative-facts/", {"report": report.pk}).json()
    assert [(f["value"], f["unit"], f["status"]) for f in facts["results"]][:2] == [
        ("12.0000", "期", "proposed"),
        ("3600.0000", "人次", "proposed"),
    ]
    assert api(cast.users["renshe"]).get("/api/v1/narrative-facts/").status_code == 403


def test_a_figure_is_accepted_and_rejected_through_the_api(cast, catalogue):
    report = make_report(cast.users["qiye"], cast.jiangyin_firm)
    training = report.proposals.get(unit="人次")
    payload = {"indicator": "n_training_times", "org": cast.jiangyin_firm.pk, "period": "2026", "value": "3600"}
    response = api(cast.users["zhutang"]).post(f"/api/v1/narrative-facts/{training.pk}/accept/", payload)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    again = api(cast.users["zhutang"]).post(f"/api/v1/narrative-facts/{training.pk}/accept/", payload)
    assert again.status_code == 400
    funds = report.proposals.get(unit="万元")
    assert api(cast.users["qiye"]).post(f"/api/v1/narrative-facts/{funds.pk}/reject/").status_code == 403
    assert api(cast.users["gaoyou"]).post(f"/api/v1/narrative-facts/{funds.pk}/reject/").status_code == 404
    response = api(cast.users["zhutang"]).post(f"/api/v1/narrative-facts/{funds.pk}/reject/", {"note": "重复"})
    assert response.json()["status"] == "rejected"
    assert FactProposal.objects.get(pk=funds.pk).note == "重复"


def test_extract_reads_a_text_without_storing_it(cast, catalogue):
    response = api(cast.users["lingdao"]).post(
        "/api/v1/narrative-facts/extract/", {"text": "今年以来，全县举办职工技能培训班12期。"}, format="json"
    )
    assert response.json() == [
        {
            "quote": "全县举办职工技能培训班12期",
            "value": 12,
            "unit": "期",
            "qualifier": "exact",
            "period": "今年以来",
            "subject": "全县",
            "indicator": "n_training_classes",
        }
    ]
    assert not FactProposal.objects.exists()
    assert APIClient().post("/api/v1/narrative-facts/extract/", {"text": "12期"}).status_code in (401, 403)

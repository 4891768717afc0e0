from datetime import date

from rest_framework.test import APIClient

from changai.workers import pii
from changai.workers.models import FullNumberView
from changai.workers.tests.factories import worker_at


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_workers_are_scoped_and_masked(cast):
    zhang = worker_at(cast.jiangyin_firm, "张三")
    worker_at(cast.gaoyou_firm, "高邮王五")
    data = api(cast.users["jiangyin"]).get("/api/v1/workers/").json()
    assert [row["name"] for row in data["results"]] == ["张三"]
    row = data["results"][0]
    assert (row["id_number"], row["phone"], row["full_numbers"]) == (zhang.id_masked, "139****5678", False)
    assert row["employments"][0]["enterprise_name"] == cast.jiangyin_firm.name
    # asking for full numbers without the permission changes nothing and logs nothing
    row = api(cast.users["jiangyin"]).get("/api/v1/workers/", {"full_numbers": "1"}).json()["results"][0]
    assert row["id_number"] == zhang.id_masked
    assert FullNumberView.objects.count() == 0


def test_full_numbers_only_on_request_with_the_permission_and_logged(cast):
    zhang = worker_at(cast.jiangyin_firm, "张三")
    worker_at(cast.jiangyin_firm, "李四")
    client = api(cast.users["qiye"])
    assert client.get("/api/v1/workers/").json()["results"][0]["id_number"].count("*") == 11
    data = client.get("/api/v1/workers/", {"full_numbers": "1"}).json()
    assert {row["id_number"] for row in data["results"]} >= {pii.decrypt(zhang.id_cipher)}
    log = FullNumberView.objects.get()
    assert (log.channel, log.rows, log.enterprise) == ("api", 2, cast.jiangyin_firm)
    detail = client.get(f"/api/v1/workers/{zhang.pk}/", {"full_numbers": "true"}).json()
    assert detail["phone"] == "13912345678"
    assert FullNumberView.objects.filter(worker=zhang, channel="api").count() == 1


def test_filters_and_exact_number_lookup(cast):
    zhang = worker_at(cast.jiangyin_firm, "张三", hired_on=date(2020, 1, 1))
    worker_at(cast.line_firm, "李四", frontline=False)
    client = api(cast.users["jiangyin"])
    names = lambda params: [row["name"] for row in client.get("/api/v1/workers/", params).json()["results"]]  # noqa: E731
    assert names({"enterprise": cast.line_firm.pk}) == ["李四"]
    assert names({"frontline": "true"}) == ["张三"]
    assert names({"id_number": pii.decrypt(zhang.id_cipher)}) == ["张三"]
    assert names({"id_number": "123"}) == []
    assert names({"search": "李"}) == ["李四"]
    assert client.get(f"/api/v1/workers/{zhang.pk}/").status_code == 200
    assert api(cast.users["gaoyou"]).get(f"/api/v1/workers/{zhang.pk}/").status_code == 404


def test_occupations_by_code(cast):
    client = api(cast.users["renshe"])
    assert client.get("/api/v1/occupations/6-18-01-01/").json()["name"] == "车工"
    codes = [row["code"] for row in client.get("/api/v1/occupations/", {"search": "焊工"}).json()["results"]]
    assert "6-18-02-04" in codes and "6-18-01-01" not in codes

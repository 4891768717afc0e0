from datetime import date
from unittest import mock

from rest_framework.test import APIClient

from changai.demands import services
from changai.demands.models import Category

CONTACT = "13800001111"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def phone_demand(cast):
    demand = services.raise_demand(
        None,
        cast.jiangyin_firm,
        title="加班费计算有误",
        content="加班费按基本工资计算",
        category=Category.objects.get(code="rights"),
        channel="phone",
        anonymous=True,
        contact=CONTACT,
    )
    with mock.patch("changai.demands.services.today", return_value=date(2024, 9, 27)):
        services.route(cast.users["jiangyin"], demand, cast.hrss)
    return demand


def test_demands_are_scoped_with_their_timeline_and_assignments(cast):
    demand = phone_demand(cast)
    assert api(cast.users["jiangyin"]).get("/api/v1/demands/").json()["count"] == 1
    assert api(cast.users["renshe"]).get("/api/v1/demands/").json()["count"] == 1
    assert api(cast.users["gaoyou"]).get("/api/v1/demands/").json()["count"] == 0
    assert api(cast.users["gaoyou"]).get(f"/api/v1/demands/{demand.pk}/").status_code == 404
    body = api(cast.users["renshe"]).get(f"/api/v1/demands/{demand.pk}/").json()
    assert body["number"] == demand.number and body["raiser"] == "匿名"
    assert [event["kind"] for event in body["events"]] == ["raised", "routed"]
    assert body["assignments"][0]["unit_name"] == "省人力资源社会保障厅"
    assert body["assignments"][0]["due"] == "2024-10-16"


def test_the_contact_is_for_the_handling_office_only(cast):
    demand = phone_demand(cast)
    assert api(cast.users["jiangyin"]).get(f"/api/v1/demands/{demand.pk}/").json()["contact"] == CONTACT
    renshe = api(cast.users["renshe"])
    assert renshe.get(f"/api/v1/demands/{demand.pk}/").json()["contact"] is None
    assert CONTACT not in renshe.get("/api/v1/demands/").content.decode()


def test_the_api_is_read_only(cast):
    demand = phone_demand(cast)
    client = api(cast.users["jiangyin"])
    assert client.post("/api/v1/demands/", {"title": "x"}, format="json").status_code == 405
    assert client.patch(f"/api/v1/demands/{demand.pk}/", {"title": "x"}, format="json").status_code == 405

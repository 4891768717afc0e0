from datetime import date
from unittest import mock

import pytest
from rest_framework.test import APIClient

from changai.worklists.tests.factories import plan_with_item


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def item(cast):
    with mock.patch("changai.worklists.services.today", return_value=date(2024, 1, 2)):
        return plan_with_item(cast, cadence=("quarterly",))[1]


def test_items_are_scoped_and_routed(cast, item):
    assert api(cast.users["jiangyin"]).get("/api/v1/items/").json()["count"] == 1
    assert api(cast.users["renshe"]).get("/api/v1/items/").json()["count"] == 1
    assert api(cast.users["gaoyou"]).get("/api/v1/items/").json()["count"] == 0
    assert api(cast.users["gaoyou"]).get(f"/api/v1/items/{item.pk}/").status_code == 404
    assert api(cast.users["gaoyou"]).get("/api/v1/checkpoints/").json()["count"] == 0
    assert api(cast.users["jiangyin"]).get("/api/v1/checkpoints/").json()["count"] == 4


def test_the_lead_unit_reports_progress_through_the_api(cast, item):
    response = api(cast.users["renshe"]).post(
        f"/api/v1/items/{item.pk}/progress/", {"percent": 40, "narrative": "已完成两批认定"}, format="json"
    )
    assert response.status_code == 200 and response.json()["progress"] == 40
    response = api(cast.users["lingdao"]).post(
        f"/api/v1/items/{item.pk}/progress/", {"percent": 50, "narrative": "越权"}, format="json"
    )
    assert response.status_code == 403


def test_an_office_creates_a_plan_and_an_item(cast):
    client = api(cast.users["zhutang"])
    plan = client.post(
        "/api/v1/plans/",
        {"org": cast.zhutang.pk, "year": 2026, "title": "祝塘镇产改清单", "cadence": ["monthly"]},
        format="json",
    )
    assert plan.status_code == 201, plan.json()
    response = client.post(
        "/api/v1/items/",
        {
            "plan": plan.json()["id"],
            "number": "1",
            "title": "建设职工之家",
            "pillar": "rights",
            "lead_unit": cast.zhutang.pk,
            "target": "新建3家",
            "starts_on": "2026-01-01",
            "deadline": "2026-12-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    outside = client.post("/api/v1/plans/", {"org": cast.tangzhuang.pk, "year": 2026, "title": "越权"}, format="json")
    assert outside.status_code == 400


def test_notices_are_answered_by_the_lead_unit(cast, item):
    from changai.worklists import services

    notice = services.issue_notice(cast.users["jiangyin"], item, "请加快进度")
    response = api(cast.users["renshe"]).post(
        f"/api/v1/notices/{notice.pk}/answer/", {"reply": "已整改"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "answered"

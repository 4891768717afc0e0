from rest_framework.test import APIClient

from changai.bulletins import services
from changai.bulletins.models import Item

from .conftest import item_from, signed


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_issues_are_scoped_and_carry_their_articles(cast, series):
    issue = signed(cast, series, title="项目化专题")
    draft = services.create_issue(cast.users["sheng"], series, title="草稿")
    assert api(cast.users["lingdao"]).get("/api/v1/bulletin-issues/").json()["count"] == 1
    assert api(cast.users["sheng"]).get("/api/v1/bulletin-issues/").json()["count"] == 2
    assert api(cast.users["gaoyou"]).get(f"/api/v1/bulletin-issues/{issue.pk}/").status_code == 404
    assert api(cast.users["lingdao"]).get(f"/api/v1/bulletin-issues/{draft.pk}/").status_code == 404
    body = api(cast.users["lingdao"]).get(f"/api/v1/bulletin-issues/{issue.pk}/").json()
    assert body["number_label"] == "2024年第8期（总第38期）"
    assert [a["kind"] for a in body["articles"]] == ["lead"]
    assert body["docx_url"].endswith(f"/bulletins/issues/{issue.pk}/docx/")


def test_a_county_sends_an_item_and_the_office_accepts_it_through_the_api(cast, series):
    payload = {"org": cast.gaoyou.pk, "series": series.pk, "title": "高邮市技能比武", "body": "组织技能比武。"}
    response = api(cast.users["gaoyou"]).post("/api/v1/bulletin-items/", payload, format="json")
    assert response.status_code == 201, response.json()
    item = Item.objects.get(pk=response.json()["id"])
    assert item.source == "高邮市总工会"
    bad = api(cast.users["gaoyou"]).post("/api/v1/bulletin-items/", {**payload, "org": cast.jiangyin.pk}, format="json")
    assert bad.status_code == 400
    denied = api(cast.users["gaoyou"]).post(f"/api/v1/bulletin-items/{item.pk}/decide/", {"action": "decline"})
    assert denied.status_code == 403
    accepted = api(cast.users["sheng"]).post(
        f"/api/v1/bulletin-items/{item.pk}/decide/", {"action": "accept", "title": "高邮市：比武促提升"}, format="json"
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["issue"] == item.article.issue_id


def test_declining_through_the_api_needs_a_reason(cast, series):
    item = item_from(cast, series)
    response = api(cast.users["sheng"]).post(f"/api/v1/bulletin-items/{item.pk}/decide/", {"action": "decline"})
    assert response.status_code == 400
    assert api(cast.users["jiangyin"]).get(f"/api/v1/bulletin-items/{item.pk}/").status_code == 404


def test_series_are_listed_to_their_office_and_to_those_below_who_may_send_items(cast, series):
    assert api(cast.users["zhutang"]).get("/api/v1/bulletin-series/").json()["count"] == 1
    assert api(cast.users["renshe"]).get("/api/v1/bulletin-series/").json()["count"] == 1
    assert api(cast.users["qiye"]).get("/api/v1/bulletin-series/").status_code == 403

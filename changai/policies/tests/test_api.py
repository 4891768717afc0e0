from rest_framework.test import APIClient

from changai.policies.models import Policy, Receipt

from .factories import draft, pdf, published


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def titles(response):
    return {row["title"] for row in response.json()["results"]}


def test_it_lists_policies_in_scope_and_those_sent_to_the_users_org(cast):
    jiangyin = published(cast, title="江阴政策")
    draft(cast, title="江阴草稿")
    published(cast, user="gaoyou", issuer=cast.gaoyou, title="高邮政策")
    assert titles(api(cast.users["jiangyin"]).get("/api/v1/policies/")) == {"江阴政策", "江阴草稿"}
    assert titles(api(cast.users["qiye"]).get("/api/v1/policies/")) == {"江阴政策"}
    assert titles(api(cast.users["gaoyou"]).get("/api/v1/policies/")) == {"高邮政策"}
    assert titles(api(cast.users["sheng"]).get("/api/v1/policies/", {"status": "draft"})) == {"江阴草稿"}
    office = api(cast.users["jiangyin"]).get(f"/api/v1/policies/{jiangyin.pk}/").json()
    assert office["receipts_total"] == 2 and office["target_kinds"] == ["enterprise"]


def test_retrieving_as_a_target_marks_the_receipt_and_hides_the_distribution(cast):
    policy = published(cast, attachments=[pdf()])
    body = api(cast.users["qiye"]).get(f"/api/v1/policies/{policy.pk}/").json()
    assert "receipts_total" not in body and "listed_orgs" not in body and "target_kinds" not in body
    assert body["attachments"][0]["url"] == f"/policies/attachments/{policy.attachments.get().pk}/"
    assert Receipt.objects.get(policy=policy, org=cast.jiangyin_firm).read_by == cast.users["qiye"]


def test_outsiders_get_404_and_the_receiving_side_cannot_act(cast):
    policy = published(cast)
    outsider = api(cast.users["gaoyou"])
    assert outsider.get(f"/api/v1/policies/{policy.pk}/").status_code == 404
    for action in ("remind", "withdraw"):
        assert outsider.post(f"/api/v1/policies/{policy.pk}/{action}/", {"reason": "x"}).status_code == 404
    assert outsider.get(f"/api/v1/policies/{policy.pk}/receipts/").status_code == 404
    target = api(cast.users["qiye"])
    assert target.get(f"/api/v1/policies/{policy.pk}/receipts/").status_code == 403
    assert target.post(f"/api/v1/policies/{policy.pk}/remind/").status_code == 403
    assert Policy.objects.get().status == "published"


def test_drafting_publishing_and_following_receipts_through_the_api(cast):
    client = api(cast.users["jiangyin"])
    payload = {
        "title": "关于做好高温季节职工权益保障的通知",
        "issuer": cast.jiangyin.pk,
        "body": "各企业工会：……",
        "effective_from": "2025-06-01",
        "target_kinds": ["enterprise"],
    }
    response = client.post("/api/v1/policies/", payload, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    outside = client.post("/api/v1/policies/", {**payload, "listed_orgs": [cast.gaoyou_firm.pk]}, format="json")
    assert outside.status_code == 400 and "listed_orgs" in outside.json()
    assert api(cast.users["qiye"]).post("/api/v1/policies/", payload, format="json").status_code == 403
    published_body = client.post(f"/api/v1/policies/{pk}/publish/").json()
    assert published_body["status"] == "published" and published_body["receipts_total"] == 2
    again = client.post(f"/api/v1/policies/{pk}/publish/")
    assert again.status_code == 400 and "不能再发布" in again.json()[0]
    api(cast.users["qiye"]).get(f"/api/v1/policies/{pk}/")
    unread = client.get(f"/api/v1/policies/{pk}/receipts/", {"state": "unread"}).json()
    assert [row["org_name"] for row in unread["results"]] == ["江阴交控养护有限公司"]
    assert client.post(f"/api/v1/policies/{pk}/remind/").json() == {"orgs": 1, "users": 0}
    withdrawn = client.post(f"/api/v1/policies/{pk}/withdraw/", {"reason": "已废止"}, format="json").json()
    assert withdrawn["status"] == "withdrawn"

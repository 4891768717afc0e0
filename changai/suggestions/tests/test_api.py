from rest_framework.test import APIClient

from changai.suggestions import services
from changai.suggestions.models import Suggestion

from .factories import PHONE, box, from_form, from_phone


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_lists_suggestions_in_scope_without_contacts(cast):
    suggestion = from_phone(box(cast))
    from_phone(box(cast, org=cast.gaoyou_firm, user="gaoyou"), title="高邮的建议")
    for user in ("qiye", "jiangyin"):
        response = api(cast.users[user]).get("/api/v1/suggestions/")
        assert [row["title"] for row in response.json()["results"]] == [suggestion.title]
        assert PHONE not in response.content.decode() and "王师傅" not in response.content.decode()
    everything = api(cast.users["sheng"]).get("/api/v1/suggestions/", {"search": "高邮"}).json()
    assert [row["title"] for row in everything["results"]] == ["高邮的建议"]


def test_the_detail_gives_the_contact_to_reviewers_only(cast):
    suggestion = from_phone(box(cast))
    url = f"/api/v1/suggestions/{suggestion.pk}/"
    reviewer = api(cast.users["jiangyin"]).get(url).json()
    assert reviewer["contact"] == {"name": "王师傅", "phone": PHONE}
    assert [event["action"] for event in reviewer["events"]] == ["submitted"]
    reader = api(cast.users["lingdao"]).get(url)
    assert reader.json()["contact"] is None and PHONE not in reader.content.decode()
    assert "contact_phone" not in reader.json()


def test_outsiders_get_404(cast):
    suggestion = from_phone(box(cast))
    client = api(cast.users["gaoyou"])
    assert client.get(f"/api/v1/suggestions/{suggestion.pk}/").status_code == 404
    review = client.post(f"/api/v1/suggestions/{suggestion.pk}/review/", {"action": "adopt"}, format="json")
    assert review.status_code == 404
    assert client.get("/api/v1/suggestions/").json()["count"] == 0
    assert Suggestion.objects.get().status == "pending"


def test_recording_and_reviewing_through_the_api(cast):
    client = api(cast.users["qiye"])
    payload = {
        "org": cast.jiangyin_firm.pk,
        "title": "推广数控设备点检表",
        "content": "……",
        "category": "innovation",
        "contact_name": "吴工",
        "contact_phone": "13700001111",
    }
    response = client.post("/api/v1/suggestions/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert "contact_phone" not in response.json()
    pk = response.json()["id"]
    outside = client.post("/api/v1/suggestions/", {**payload, "org": cast.gaoyou_firm.pk}, format="json")
    assert outside.status_code == 400 and "org" in outside.json()
    url = f"/api/v1/suggestions/{pk}/review/"
    declined = client.post(url, {"action": "decline"}, format="json")
    assert declined.status_code == 400 and "不予采纳须填写理由" in str(declined.json())
    assert api(cast.users["lingdao"]).post(url, {"action": "adopt"}, format="json").status_code == 403
    adopted = client.post(url, {"action": "adopt", "reward": "300"}, format="json").json()
    assert adopted["status"] == "adopted" and adopted["reward"] == "300.00"
    assert adopted["contact"] == {"name": "吴工", "phone": "13700001111"}
    done = client.post(url, {"action": "implementation", "implementation": "done"}, format="json").json()
    assert done["implementation"] == "done"


def test_a_declined_suggestion_cannot_be_rewarded_through_the_api(cast):
    suggestion = from_form(cast)
    services.decline_suggestion(cast.users["qiye"], suggestion, reason="不适用")
    response = api(cast.users["jiangyin"]).post(
        f"/api/v1/suggestions/{suggestion.pk}/review/", {"action": "reward", "reward": "100"}, format="json"
    )
    assert response.status_code == 400 and "只有已采纳的建议才能确定奖励" in str(response.json())

from datetime import date

from rest_framework.test import APIClient

from changai.orgs.models import PilotLevel
from changai.pilots import services
from changai.pilots.models import Pairing, PilotType, PilotUnit

from .factories import apply, running


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def names(response):
    return {row["org_name"] for row in response.json()["results"]}


def _gaoyou_pilot(cast):
    return services.apply_pilot(
        cast.users["gaoyou"],
        cast.gaoyou_firm,
        level=PilotLevel.COUNTY,
        pilot_type=PilotType.objects.get(code="party_led"),
        period_start=date(2025, 1, 1),
        period_end=date(2026, 12, 31),
    )


def test_it_lists_pilots_in_scope_with_filters(cast):
    running(cast)
    apply(cast, org=cast.line_firm, level=PilotLevel.TOWN)
    _gaoyou_pilot(cast)
    client = api(cast.users["jiangyin"])
    assert names(client.get("/api/v1/pilots/")) == {"江阴测试机械有限公司", "江阴交控养护有限公司"}
    assert names(client.get("/api/v1/pilots/", {"level": "town"})) == {"江阴交控养护有限公司"}
    assert names(client.get("/api/v1/pilots/", {"status": "running"})) == {"江阴测试机械有限公司"}
    assert names(client.get("/api/v1/pilots/", {"search": "交控"})) == {"江阴交控养护有限公司"}
    assert names(client.get("/api/v1/pilots/", {"city": cast.yangzhou.pk})) == set()
    assert names(api(cast.users["sheng"]).get("/api/v1/pilots/", {"city": cast.yangzhou.pk})) == {
        "高邮秘密液压有限公司"
    }


def test_outsiders_get_404_for_pilots_projects_and_pairings(cast):
    pilot = running(cast)
    project = services.add_project(
        cast.users["zhutang"], pilot, title="技能提升", pillar="quality", target="x", deadline=date(2026, 6, 30)
    )
    pairing = services.create_pairing(
        cast.users["zhutang"],
        lead_org=cast.jiangyin_firm,
        partners=[cast.line_firm],
        title="结对",
        signed_on=date(2025, 5, 1),
        content="x",
    )
    client = api(cast.users["gaoyou"])
    assert client.get(f"/api/v1/pilots/{pilot.pk}/").status_code == 404
    assert (
        client.post(f"/api/v1/pilots/{pilot.pk}/transition/", {"action": "withdraw", "comment": "x"}).status_code == 404
    )
    assert client.get(f"/api/v1/pilot-projects/{project.pk}/").status_code == 404
    assert client.patch(f"/api/v1/pilot-projects/{project.pk}/", {"progress": 90}).status_code == 404
    assert client.get(f"/api/v1/pairings/{pairing.pk}/").status_code == 404
    assert client.get("/api/v1/pairings/").json()["count"] == 0
    assert PilotUnit.objects.get(pk=pilot.pk).status == "running"


def test_creating_a_pilot_goes_through_the_service(cast):
    client = api(cast.users["zhutang"])
    payload = {
        "org": cast.jiangyin_firm.pk,
        "level": "county",
        "pilot_type": "empowerment",
        "batch": "2025年第一批",
        "period_start": "2025-01-01",
        "period_end": "2026-12-31",
        "on": "2025-01-05",
    }
    response = client.post("/api/v1/pilots/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["status"] == "application" and body["supervisor_name"] == "江阴市" and body["applied_on"] == "2025-01-05"
    )
    assert (
        client.post("/api/v1/pilots/", payload, format="json")
        .json()["level"][0]
        .startswith("“江阴测试机械有限公司”已有")
    )
    outside = client.post("/api/v1/pilots/", {**payload, "org": cast.gaoyou_firm.pk}, format="json")
    missing = client.post("/api/v1/pilots/", {**payload, "org": 987654321}, format="json")
    assert outside.status_code == missing.status_code == 400
    assert outside.json()["org"][0].replace(str(cast.gaoyou_firm.pk), "?") == missing.json()["org"][0].replace(
        "987654321", "?"
    )
    assert api(cast.users["qiye"]).post("/api/v1/pilots/", payload, format="json").status_code == 403


def test_transitions_through_the_api(cast):
    pilot = apply(cast)
    office, town = api(cast.users["jiangyin"]), api(cast.users["zhutang"])
    url = f"/api/v1/pilots/{pilot.pk}/transition/"
    assert office.post(url, {"action": "start_review", "on": "2025-02-01"}, format="json").status_code == 200
    refused = office.post(url, {"action": "name_demonstration"}, format="json")
    assert refused.status_code == 400 and "当前状态为“审核中”，不能直接命名示范" in refused.json()[0]
    assert town.post(url, {"action": "approve"}, format="json").status_code == 403
    body = office.post(url, {"action": "approve", "approval_no": "澄〔2025〕1号"}, format="json").json()
    assert body["status"] == "approved" and [e["action"] for e in body["events"]] == [
        "applied",
        "review_started",
        "approved",
    ]
    assert api(cast.users["qiye"]).post(url, {"action": "start_running"}, format="json").status_code == 403


def test_projects_and_pairings_through_the_api(cast):
    pilot = running(cast)
    client = api(cast.users["zhutang"])
    response = client.post(
        "/api/v1/pilot-projects/",
        {
            "pilot": pilot.pk,
            "title": "技能等级认定",
            "pillar": "quality",
            "target": "新增高级工50名",
            "start_date": "2025-03-15",
            "deadline": "2026-03-31",
            "progress": 20,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    project = response.json()
    assert project["status"] == "in_progress"
    updated = client.patch(f"/api/v1/pilot-projects/{project['id']}/", {"progress": 60}, format="json").json()
    assert updated["progress"] == 60
    assert client.get("/api/v1/pilot-projects/", {"pilot": pilot.pk}).json()["count"] == 1
    response = client.post(
        "/api/v1/pairings/",
        {
            "title": "龙头带小微",
            "lead_org": cast.jiangyin_firm.pk,
            "partners": [cast.line_firm.pk],
            "pilot": pilot.pk,
            "signed_on": "2025-05-01",
            "content": "共建实训基地",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Pairing.objects.get().partners.get() == cast.line_firm
    bad = client.post(
        "/api/v1/pairings/",
        {
            "title": "跨市",
            "lead_org": cast.jiangyin_firm.pk,
            "partners": [cast.gaoyou_firm.pk],
            "signed_on": "2025-05-01",
            "content": "x",
        },
        format="json",
    )
    assert bad.status_code == 400 and "partners" in bad.json()

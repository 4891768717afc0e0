from datetime import date

from rest_framework.test import APIClient

from changai.supervision import services
from changai.supervision.models import BrandCriterion

from .factories import brand, meeting, on, spot_check


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_spot_checks_are_scoped_with_their_sample_in_draw_order(cast):
    check, _ = spot_check(cast)
    body = api(cast.users["jiangyin"]).get("/api/v1/spot-checks/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["items"] == [i.pk for i in check.sampled()] and row["seed"] == "42" and row["period"] == "2024Q2"
    assert api(cast.users["gaoyou"]).get("/api/v1/spot-checks/").json()["count"] == 0
    assert api(cast.users["gaoyou"]).get(f"/api/v1/spot-checks/{check.pk}/").status_code == 404
    assert api(cast.users["jiangyin"]).get("/api/v1/spot-checks/", {"plan": check.plan_id + 1000}).json()["count"] == 0


def test_brands_carry_their_latest_score(cast):
    named = brand(cast)
    with on(date(2024, 11, 1)):
        scores = {c.pk: 1 for c in BrandCriterion.objects.filter(is_active=True)}
        services.evaluate_brand(cast.users["jiangyin"], named, scores, "")
    row = api(cast.users["renshe"]).get(f"/api/v1/brands/{named.pk}/").json()
    assert (row["name"], row["latest_total"], row["latest_max"]) == ("技能强企", "12", "12")
    assert api(cast.users["gaoyou"]).get(f"/api/v1/brands/{named.pk}/").status_code == 404


def test_meetings_are_listed_to_the_units_that_attended(cast):
    held = meeting(cast, user=cast.users["sheng"], org=cast.province, attendees=[cast.hrss], title="省联席会议")
    services.add_decision(cast.users["sheng"], held, text="出台技能人才薪酬指引", lead_unit=cast.hrss)
    body = api(cast.users["renshe"]).get("/api/v1/meetings/").json()
    assert body["count"] == 1 and body["results"][0]["decisions"][0]["lead_unit"] == cast.hrss.pk
    assert api(cast.users["jiangyin"]).get("/api/v1/meetings/").json()["count"] == 0
    assert api(cast.users["qiye"]).get(f"/api/v1/meetings/{held.pk}/").status_code == 404

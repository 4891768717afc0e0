from datetime import date

from changai.evaluations import services
from changai.evaluations.models import Score

from .factories import on, scorecard, town

MANUAL = {"name": "产改工作台账", "kind": "manual", "points": 10}


def test_the_office_sees_every_row_and_an_assessee_only_its_own(cast, client):
    qingyang = town(cast, "青阳镇", "320281105")
    with on(date(2024, 12, 20)):
        card = scorecard(cast, rules=[MANUAL], assessees=[cast.zhutang, qingyang], open_it=True)
    for score, mark in zip(
        Score.objects.filter(assessee__scorecard=card).order_by("assessee__org__path"), "85", strict=True
    ):
        services.review_score(cast.users["jiangyin"], score, mark)
    detail = f"/api/v1/scorecards/{card.pk}/"

    client.force_login(cast.users["jiangyin"])
    listing = client.get("/api/v1/scorecards/", {"year": 2024}).json()
    assert [row["title"] for row in listing["results"]] == ["乡镇产改工作考核"]
    rows = client.get(detail).json()["rows"]
    assert [(row["org_name"], row["rank"], row["total"]) for row in rows] == [
        ("祝塘镇", 1, "2.4"),
        ("青阳镇", 2, "1.5"),
    ]

    client.force_login(cast.users["zhutang"])
    rows = client.get(detail).json()["rows"]
    assert [(row["org_name"], row["rank"], row["scores"][0]["reviewer_score"]) for row in rows] == [
        ("祝塘镇", None, "8")
    ]

    client.force_login(cast.users["gaoyou"])
    assert client.get(detail).status_code == 404
    assert client.get("/api/v1/scorecards/").json()["results"] == []

"""The figures API: catalogue, forms and values, scoped like the pages."""

from django.urls import reverse

from changai.accounts.tests.factories import UserFactory


def api(client, cast, name):
    client.force_login(cast.users[name])
    return client


def test_indicators_list_filters_by_pillar_source_and_search(client, cast, figures):
    client = api(client, cast, "jiangyin")
    computed = client.get(reverse("indicator-list"), {"source": "computed"}).json()["results"]
    assert "enterprises" in {i["code"] for i in computed} and all(i["source"] == "computed" for i in computed)
    quality = client.get(reverse("indicator-list"), {"pillar": "quality", "source": "reported"}).json()["results"]
    assert {i["code"] for i in quality} == {"training_person_times", "worker_homes"}
    found = client.get(reverse("indicator-list"), {"search": "培训", "source": "reported"}).json()["results"]
    assert [i["code"] for i in found] == ["training_person_times"]
    found = client.get(reverse("indicator-list"), {"search": "培训"}).json()["results"]
    assert {"training_person_times", "training_class_person_times"} <= {i["code"] for i in found}


def test_indicator_and_dataset_detail_by_code(client, cast, figures):
    client = api(client, cast, "jiangyin")
    detail = client.get(reverse("indicator-detail", kwargs={"indicator_code": "worker_homes"})).json()
    assert detail["name"] == "职工之家数" and detail["aggregation"] == "latest"
    dataset = client.get(reverse("dataset-detail", kwargs={"dataset_code": "town_quarterly"})).json()
    assert dataset["indicators"] == ["training_person_times", "worker_homes"] and dataset["period_type"] == "quarter"
    assert client.get(reverse("dataset-list"), {"period_type": "month"}).json()["count"] == 0


def test_raw_values_are_the_ones_in_scope(client, cast, figures):
    client = api(client, cast, "jiangyin")
    rows = client.get(reverse("value-list"), {"indicator": "training_person_times"}).json()["results"]
    assert {(r["org_name"], r["period"], r["value"], r["approved"]) for r in rows} == {
        ("祝塘镇", "2025Q3", "60", True),
        ("祝塘镇", "2026Q2", "100", True),
        ("祝塘镇", "2026Q3", "120", True),
        ("祝塘镇", "2026Q4", "999", False),
    }
    approved = client.get(reverse("value-list"), {"org": cast.zhutang.pk, "period": "2026Q4", "approved": "1"})
    assert approved.json()["count"] == 0


def test_rollup_returns_the_figure_of_the_subtree(client, cast, figures):
    client = api(client, cast, "sheng")
    params = {"indicator": "training_person_times", "org": cast.province.pk, "period": "2026Q3", "rollup": "1"}
    [row] = client.get(reverse("value-list"), params).json()["results"]
    assert (row["org_name"], row["period"], row["value"]) == ("江苏省", "2026Q3", "170")
    params = {"indicator": "enterprises", "org": cast.wuxi.pk, "period": "2026Q3", "rollup": "1"}
    [row] = client.get(reverse("value-list"), params).json()["results"]
    assert row["value"] == "2"  # a computed indicator fills its cell on demand
    yearly = client.get(reverse("value-list"), {"org": cast.province.pk, "period": "2026", "rollup": "1"}).json()
    assert {(r["indicator"], r["value"]) for r in yearly["results"]} >= {("training_person_times", "270")}


def test_rollup_needs_an_org(client, cast, figures):
    response = api(client, cast, "sheng").get(reverse("value-list"), {"rollup": "1"})
    assert response.status_code == 400


def test_values_of_an_org_outside_the_scope_are_a_404(client, cast, figures):
    client = api(client, cast, "jiangyin")
    for rollup in ("", "1"):
        response = client.get(reverse("value-list"), {"org": cast.gaoyou.pk, "rollup": rollup})
        assert response.status_code == 404
    assert client.get(reverse("value-list"), {"org": 987654321}).status_code == 404
    assert client.get(reverse("value-list"), {"period": "2026Q7"}).status_code == 400


def test_the_api_needs_the_view_permissions(client, cast, figures):
    client.force_login(UserFactory())
    assert client.get(reverse("indicator-list")).status_code == 403
    assert client.get(reverse("value-list")).status_code == 403
    client.logout()
    assert client.get(reverse("dataset-list")).status_code in (401, 403)


def test_the_schema_documents_the_routes(client, cast, figures):
    schema = api(client, cast, "sheng").get("/api/schema/").content.decode()
    assert "/api/v1/values/" in schema and "/api/v1/indicators/{indicator_code}/" in schema

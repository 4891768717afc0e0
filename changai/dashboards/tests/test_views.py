import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from changai.accounts.tests.factories import UserFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def login(client, cast, name):
    client.force_login(cast.users[name])
    return client


def rows_of(response):
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_home_page_is_the_dashboard_of_the_users_county(client, cast, figures):
    response = login(client, cast, "jiangyin").get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "江阴市数据看板" in body and "2026年第3季度" in body
    assert response.context["selection"].org == cast.jiangyin
    [trained, *_] = response.context["changes"]
    assert (trained.value, trained.previous, trained.last_year) == (120, 100, 60)
    assert "vendor/echarts/echarts.min.js" in body and 'id="dashboard-config"' in body
    assert "高邮" not in body


def test_the_province_dashboard_has_the_map_and_the_cities(client, cast, figures):
    response = login(client, cast, "sheng").get(reverse("dashboards:home"))
    assert response.context["has_map"] and response.context["org"] == cast.province
    config = response.context["chart_config"]
    assert config["geo"].endswith("vendor/maps/jiangsu.json") and "map" in config["charts"]


def test_a_county_dashboard_has_no_map(client, cast, figures):
    response = login(client, cast, "jiangyin").get(reverse("dashboards:home"))
    assert not response.context["has_map"] and "map" not in response.context["chart_config"]["charts"]


def test_period_type_and_period_can_be_chosen(client, cast, figures):
    client = login(client, cast, "sheng")
    response = client.get(reverse("dashboards:home"), {"period_type": "year"})
    assert response.context["period"].code == "2026"
    response = client.get(reverse("dashboards:home"), {"period_type": "quarter", "period": "2026Q2"})
    assert response.context["period"].code == "2026Q2"
    response = client.get(reverse("dashboards:home"), {"period_type": "month", "period": "2026Q2"})
    assert response.context["period"].type == "month"


def test_drilling_to_an_org_outside_the_scope_is_a_404(client, cast, figures):
    client = login(client, cast, "jiangyin")
    outside = {"org": cast.gaoyou.pk}
    assert client.get(reverse("dashboards:home"), outside).status_code == 404
    assert client.get(reverse("home"), outside).status_code == 404
    for name in ("headline_data", "ranking_data", "trend_data", "completeness_data"):
        assert client.get(reverse(f"dashboards:{name}"), outside).status_code == 404
    assert client.get(reverse("dashboards:explorer"), outside).status_code == 404
    assert client.get(reverse("dashboards:home"), {"org": "abc"}).status_code == 404
    assert client.get(reverse("dashboards:home"), {"org": cast.zhutang.pk}).status_code == 200


def test_bad_indicator_or_period_is_a_404(client, cast, figures):
    client = login(client, cast, "jiangyin")
    assert client.get(reverse("dashboards:trend_data"), {"indicator": "nope"}).status_code == 404
    assert client.get(reverse("dashboards:trend_data"), {"period": "2026Q9"}).status_code == 404


def test_map_data_by_city_as_json_and_xlsx(client, cast, figures):
    client = login(client, cast, "sheng")
    params = {"org": cast.province.pk, "period": "2026Q3", "indicator": "training_person_times"}
    data = client.get(reverse("dashboards:map_data"), params).json()
    assert data["rows"] == [["320200", "无锡市", 120], ["321000", "扬州市", 50]]
    assert f"org={cast.wuxi.pk}" in data["drill"][0] and data["unit"] == "人次"
    drill = client.get(data["drill"][0]).json()
    assert drill["rows"] == [[1, "江阴市", 120]]
    rows = rows_of(client.get(reverse("dashboards:map_data"), {**params, "export": "xlsx"}))
    assert rows == [["区划代码", "设区市", "培训人次（人次）"], ["320200", "无锡市", 120], ["321000", "扬州市", 50]]


def test_the_map_is_not_offered_below_the_city_level(client, cast, figures):
    response = login(client, cast, "jiangyin").get(reverse("dashboards:map_data"))
    assert response.status_code == 404


def test_ranking_trend_headline_and_completeness_download_as_xlsx(client, cast, figures):
    client = login(client, cast, "sheng")
    params = {"period": "2026Q3", "indicator": "training_person_times", "export": "xlsx"}
    assert rows_of(client.get(reverse("dashboards:ranking_data"), params))[1:] == [
        [1, "无锡市", 120],
        [2, "扬州市", 50],
    ]
    trend = rows_of(client.get(reverse("dashboards:trend_data"), params))
    assert trend[-1] == ["2026Q3", "2026年第3季度", 170] and len(trend) == 9
    headline = rows_of(client.get(reverse("dashboards:headline_data"), params))
    assert headline[1][:9] == ["培训人次", "人次", 170, 100, 70, 70, 60, 110, 183.3]
    completeness = rows_of(client.get(reverse("dashboards:completeness_data"), params))
    assert completeness[1][:6] == ["乡镇产改季报", "2026年第3季度", 2, 0, 0, 0]


def test_ranking_json_links_each_child_to_its_dashboard(client, cast, figures):
    data = login(client, cast, "sheng").get(reverse("dashboards:ranking_data"), {"period": "2026Q3"}).json()
    assert data["links"][0].startswith(reverse("dashboards:home")) and f"org={cast.wuxi.pk}" in data["links"][0]


def test_the_explorer_shows_a_table_and_exports_it(client, cast, figures):
    client = login(client, cast, "sheng")
    params = {
        "indicator": ["training_person_times", "enterprises"],
        "org": [cast.wuxi.pk, cast.yangzhou.pk],
        "period_type": "quarter",
        "start": "2026Q2",
        "end": "2026Q3",
    }
    response = client.get(reverse("dashboards:explorer"), params)
    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart.columns == ["指标", "单位", "组织", "2026年第2季度", "2026年第3季度"]
    assert chart.rows == [
        ["培训人次", "人次", "无锡市", 100, 120],
        ["培训人次", "人次", "扬州市", None, 50],
        ["企业数", "家", "无锡市", 2, 2],
        ["企业数", "家", "扬州市", 1, 1],
    ]
    assert 'id="explorer-data"' in response.content.decode()
    rows = rows_of(client.get(reverse("dashboards:explorer"), {**params, "export": "xlsx"}))
    assert rows == [chart.columns, *chart.rows]


def test_explorer_queries_do_not_grow_with_the_cells(client, cast, figures, django_assert_max_num_queries):
    client = login(client, cast, "sheng")
    params = {"indicator": "training_person_times", "period_type": "month", "start": "2024M01", "end": "2026M09"}
    client.get(reverse("dashboards:explorer"), params)  # warm the session and permission caches
    small = {**params, "org": [cast.wuxi.pk]}
    large = {**params, "org": [cast.wuxi.pk, cast.yangzhou.pk, cast.jiangyin.pk, cast.gaoyou.pk, cast.zhutang.pk]}
    with django_assert_max_num_queries(40) as small_run:
        client.get(reverse("dashboards:explorer"), small)
    with django_assert_max_num_queries(len(small_run.captured_queries) + 5):  # one lookup per extra org
        client.get(reverse("dashboards:explorer"), large)


def test_explorer_rejects_orgs_outside_the_scope(client, cast, figures):
    response = login(client, cast, "gaoyou").get(reverse("dashboards:explorer"), {"org": cast.jiangyin.pk})
    assert response.status_code == 404


def test_users_without_figures_permission_see_the_plain_home_page(client, cast, figures):
    nobody = UserFactory()
    client.force_login(nobody)
    response = client.get(reverse("home"))
    assert response.status_code == 200 and "尚未分配所在组织" in response.content.decode()
    assert client.get(reverse("dashboards:home")).status_code == 403


@pytest.mark.parametrize("name", ["dashboards:home", "dashboards:explorer"])
def test_dashboard_pages_need_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_menu_offers_the_dashboard_and_the_explorer(client, cast, figures):
    body = login(client, cast, "lingdao").get(reverse("home")).content.decode()
    assert "数据看板" in body and "指标查询" in body


def test_the_page_embeds_the_chart_data_it_draws(client, cast, figures):
    client = login(client, cast, "sheng")
    params = {"period": "2026Q3", "indicator": "training_person_times"}
    config = client.get(reverse("dashboards:home"), params).context["chart_config"]
    assert config["data"]["ranking"]["rows"] == [[1, "无锡市", 120], [2, "扬州市", 50]]
    assert config["data"]["map"] == client.get(reverse("dashboards:map_data"), params).json()
    assert config["data"]["trend"]["rows"][-1] == ["2026Q3", "2026年第3季度", 170]


def test_the_dashboard_page_needs_a_bounded_number_of_queries(client, cast, figures, django_assert_max_num_queries):
    client = login(client, cast, "sheng")
    params = {"period": "2026Q3", "indicator": "training_person_times"}
    client.get(reverse("dashboards:home"), params)  # computed indicators fill their cells on the first view
    with django_assert_max_num_queries(45):
        client.get(reverse("dashboards:home"), params)

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from changai.orgs.models import Org
from changai.orgs.tests.factories import EnterpriseFactory, make_credit_code


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def names(response):
    return {row["name"] for row in response.json()["results"]}


def test_it_lists_only_orgs_in_scope_with_search_kind_and_parent(cast):
    client = api(cast.users["jiangyin"])
    assert "高邮秘密液压有限公司" not in names(client.get("/api/v1/orgs/"))
    assert names(client.get("/api/v1/orgs/", {"search": "测试机械"})) == {"江阴测试机械有限公司"}
    assert names(client.get("/api/v1/orgs/", {"search": cast.jiangyin_firm.credit_code})) == {"江阴测试机械有限公司"}
    assert names(client.get("/api/v1/orgs/", {"search": "320281"})) == {"江阴市"}
    assert names(client.get("/api/v1/orgs/", {"kind": "town"})) == {"祝塘镇"}
    assert names(client.get("/api/v1/orgs/", {"parent": cast.zhutang.pk})) == {
        "江阴测试机械有限公司",
        "江阴交控养护有限公司",
    }
    assert names(client.get("/api/v1/orgs/", {"parent": cast.tangzhuang.pk})) == set()


def test_the_list_is_paginated_with_constant_queries(cast):
    for serial in range(60):
        EnterpriseFactory(
            parent=cast.tangzhuang, name=f"高邮批量企业{serial}", credit_code=make_credit_code(7000 + serial)
        )
    client = api(cast.users["gaoyou"])
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/orgs/").json()
    assert body["count"] == 63 and len(body["results"]) == 50 and body["next"]
    assert len(queries) <= 8
    assert body["results"][0]["name"] == "高邮市" and body["results"][0]["parent_id"] == cast.yangzhou.pk


def test_detail_outside_scope_is_404(cast):
    response = api(cast.users["jiangyin"]).get(f"/api/v1/orgs/{cast.gaoyou_firm.pk}/")
    assert response.status_code == 404


def test_it_creates_an_enterprise_under_a_parent_in_scope(cast):
    response = api(cast.users["zhutang"]).post(
        "/api/v1/orgs/",
        {
            "name": "接口新建有限公司",
            "kind": "enterprise",
            "credit_code": make_credit_code(8001),
            "parent": cast.zhutang.pk,
            "headcount": 30,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Org.objects.get(name="接口新建有限公司").parent_org == cast.zhutang


def test_it_refuses_a_parent_outside_scope_without_confirming_it(cast):
    response = api(cast.users["jiangyin"]).post(
        "/api/v1/orgs/",
        {
            "name": "越界公司",
            "kind": "enterprise",
            "credit_code": make_credit_code(8002),
            "parent": cast.tangzhuang.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "不在您的管辖范围内" in str(response.json())


def test_invalid_credit_code_gets_a_chinese_message(cast):
    response = api(cast.users["zhutang"]).post(
        "/api/v1/orgs/",
        {
            "name": "错码公司",
            "kind": "enterprise",
            "credit_code": "91320281MA00000001",
            "parent": cast.zhutang.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "统一社会信用代码" in str(response.json())


def test_update_in_scope_and_read_only_refused(cast):
    url = f"/api/v1/orgs/{cast.jiangyin_firm.pk}/"
    assert api(cast.users["qiye"]).patch(url, {"headcount": 321}, format="json").status_code == 200
    assert Org.objects.get(pk=cast.jiangyin_firm.pk).headcount == 321
    assert api(cast.users["lingdao"]).patch(url, {"headcount": 1}, format="json").status_code == 403
    assert api(cast.users["gaoyou"]).patch(url, {"headcount": 1}, format="json").status_code == 404


def test_token_authentication_and_me(cast):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=cast.users["jiangyin"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "jiangyin"
    assert me["memberships"][0]["org_name"] == "江阴市"
    assert "orgs.add_org" in me["permissions"]


@pytest.mark.django_db
def test_schema_and_docs_are_served(client, cast):
    client.force_login(cast.users["sheng"])
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()

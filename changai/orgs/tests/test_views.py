from django.urls import reverse

from changai.orgs.models import Org
from changai.orgs.tests.factories import EnterpriseFactory, make_credit_code


def test_the_tree_counts_enterprises_below_each_root(cast, client):
    EnterpriseFactory(parent=cast.zhutang, name="第三家企业", credit_code=make_credit_code(6001))
    client.force_login(cast.users["jiangyin"])
    html = client.get(reverse("orgs:tree")).content.decode()
    assert "3 家企业" in html and "高邮" not in html
    children = client.get(reverse("orgs:children", kwargs={"org_pk": cast.jiangyin.pk})).content.decode()
    assert "祝塘镇" in children and "3 家企业" in children


def test_detail_shows_children_people_and_counts(cast, client):
    client.force_login(cast.users["jiangyin"])
    html = client.get(reverse("orgs:detail", kwargs={"org_pk": cast.zhutang.pk})).content.decode()
    assert "江阴测试机械有限公司" in html and "zhutang" in html
    assert 'id="enterprise-count">2<' in html


def test_search_by_name_code_and_credit_code_with_excel_export(cast, client):
    client.force_login(cast.users["jiangyin"])
    url = reverse("orgs:search")
    assert "江阴测试机械有限公司" in client.get(url, {"q": "测试机械"}).content.decode()
    assert "江阴测试机械有限公司" in client.get(url, {"q": cast.jiangyin_firm.credit_code.lower()}).content.decode()
    assert "祝塘镇" in client.get(url, {"q": "320281112"}).content.decode()
    assert "没有找到" in client.get(url, {"q": "高邮秘密"}).content.decode()
    export = client.get(url, {"q": "江阴", "export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_creating_an_enterprise_through_the_form_with_chinese_errors(cast, client):
    client.force_login(cast.users["zhutang"])
    url = reverse("orgs:create_child", kwargs={"org_pk": cast.zhutang.pk}) + "?kind=enterprise"
    bad = client.post(url, {"kind": "enterprise", "name": "表单企业", "credit_code": "91320281MA00000001"})
    assert bad.status_code == 200 and "统一社会信用代码" in bad.content.decode()
    good = client.post(url, {"kind": "enterprise", "name": "表单企业", "credit_code": make_credit_code(6101)})
    assert good.status_code == 302
    assert Org.objects.get(name="表单企业").parent_org == cast.zhutang


def test_a_town_cannot_create_a_city(cast, client):
    client.force_login(cast.users["zhutang"])
    url = reverse("orgs:create_child", kwargs={"org_pk": cast.zhutang.pk}) + "?kind=city"
    assert client.get(url).status_code == 403


def test_editing_and_moving_through_the_pages(cast, client):
    client.force_login(cast.users["jiangyin"])
    edit = reverse("orgs:edit", kwargs={"org_pk": cast.jiangyin_firm.pk})
    response = client.post(edit, {"name": "江阴测试机械股份有限公司", "credit_code": cast.jiangyin_firm.credit_code})
    assert response.status_code == 302
    huashi = Org.objects.add_child(cast.jiangyin, {"name": "华士镇", "code": "320281107", "kind": "town"})
    move = reverse("orgs:move", kwargs={"org_pk": cast.jiangyin_firm.pk})
    response = client.post(move, {"new_parent": huashi.pk, "on": "2026-07-01"})
    assert response.status_code == 302
    firm = Org.objects.get(pk=cast.jiangyin_firm.pk)
    assert firm.name == "江阴测试机械股份有限公司" and firm.parent_org == huashi


def test_move_offers_no_parent_outside_scope(cast, client):
    client.force_login(cast.users["jiangyin"])
    html = client.get(reverse("orgs:move", kwargs={"org_pk": cast.jiangyin_firm.pk})).content.decode()
    assert "汤庄镇" not in html
    response = client.post(
        reverse("orgs:move", kwargs={"org_pk": cast.jiangyin_firm.pk}),
        {"new_parent": cast.tangzhuang.pk, "on": "2026-07-01"},
    )
    assert response.status_code == 200 and Org.objects.get(pk=cast.jiangyin_firm.pk).parent_org == cast.zhutang


def test_leader_sees_but_cannot_edit(cast, client):
    client.force_login(cast.users["lingdao"])
    assert client.get(reverse("orgs:detail", kwargs={"org_pk": cast.jiangyin_firm.pk})).status_code == 200
    assert client.get(reverse("orgs:edit", kwargs={"org_pk": cast.jiangyin_firm.pk})).status_code == 403

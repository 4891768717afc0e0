from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from changai.orgs.tests.factories import EnterpriseFactory, make_credit_code
from changai.suggestions import services
from changai.suggestions.models import Suggestion, SuggestionBox

from .factories import PHONE, box, category, from_form, from_phone


def _detail(suggestion):
    return reverse("suggestions:detail", kwargs={"suggestion_pk": suggestion.pk})


def _review(client, suggestion, action, **data):
    return client.post(
        reverse("suggestions:review", kwargs={"suggestion_pk": suggestion.pk}), {"action": action, **data}
    )


def test_the_list_filters_and_never_shows_the_contact(cast, client):
    phoned = from_phone(box(cast))
    formed = from_form(cast, category=category("pay"))
    services.adopt_suggestion(cast.users["qiye"], formed, reward=300)
    from_phone(box(cast, org=cast.gaoyou_firm, user="gaoyou"), title="高邮的建议")
    url = reverse("suggestions:list")
    for user in ("qiye", "jiangyin", "lingdao"):
        client.force_login(cast.users[user])
        html = client.get(url).content.decode()
        assert phoned.title in html and formed.title in html
        assert ("高邮的建议" in html) == (user == "lingdao")
        assert PHONE not in html and "王师傅" not in html and "0510-86123456" not in html and "李工" not in html
    assert "职工（手机提交）" in html

    def titles(**params):
        body = client.get(url, params).content.decode()
        return {t for t in (phoned.title, formed.title) if t in body}

    assert titles(status="adopted") == {formed.title}
    assert titles(category=category("skills").pk) == {phoned.title}
    assert titles(channel="phone") == {phoned.title}
    assert titles(implementation="not_started") == {formed.title}
    assert titles(q="技能比武") == {phoned.title}
    assert titles(org=cast.jiangyin_firm.pk) == {phoned.title, formed.title}


def test_the_export_is_a_workbook_without_contacts(cast, client):
    suggestion = from_phone(box(cast))
    services.adopt_suggestion(cast.users["qiye"], suggestion, reward="250.5")
    client.force_login(cast.users["jiangyin"])
    response = client.get(reverse("suggestions:list"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("提交时间", "企业", "标题", "类别") and len(rows) == 2
    assert rows[1][1:7] == (
        "江阴测试机械有限公司",
        suggestion.title,
        "技能提升",
        "手机提交",
        "职工（手机提交）",
        "已采纳",
    )
    assert rows[1][7:9] == ("未实施", 250.5)
    cells = " ".join(str(cell) for row in rows for cell in row)
    assert PHONE not in cells and "王师傅" not in cells


def test_the_detail_shows_the_contact_to_reviewers_only(cast, client):
    suggestion = from_phone(box(cast))
    for reviewer in ("qiye", "jiangyin"):
        client.force_login(cast.users[reviewer])
        html = client.get(_detail(suggestion)).content.decode()
        assert PHONE in html and "王师傅" in html and 'data-action="adopt"' in html
    client.force_login(cast.users["lingdao"])
    html = client.get(_detail(suggestion)).content.decode()
    assert suggestion.content in html and "提交建议" in html
    assert PHONE not in html and "王师傅" not in html and "data-action=" not in html


def test_reviewing_through_the_page(cast, client):
    suggestion = from_phone(box(cast))
    client.force_login(cast.users["qiye"])
    response = _review(client, suggestion, "decline")
    assert "不予采纳须填写理由" in client.get(response["Location"]).content.decode()
    assert _review(client, suggestion, "adopt", reward="-5").status_code == 302
    assert Suggestion.objects.get().status == "pending"
    _review(client, suggestion, "adopt", reward="600", comment="好建议")
    _review(client, suggestion, "implementation", implementation="in_progress")
    _review(client, suggestion, "reward", reward="800")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.implementation, str(suggestion.reward)) == (
        "adopted",
        "in_progress",
        "800.00",
    )
    html = client.get(_detail(suggestion)).content.decode()
    assert "采纳" in html and "未实施 → 实施中" in html and "奖励800.00元" in html and "800.00 元" in html
    refused = _review(client, suggestion, "decline", reason="改主意")
    assert "不能再处理" in client.get(refused["Location"]).content.decode()


def test_readers_cannot_review_and_outsiders_get_404(cast, client):
    suggestion = from_phone(box(cast))
    client.force_login(cast.users["lingdao"])
    assert _review(client, suggestion, "adopt").status_code == 403
    client.force_login(cast.users["gaoyou"])
    assert client.get(_detail(suggestion)).status_code == 404
    assert _review(client, suggestion, "adopt").status_code == 404
    for name in ("box", "box_qr"):
        assert client.get(reverse(f"suggestions:{name}", kwargs={"org_pk": cast.jiangyin_firm.pk})).status_code == 404
    for name in ("box_reset", "box_toggle"):
        assert client.post(reverse(f"suggestions:{name}", kwargs={"org_pk": cast.jiangyin_firm.pk})).status_code == 404
    assert client.get(reverse("suggestions:create"), {"org": cast.jiangyin_firm.pk}).status_code == 404
    assert Suggestion.objects.get().status == "pending"


def test_the_union_records_a_suggestion_through_the_form(cast, client):
    client.force_login(cast.users["qiye"])
    start = client.get(reverse("suggestions:create"))
    assert start.status_code == 302 and start["Location"].endswith(f"?org={cast.jiangyin_firm.pk}")
    url = start["Location"]
    data = {"title": "推行弹性排班", "category": category("democracy").pk, "content": "……", "contact_phone": "x"}
    assert "请填写正确的手机号或电话号码" in client.post(url, data).content.decode()
    response = client.post(url, {**data, "contact_phone": ""})
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(suggestion)
    assert (suggestion.channel, suggestion.submitter) == ("form", cast.users["qiye"])
    client.force_login(cast.users["zhutang"])
    picker = client.get(reverse("suggestions:create"), {"q": "江阴"}).content.decode()
    assert "江阴测试机械有限公司" in picker and "高邮" not in picker


def test_the_box_page_shows_the_link_and_a_qr_code(cast, client):
    client.force_login(cast.users["qiye"])
    assert client.get(reverse("suggestions:boxes"))["Location"] == f"/suggestions/boxes/{cast.jiangyin_firm.pk}/"
    html = client.get(reverse("suggestions:box", kwargs={"org_pk": cast.jiangyin_firm.pk})).content.decode()
    the_box = SuggestionBox.objects.get(org=cast.jiangyin_firm)
    assert f"http://testserver/suggestions/s/{the_box.token}/" in html
    qr = client.get(reverse("suggestions:box_qr", kwargs={"org_pk": cast.jiangyin_firm.pk}))
    assert qr["Content-Type"].startswith("image/svg+xml") and qr.content.startswith(b"<svg")
    client.post(reverse("suggestions:box_reset", kwargs={"org_pk": cast.jiangyin_firm.pk}))
    assert SuggestionBox.objects.get().token != the_box.token
    client.post(reverse("suggestions:box_toggle", kwargs={"org_pk": cast.jiangyin_firm.pk}))
    assert SuggestionBox.objects.get().is_open is False
    client.force_login(cast.users["lingdao"])  # a reader sees the box but cannot change it
    html = client.get(reverse("suggestions:box", kwargs={"org_pk": cast.jiangyin_firm.pk})).content.decode()
    assert "已暂停" in html and "重新生成链接" not in html
    assert client.post(reverse("suggestions:box_reset", kwargs={"org_pk": cast.jiangyin_firm.pk})).status_code == 403


def test_categories_are_kept_by_the_province(cast, client):
    client.force_login(cast.users["sheng"])
    response = client.post(
        reverse("suggestions:categories"), {"code": "culture", "name": "文化建设", "sort": 8, "is_active": "on"}
    )
    assert response.status_code == 302
    assert "文化建设" in client.get(reverse("suggestions:categories")).content.decode()
    client.force_login(cast.users["jiangyin"])
    assert client.post(reverse("suggestions:categories"), {"code": "x", "name": "x", "sort": 1}).status_code == 403
    edit = reverse("suggestions:category_edit", kwargs={"category_pk": category().pk})
    assert client.get(edit).status_code == 403


def test_the_list_is_paginated_in_constant_queries(cast, client, django_assert_max_num_queries):
    the_box = box(cast)
    for serial in range(35):
        from_phone(the_box, title=f"建议{serial}")
    EnterpriseFactory(parent=cast.zhutang, name="另一家企业", credit_code=make_credit_code(6100))
    client.force_login(cast.users["jiangyin"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("suggestions:list"))
    assert "第 1 / 2 页，共 35 条" in response.content.decode()

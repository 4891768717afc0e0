import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from changai.bulletins import services
from changai.bulletins.models import Article, Issue, Item, Series

from .conftest import SIGNED_ON, item_from, lead, signed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(name, **kwargs):
    return reverse(f"bulletins:{name}", kwargs=kwargs)


def as_user(client, cast, name):
    client.force_login(cast.users[name])
    return client


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def draft(cast, series):
    issue = services.create_issue(cast.users["sheng"], series, title="技能人才专题")
    lead(cast.users["sheng"], issue)
    return issue


# ---------------------------------------------------------------------------- the archive


def test_readers_see_signed_issues_and_only_the_office_sees_drafts(cast, series, draft, client):
    issue = signed(cast, series, title="项目化推进专题")
    as_user(client, cast, "lingdao")
    body = page(client.get(url("list")))
    assert "项目化推进专题" in body and "技能人才专题" not in body
    assert client.get(url("issue_detail", bulletin_pk=issue.pk)).status_code == 200
    assert client.get(url("issue_detail", bulletin_pk=draft.pk)).status_code == 404
    as_user(client, cast, "sheng")
    assert "技能人才专题" in page(client.get(url("list")))


def test_an_org_whose_item_was_published_finds_the_issue(cast, series, client):
    sheng = cast.users["sheng"]
    article = services.accept_item(sheng, item_from(cast, series, "jiangyin", title="江阴市津贴联动"))
    lead(sheng, article.issue)
    services.submit_for_review(sheng, article.issue)
    services.sign_off(sheng, article.issue, on=SIGNED_ON)
    signed(cast, series, title="另一期")
    as_user(client, cast, "wuxi")
    body = page(client.get(url("list")))
    assert "江阴市津贴联动" in body and "另一期" not in body
    as_user(client, cast, "gaoyou")
    assert client.get(url("issue_detail", bulletin_pk=article.issue_id)).status_code == 404


def test_the_archive_is_searched_by_text_series_year_and_source(cast, series, client):
    sheng = cast.users["sheng"]
    first = signed(cast, series, title="二〇二四年专题", on=SIGNED_ON)
    article = services.accept_item(sheng, item_from(cast, series, title="高邮市劳模宣讲进车间"))
    lead(sheng, article.issue)
    services.submit_for_review(sheng, article.issue)
    second = services.sign_off(sheng, article.issue, on=SIGNED_ON.replace(year=2025))
    as_user(client, cast, "lingdao")

    def found(**params):
        return list(client.get(url("list"), params).context["page_obj"].object_list)

    assert found(q="劳模 宣讲") == [second]
    assert found(q="不存在的词") == []
    assert found(year=2024) == [first]
    assert found(source="高邮") == [second]
    assert set(found(series=series.pk)) == {first, second}
    response = client.get(url("list"), {"year": 2025, "export": "xlsx"})
    assert response["Content-Type"] == XLSX
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][2] == "2025年第1期（总第39期）" and "高邮市总工会" in rows[1][7]


def test_the_archive_page_takes_a_constant_number_of_queries(cast, series, client, django_assert_max_num_queries):
    for _ in range(3):
        signed(cast, series)
    as_user(client, cast, "lingdao")
    with django_assert_max_num_queries(20):
        client.get(url("list"))
    for _ in range(3):
        signed(cast, series)
    with django_assert_max_num_queries(20):
        assert client.get(url("list")).status_code == 200


# ---------------------------------------------------------------------------- composing


def test_the_office_composes_an_issue_in_the_browser_forms(cast, series, figures, client):
    as_user(client, cast, "sheng")
    response = client.post(url("issue_create"), {"series": series.pk, "title": "六月专报"})
    issue = Issue.objects.get(title="六月专报")
    assert response["Location"] == url("issue_detail", bulletin_pk=issue.pk)
    create = url("article_create", bulletin_pk=issue.pk)
    client.post(f"{create}?kind=lead", {"title": "主文章", "author": "江阴市总工会", "body": "第一段\n第二段"})
    client.post(f"{create}?kind=info", {"title": "一条信息", "body": "正文", "source": "高邮市总工会"})
    data = {"title": "主要数据", "period": "2024Q2", "indicator_codes": ["bt_trained", "bt_homes"], "top_n": 3}
    client.post(f"{create}?kind=figures", data)
    assert list(issue.articles.values_list("kind", flat=True)) == ["lead", "info", "figures"]
    body = page(client.get(url("issue_detail", bulletin_pk=issue.pk)))
    assert "——江阴市总工会" in body and "（高邮市总工会）" in body
    assert "1,250人次" in body and "无锡市" in body  # live figures from the rollups


def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(cast, draft, client):
    as_user(client, cast, "sheng")
    create = url("article_create", bulletin_pk=draft.pk)
    response = client.post(f"{create}?kind=figures", {"title": "数据", "period": "2024Q2", "top_n": 3})
    assert response.status_code == 200 and "field-error" in page(response)
    response = client.post(f"{create}?kind=info", {"title": "无来源", "body": "正文"})
    assert "field-error" in page(response)
    assert draft.articles.count() == 1
    assert client.get(f"{create}?kind=nonsense").status_code == 404


def test_review_sign_off_and_the_stored_file(cast, draft, client):
    as_user(client, cast, "sheng")
    client.post(url("issue_review", bulletin_pk=draft.pk))
    response = client.post(url("issue_sign", bulletin_pk=draft.pk), {"issue_date": "2024-06-24"}, follow=True)
    draft.refresh_from_db()
    assert draft.number_label == "2024年第8期（总第38期）" and "已签发" in page(response)
    download = client.get(url("issue_docx", bulletin_pk=draft.pk))
    data = b"".join(download.streaming_content)
    assert data == draft.docx.open("rb").read()
    assert Document(io.BytesIO(data)).paragraphs[2].text == "2024年第8期（总第38期）"
    as_user(client, cast, "lingdao")
    assert client.get(url("issue_docx", bulletin_pk=draft.pk)).status_code == 200


def test_a_signed_issue_cannot_be_edited_through_the_pages(cast, series, client):
    issue = signed(cast, series)
    article = issue.articles.get()
    as_user(client, cast, "sheng")
    for response in (
        client.get(url("issue_edit", bulletin_pk=issue.pk), follow=True),
        client.post(
            url("article_edit", bulletin_pk=issue.pk, bulletin_article_pk=article.pk), {"title": "改"}, follow=True
        ),
        client.post(url("article_delete", bulletin_pk=issue.pk, bulletin_article_pk=article.pk), follow=True),
    ):
        assert "已冻结" in page(response)
    assert issue.articles.get().title == article.title


def test_readers_and_other_offices_may_not_act(cast, series, draft, client):
    services.submit_for_review(cast.users["sheng"], draft)
    as_user(client, cast, "lingdao")
    assert client.post(url("issue_sign", bulletin_pk=draft.pk)).status_code == 403
    assert client.get(url("issue_edit", bulletin_pk=draft.pk)).status_code == 403
    as_user(client, cast, "wuxi")  # an office, but not this series'
    assert client.post(url("issue_sign", bulletin_pk=draft.pk)).status_code == 404
    assert client.get(url("series_edit", bulletin_series_pk=series.pk)).status_code == 403
    draft.refresh_from_db()
    assert draft.number is None


def test_the_version_history_shows_what_changed(cast, draft, client):
    sheng = cast.users["sheng"]
    article = draft.articles.get()
    services.update_article(sheng, article, body="全年培训职工一万人次。")
    services.update_article(sheng, article, body="全年培训职工两万人次。")
    as_user(client, cast, "sheng")
    body = page(client.get(url("issue_versions", bulletin_pk=draft.pk)))
    assert "第3版 → 第4版" in body
    assert "<mark>一</mark>万人次" in body and "<mark>两</mark>万人次" in body  # only the changed characters
    response = client.get(url("issue_versions", bulletin_pk=draft.pk), {"a": 1, "b": 4})
    assert "第1版 → 第4版" in page(response)
    as_user(client, cast, "lingdao")
    assert client.get(url("issue_versions", bulletin_pk=draft.pk)).status_code == 403


def test_pdf_needs_libreoffice_and_says_so(cast, series, client, monkeypatch):
    issue = signed(cast, series)
    monkeypatch.setattr("changai.bulletins.render.soffice_binary", lambda: None)
    as_user(client, cast, "sheng")
    response = client.post(url("issue_pdf_make", bulletin_pk=issue.pk), follow=True)
    assert "未安装 LibreOffice" in page(response)
    assert client.get(url("issue_pdf", bulletin_pk=issue.pk)).status_code == 404


# ---------------------------------------------------------------------------- series


def test_offices_set_up_their_own_series_only(cast, client):
    as_user(client, cast, "jiangyin")
    data = {
        "org": cast.jiangyin.pk,
        "name": "江阴产改",
        "header": "江阴市产改 简报",
        "issuing_office": "江阴市产改办",
        "start_year": 2024,
        "issued_in_start_year": 0,
        "issued_before": 0,
        "accepts_items": "on",
    }
    assert client.post(url("series_create"), data).status_code == 302
    assert Series.objects.get(name="江阴产改").org == cast.jiangyin
    response = client.post(url("series_create"), {**data, "org": cast.province.pk})
    assert "field-error" in page(response)
    as_user(client, cast, "zhutang")
    assert client.get(url("series_create")).status_code == 403


# ---------------------------------------------------------------------------- items


def test_a_town_sends_an_item_with_an_attachment_and_the_office_accepts_it(cast, series, draft, client):
    as_user(client, cast, "zhutang")
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    data = {"org": cast.zhutang.pk, "series": series.pk, "title": "祝塘镇服务网络", "body": "建成三级网络。"}
    response = client.post(url("item_create"), {**data, "files": [photo]})
    item = Item.objects.get()
    assert response["Location"] == url("item_detail", bulletin_item_pk=item.pk)
    attachment = item.files.get()
    assert client.get(url("item_file", bulletin_item_pk=item.pk, bulletin_file_pk=attachment.pk)).status_code == 200

    as_user(client, cast, "sheng")
    assert "祝塘镇服务网络" in page(client.get(url("item_list"), {"tab": "incoming"}))
    response = client.post(
        url("item_accept", bulletin_item_pk=item.pk),
        {"issue": draft.pk, "title": "祝塘镇：三级网络服务职工", "body": "建成三级网络。", "source": "祝塘镇总工会"},
    )
    article = draft.articles.get(kind=Article.Kind.INFO)
    assert response["Location"].endswith(f"#article-{article.pk}")
    assert article.source_org == cast.zhutang and article.item == item

    as_user(client, cast, "zhutang")
    body = page(client.get(url("item_detail", bulletin_item_pk=item.pk)))
    assert "祝塘镇：三级网络服务职工" in body and "已采用" in body


def test_declining_needs_a_reason_on_the_form(cast, series, client):
    item = item_from(cast, series)
    as_user(client, cast, "sheng")
    response = client.post(url("item_decline", bulletin_item_pk=item.pk), {"reason": ""})
    assert "field-error" in page(response)
    client.post(url("item_decline", bulletin_item_pk=item.pk), {"reason": "内容与上期重复"})
    item.refresh_from_db()
    assert item.status == Item.Status.DECLINED


def test_others_cannot_decide_or_change_an_item(cast, series, client):
    item = item_from(cast, series)
    as_user(client, cast, "jiangyin")
    assert client.get(url("item_detail", bulletin_item_pk=item.pk)).status_code == 404
    as_user(client, cast, "zhutang")
    assert client.post(url("item_accept", bulletin_item_pk=item.pk)).status_code == 403
    as_user(client, cast, "wuxi")
    assert client.post(url("item_withdraw", bulletin_item_pk=item.pk)).status_code == 404
    as_user(client, cast, "sheng")
    assert client.post(url("item_withdraw", bulletin_item_pk=item.pk)).status_code == 403
    item.refresh_from_db()
    assert item.status == Item.Status.SUBMITTED


def test_the_item_list_exports_what_it_shows(cast, series, client):
    item_from(cast, series)
    item_from(cast, series, "zhutang", title="祝塘镇投稿")
    as_user(client, cast, "gaoyou")
    response = client.get(url("item_list"), {"export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert [row[3] for row in rows[1:]] == ["高邮市开展技能比武"]


def test_the_item_list_takes_a_constant_number_of_queries(cast, series, client, django_assert_max_num_queries):
    sheng = cast.users["sheng"]
    for index in range(3):
        services.accept_item(sheng, item_from(cast, series, title=f"投稿{index}"))
    as_user(client, cast, "sheng")
    with django_assert_max_num_queries(20):
        client.get(url("item_list"))
    for index in range(3):
        services.accept_item(sheng, item_from(cast, series, "zhutang", title=f"镇投稿{index}"))
    with django_assert_max_num_queries(20):
        assert client.get(url("item_list")).status_code == 200

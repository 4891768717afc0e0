"""Items sent up by lower levels: submission to an office above, acceptance (edited) into a draft, declining."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from changai.bulletins import services
from changai.bulletins.models import Article, Item, Series
from changai.core.models import Notification

from .conftest import item_from, lead


def pdf(name="原始材料.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 original report", content_type="application/pdf")


def test_a_county_sends_an_item_to_the_province_with_its_attachments(cast, series):
    item = services.submit_item(
        cast.users["gaoyou"], cast.gaoyou, series, title="高邮市开展技能比武", body="组织技能比武。", files=[pdf()]
    )
    assert item.status == Item.Status.SUBMITTED and item.org == cast.gaoyou
    assert item.source == "高邮市总工会"  # signed by its union unless the sender says otherwise
    assert [f.name for f in item.files.all()] == ["原始材料.pdf"]
    assert Notification.objects.filter(user=cast.users["sheng"], title__contains="新投稿").exists()
    assert not Notification.objects.filter(user=cast.users["lingdao"]).exists()  # the office, not the leader


def test_towns_and_industry_lines_send_items_up_too(cast, series):
    town = item_from(cast, series, "zhutang")
    line = item_from(cast, series, "shengqi", org=cast.line)
    assert (town.source, line.source) == ("祝塘镇总工会", "省部属企事业工会")


def test_items_go_only_to_a_series_of_an_office_above(cast, series):
    jiangyin_series = services.create_series(
        cast.users["jiangyin"], cast.jiangyin, name="江阴产改", header="江阴市产改 简报", issuing_office="江阴市产改办"
    )
    with pytest.raises(ValidationError):
        item_from(cast, jiangyin_series, "gaoyou")  # 高邮 is not below 江阴
    with pytest.raises(ValidationError):
        item_from(cast, jiangyin_series, "jiangyin")  # not to its own series
    assert item_from(cast, jiangyin_series, "zhutang").series == jiangyin_series
    Series.objects.filter(pk=series.pk).update(accepts_items=False)
    series.refresh_from_db()
    with pytest.raises(ValidationError):
        item_from(cast, series, "gaoyou")


def test_only_as_ones_own_org_and_with_the_right(cast, series):
    with pytest.raises(PermissionDenied):
        services.submit_item(cast.users["gaoyou"], cast.jiangyin, series, title="冒名", body="正文")
    with pytest.raises(PermissionDenied):
        services.submit_item(cast.users["qiye"], cast.jiangyin_firm, series, title="企业", body="正文")


def test_bad_attachments_and_empty_items_are_refused_and_nothing_is_kept(cast, series):
    fake = SimpleUploadedFile("照片.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="内容与扩展名不符"):
        services.submit_item(cast.users["gaoyou"], cast.gaoyou, series, title="标题", body="正文", files=[fake])
    with pytest.raises(ValidationError):
        services.submit_item(cast.users["gaoyou"], cast.gaoyou, series, title=" ", body="正文")
    assert not Item.objects.exists()


def test_the_office_accepts_an_edited_item_into_a_draft_keeping_its_link(cast, series):
    sheng = cast.users["sheng"]
    item = item_from(cast, series)
    issue = services.create_issue(sheng, series)
    article = services.accept_item(sheng, item, issue, title="高邮市：技能比武促提升", source="高邮市总工会")
    item.refresh_from_db()
    assert item.status == Item.Status.ACCEPTED and item.decided_by == sheng
    assert item.title == "高邮市开展技能比武"  # the original is kept as sent
    assert (article.kind, article.title, article.item, article.source_org) == (
        Article.Kind.INFO,
        "高邮市：技能比武促提升",
        item,
        cast.gaoyou,
    )
    assert item.article.issue == issue
    assert Notification.objects.filter(user=cast.users["gaoyou"], title__contains="投稿已采用").exists()
    assert issue.versions.filter(note__contains="采用投稿").exists()


def test_accepting_without_a_draft_starts_one(cast, series):
    article = services.accept_item(cast.users["sheng"], item_from(cast, series))
    assert article.issue.series == series and article.issue.status == "draft"


def test_an_item_taken_out_of_the_draft_waits_again(cast, series):
    sheng = cast.users["sheng"]
    item = item_from(cast, series)
    article = services.accept_item(sheng, item)
    services.remove_article(sheng, article)
    item.refresh_from_db()
    assert item.status == Item.Status.SUBMITTED and item.decided_by is None


def test_publication_is_told_to_the_submitting_org(cast, series):
    sheng = cast.users["sheng"]
    item = item_from(cast, series)
    article = services.accept_item(sheng, item)
    lead(sheng, article.issue)
    services.submit_for_review(sheng, article.issue)
    issue = services.sign_off(sheng, article.issue)
    assert item.events.filter(text__contains=issue.number_label).exists()
    assert Notification.objects.filter(user=cast.users["gaoyou"], title__contains="投稿已刊发").exists()


def test_only_the_series_office_decides(cast, series):
    item = item_from(cast, series)
    for other in ("wuxi", "gaoyou", "lingdao"):
        with pytest.raises(PermissionDenied):
            services.accept_item(cast.users[other], item)
        with pytest.raises(PermissionDenied):
            services.decline_item(cast.users[other], item, "不采用")


def test_declining_needs_a_reason_the_sender_sees(cast, series):
    sheng = cast.users["sheng"]
    item = item_from(cast, series)
    with pytest.raises(ValidationError):
        services.decline_item(sheng, item, " ")
    services.decline_item(sheng, item, "与上期内容重复")
    item.refresh_from_db()
    assert item.status == Item.Status.DECLINED and item.decline_reason == "与上期内容重复"
    with pytest.raises(ValidationError, match="不能再采用"):
        services.accept_item(sheng, item)


def test_the_sender_edits_or_withdraws_until_the_office_decides(cast, series):
    gaoyou = cast.users["gaoyou"]
    item = item_from(cast, series)
    services.update_item(gaoyou, item, title="高邮市技能比武", body="修改后的正文", source="")
    item.refresh_from_db()
    assert (item.title, item.source) == ("高邮市技能比武", "高邮市总工会")
    with pytest.raises(PermissionDenied):
        services.update_item(cast.users["jiangyin"], item, title="改", body="改")
    services.withdraw_item(gaoyou, item)
    with pytest.raises(ValidationError):
        services.update_item(gaoyou, item, title="再改", body="再改")
    accepted = item_from(cast, series, title="另一条")
    services.accept_item(cast.users["sheng"], accepted)
    with pytest.raises(ValidationError):
        services.withdraw_item(gaoyou, accepted)


def test_items_are_seen_by_the_sender_and_the_office_only(cast, series):
    item = item_from(cast, series)
    assert Item.objects.visible_to(cast.users["gaoyou"]).get() == item
    assert Item.objects.visible_to(cast.users["sheng"]).get() == item
    assert Item.objects.visible_to(cast.users["jiangyin"]).count() == 0
    assert Item.objects.visible_to(cast.users["renshe"]).count() == 0

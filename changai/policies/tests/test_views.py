from io import BytesIO
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from changai.accounts.roles import Role
from changai.accounts.tests.factories import member
from changai.core.models import Notification
from changai.orgs.tests.factories import EnterpriseFactory, make_credit_code
from changai.policies import services
from changai.policies.models import Policy, Receipt

from .factories import draft, pdf, published


def _detail(policy):
    return reverse("policies:detail", kwargs={"policy_pk": policy.pk})


def _receipts(policy):
    return reverse("policies:receipts", kwargs={"policy_pk": policy.pk})


def _form(**extra):
    data = {
        "issuer": "",
        "title": "关于开展“技能强企”行动的通知",
        "doc_number": "澄产改办〔2025〕8号",
        "effective_from": "2025-03-01",
        "body": "各镇、各企业工会：现将有关事项通知如下。",
        "target_kinds": ["enterprise"],
    }
    data.update(extra)
    return data


def test_it_drafts_through_the_form_with_several_attachments(cast, client):
    client.force_login(cast.users["jiangyin"])
    url = reverse("policies:create")
    html = client.get(url).content.decode()
    assert "江阴市" in html and "高邮市" not in html
    files = [pdf("通知.pdf"), SimpleUploadedFile("报名表.docx", b"PK\x03\x04 doc")]
    response = client.post(url, _form(issuer=cast.jiangyin.pk, attachments=files))
    policy = Policy.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(policy)
    assert policy.status == "draft" and policy.attachments.count() == 2
    html = client.get(_detail(policy)).content.decode()
    assert "按当前设置将送达 2 家单位" in html and 'data-action="publish"' in html
    assert reverse("policies:attachment", kwargs={"attachment_pk": policy.attachments.first().pk}) in html
    assert "/media/" not in html


def test_the_form_shows_attachment_and_target_errors_in_chinese(cast, client):
    client.force_login(cast.users["jiangyin"])
    url = reverse("policies:create")
    bad_file = client.post(url, _form(issuer=cast.jiangyin.pk, attachments=[SimpleUploadedFile("a.exe", b"MZ")]))
    assert "“a.exe”的类型不支持" in bad_file.content.decode()
    nobody = client.post(url, _form(issuer=cast.jiangyin.pk, target_kinds=[]))
    assert "请选择发送层级" in nobody.content.decode()
    outside = client.post(url, _form(issuer=cast.jiangyin.pk, listed=cast.gaoyou_firm.credit_code))
    assert "在您的管辖范围内找不到这些单位" in outside.content.decode()
    listed = client.post(
        url, _form(issuer=cast.jiangyin.pk, target_kinds=[], listed=f"祝塘镇\n{cast.line_firm.credit_code}")
    )
    assert listed.status_code == 302
    assert {org.name for org in Policy.objects.get().listed_orgs.all()} == {"祝塘镇", "江阴交控养护有限公司"}
    assert Policy.objects.count() == 1


def test_publishing_through_the_page_and_the_target_reading_it(cast, client):
    policy = draft(cast)
    client.force_login(cast.users["jiangyin"])
    response = client.post(reverse("policies:publish", kwargs={"policy_pk": policy.pk}), follow=True)
    assert "已发布，送达2家单位" in response.content.decode()
    client.force_login(cast.users["qiye"])
    notices = client.get(reverse("notifications")).content.decode()
    assert policy.title in notices and _detail(policy) in notices
    listing = client.get(reverse("policies:list"), {"box": "received"}).content.decode()
    assert policy.title in listing and "本单位未读" in listing
    html = client.get(_detail(policy)).content.decode()
    assert "一线职工给予补贴" in html and "江阴测试机械有限公司：已于" in html
    assert "阅读回执" not in html and "送达" not in html  # the receiving side does not see the distribution
    assert Receipt.objects.get(policy=policy, org=cast.jiangyin_firm).read_by == cast.users["qiye"]
    assert "本单位未读" not in client.get(reverse("policies:list")).content.decode()


def test_the_receipt_page_lists_the_unread_exports_and_reminds(cast, client):
    member("line-union", cast.line_firm, Role.ENTERPRISE_UNION)
    policy = published(cast)
    services.mark_read(cast.users["qiye"], policy)
    client.force_login(cast.users["jiangyin"])
    html = client.get(_receipts(policy)).content.decode()
    assert "50.0%" in html and "江阴交控养护有限公司" in html and "祝塘镇" in html  # the parent shown
    unread = client.get(_receipts(policy), {"state": "unread"}).content.decode()
    assert "江阴交控养护有限公司" in unread and "江阴测试机械有限公司" not in unread
    assert "提醒未读单位（1家）" in unread
    workbook = client.get(_receipts(policy), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(workbook.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("接收单位", "单位类型", "统一社会信用代码/代码", "上级单位", "阅读状态")
    assert {(row[0], row[4]) for row in rows[1:]} == {
        ("江阴测试机械有限公司", "已读"),
        ("江阴交控养护有限公司", "未读"),
    }
    Notification.objects.all().delete()
    response = client.post(reverse("policies:remind", kwargs={"policy_pk": policy.pk}), follow=True)
    assert "已向1家未阅单位的1名用户发送催阅提醒" in response.content.decode()
    assert Notification.objects.get().user.username == "line-union"


def test_the_receiving_side_may_not_see_receipts_or_remind(cast, client):
    policy = published(cast)
    client.force_login(cast.users["qiye"])
    assert client.get(_receipts(policy)).status_code == 403
    assert client.post(reverse("policies:remind", kwargs={"policy_pk": policy.pk})).status_code == 403
    client.force_login(cast.users["lingdao"])  # a reader above sees the receipts but cannot remind
    assert client.get(_receipts(policy)).status_code == 200
    assert client.post(reverse("policies:remind", kwargs={"policy_pk": policy.pk})).status_code == 403


def test_attachments_are_served_only_to_those_who_see_the_policy(cast, client):
    policy = draft(cast, attachments=[pdf()])
    url = reverse("policies:attachment", kwargs={"attachment_pk": policy.attachments.get().pk})
    client.force_login(cast.users["jiangyin"])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert quote("实施细则.pdf") in response["Content-Disposition"]
    client.force_login(cast.users["qiye"])
    assert client.get(url).status_code == 404  # not sent yet
    services.publish_policy(cast.users["jiangyin"], policy)
    assert client.get(url).status_code == 200
    client.force_login(cast.users["gaoyou"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_outsiders_get_404_on_every_policy_page(cast, client):
    policy = draft(cast, attachments=[pdf()])
    attachment = policy.attachments.get()
    client.force_login(cast.users["gaoyou"])
    for name in ("detail", "edit", "receipts"):
        assert client.get(reverse(f"policies:{name}", kwargs={"policy_pk": policy.pk})).status_code == 404, name
    for name in ("publish", "withdraw", "remind"):
        assert client.post(reverse(f"policies:{name}", kwargs={"policy_pk": policy.pk})).status_code == 404, name
    assert (
        client.post(reverse("policies:attachment_delete", kwargs={"attachment_pk": attachment.pk})).status_code == 404
    )
    assert Policy.objects.get().status == "draft" and policy.attachments.count() == 1


def test_editing_a_draft_and_removing_an_attachment(cast, client):
    policy = draft(cast, attachments=[pdf(), pdf("附表.pdf")])
    client.force_login(cast.users["jiangyin"])
    edit = reverse("policies:edit", kwargs={"policy_pk": policy.pk})
    html = client.get(edit).content.decode()
    assert "附表.pdf" in html and "关于支持产业工人技能提升的若干措施" in html
    response = client.post(edit, _form(issuer=cast.jiangyin.pk, title="新标题", attachments=[pdf("补充.pdf")]))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.title == "新标题" and policy.attachments.count() == 3
    doomed = policy.attachments.get(name="附表.pdf")
    client.post(reverse("policies:attachment_delete", kwargs={"attachment_pk": doomed.pk}))
    assert sorted(policy.attachments.values_list("name", flat=True)) == ["实施细则.pdf", "补充.pdf"]
    services.publish_policy(cast.users["jiangyin"], policy)
    assert client.get(edit).status_code == 403


def test_withdrawing_through_the_page(cast, client):
    policy = published(cast)
    client.force_login(cast.users["jiangyin"])
    url = reverse("policies:withdraw", kwargs={"policy_pk": policy.pk})
    assert "请填写撤回原因" in client.post(url, follow=True).content.decode()
    client.post(url, {"reason": "政策调整"})
    assert Policy.objects.get().status == "withdrawn"
    client.force_login(cast.users["qiye"])
    assert "该政策已于" in client.get(_detail(policy)).content.decode()


def test_the_list_is_paginated_in_constant_queries(cast, client, django_assert_max_num_queries):
    for serial in range(5):
        EnterpriseFactory(parent=cast.zhutang, name=f"批量企业{serial}", credit_code=make_credit_code(7000 + serial))
    for serial in range(32):
        published(cast, title=f"政策{serial}")
    client.force_login(cast.users["qiye"])
    with django_assert_max_num_queries(16):
        response = client.get(reverse("policies:list"))
    assert "第 1 / 2 页，共 32 条" in response.content.decode()
    client.force_login(cast.users["jiangyin"])
    with django_assert_max_num_queries(16):
        html = client.get(reverse("policies:list"), {"box": "issued"}).content.decode()
    assert "0 / 7" in html

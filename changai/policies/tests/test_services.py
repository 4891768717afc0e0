from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from changai.accounts.roles import Role
from changai.accounts.tests.factories import member
from changai.core.models import Notification
from changai.orgs.models import PilotLevel
from changai.pilots.tests.factories import apply, running
from changai.policies import services
from changai.policies.models import Policy, PolicyEvent, Receipt

from .factories import draft, pdf, published, receipt_orgs


def test_it_publishes_to_every_enterprise_below_the_issuer_and_no_further(cast):
    policy = published(cast)
    assert receipt_orgs(policy) == {"江阴测试机械有限公司", "江阴交控养护有限公司"}
    assert policy.status == "published" and policy.published_by == cast.users["jiangyin"]
    assert Receipt.objects.filter(policy=policy, read_at__isnull=True).count() == 2
    province = published(cast, user="sheng", issuer=cast.province, doc_number="")
    assert receipt_orgs(province) == {"江阴测试机械有限公司", "江阴交控养护有限公司", "高邮秘密液压有限公司"}


def test_it_targets_by_level(cast):
    towns = published(cast, user="sheng", issuer=cast.province, target_kinds=["town"])
    assert receipt_orgs(towns) == {"祝塘镇", "汤庄镇"}
    counties_and_cities = published(cast, user="sheng", issuer=cast.province, target_kinds=["county", "city"])
    assert receipt_orgs(counties_and_cities) == {"无锡市", "扬州市", "江阴市", "高邮市"}
    assert counties_and_cities.target_kinds == ["city", "county"]


def test_it_targets_pilots_marked_on_the_org_or_running_in_the_pilots_app(cast):
    running(cast)  # 江阴测试机械 is a running county pilot
    apply(cast, org=cast.line_firm, level=PilotLevel.TOWN)  # only applied: not a pilot yet
    cast.tangzhuang.pilot_level = PilotLevel.CITY
    cast.tangzhuang.save()
    all_pilots = published(cast, user="sheng", issuer=cast.province, target_kinds=[], pilots_only=True)
    assert receipt_orgs(all_pilots) == {"江阴测试机械有限公司", "汤庄镇"}
    pilot_firms = published(cast, user="sheng", issuer=cast.province, pilots_only=True)
    assert receipt_orgs(pilot_firms) == {"江阴测试机械有限公司"}


def test_it_sends_to_an_explicit_list_within_the_issuers_reach(cast):
    policy = published(cast, target_kinds=[], listed_orgs=[cast.line_firm, cast.zhutang])
    assert receipt_orgs(policy) == {"江阴交控养护有限公司", "祝塘镇"}
    both = published(cast, target_kinds=["town"], listed_orgs=[cast.line_firm, cast.zhutang])
    assert receipt_orgs(both) == {"江阴交控养护有限公司", "祝塘镇"}
    with pytest.raises(ValidationError) as refused:
        draft(cast, target_kinds=[], listed_orgs=[cast.gaoyou_firm])
    assert "高邮秘密液压有限公司" in str(refused.value) and "不在江阴市的管辖范围内" in str(refused.value)


def test_a_member_unit_sends_within_its_office_and_an_industry_line_to_its_members(cast):
    hrss = published(cast, user="sheng", issuer=cast.hrss, target_kinds=["county"])
    assert receipt_orgs(hrss) == {"江阴市", "高邮市"}
    line = published(cast, user="shengqi", issuer=cast.line)
    assert receipt_orgs(line) == {"江阴交控养护有限公司"}


def test_only_offices_in_scope_may_issue(cast):
    with pytest.raises(PermissionDenied):
        draft(cast, user="jiangyin", issuer=cast.gaoyou)
    with pytest.raises(PermissionDenied):
        draft(cast, user="jiangyin", issuer=cast.hrss)  # a member unit of the province, outside 江阴
    with pytest.raises(PermissionDenied):
        draft(cast, user="qiye", issuer=cast.jiangyin_firm)
    with pytest.raises(ValidationError):
        draft(cast, user="zhutang", issuer=cast.jiangyin_firm)  # an enterprise issues nothing
    with pytest.raises(ValidationError) as dates:
        draft(cast, effective_from=date(2025, 6, 1), effective_to=date(2025, 1, 1))
    assert "有效期至不能早于生效日期" in str(dates.value)


def test_publishing_notifies_the_users_of_the_target_orgs_only(cast):
    colleague = member("qiye2", cast.jiangyin_firm, Role.ENTERPRISE_UNION)
    policy = published(cast)
    titles = dict(Notification.objects.values_list("user__username", "title"))
    assert set(titles) == {"qiye", "qiye2"} and titles["qiye"] == f"新政策：{policy.title}"
    note = Notification.objects.get(user=colleague)
    assert note.link == f"/policies/{policy.pk}/" and "江阴市发布了" in note.body
    event = PolicyEvent.objects.get(policy=policy, action="published")
    assert event.comment == "送达2家单位，通知2人。"


def test_publishing_needs_targets_rights_and_a_draft(cast):
    empty = draft(cast, target_kinds=["city"])  # no city below a county
    with pytest.raises(ValidationError, match="没有找到接收单位"):
        services.publish_policy(cast.users["jiangyin"], empty)
    policy = draft(cast)
    for reader in ("lingdao", "qiye"):
        with pytest.raises(PermissionDenied):
            services.publish_policy(cast.users[reader], policy)
    services.publish_policy(cast.users["jiangyin"], policy)
    with pytest.raises(ValidationError, match="不能再发布"):
        services.publish_policy(cast.users["jiangyin"], policy)
    with pytest.raises(ValidationError, match="政策已不能修改"):
        services.update_policy(cast.users["jiangyin"], policy, title="改")
    assert Receipt.objects.filter(policy=policy).count() == 2


def test_the_first_read_marks_the_receipt_and_later_reads_do_not(cast):
    colleague = member("qiye2", cast.jiangyin_firm, Role.ENTERPRISE_UNION)
    policy = published(cast)
    assert services.mark_read(cast.users["jiangyin"], policy) == 0  # the publisher is not a target
    assert services.mark_read(cast.users["qiye"], policy) == 1
    receipt = Receipt.objects.get(policy=policy, org=cast.jiangyin_firm)
    first = receipt.read_at
    assert first is not None and receipt.read_by == cast.users["qiye"]
    assert services.mark_read(colleague, policy) == 0
    assert services.mark_read(cast.users["qiye"], policy) == 0
    receipt.refresh_from_db()
    assert (receipt.read_at, receipt.read_by) == (first, cast.users["qiye"])
    assert Receipt.objects.get(policy=policy, org=cast.line_firm).read_at is None


def test_a_draft_is_never_marked_read(cast):
    policy = draft(cast)
    assert services.mark_read(cast.users["qiye"], policy) == 0


def test_reminders_reach_the_unread_orgs_only_and_are_counted(cast):
    member("line-union", cast.line_firm, Role.ENTERPRISE_UNION)
    member("line-union2", cast.line_firm, Role.ENTERPRISE_UNION)
    policy = published(cast)
    services.mark_read(cast.users["qiye"], policy)
    Notification.objects.all().delete()
    assert services.remind_unread(cast.users["jiangyin"], policy) == (1, 2)
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"line-union", "line-union2"}
    assert Notification.objects.first().title == f"请阅读：{policy.title}"
    unread = Receipt.objects.get(policy=policy, org=cast.line_firm)
    assert unread.remind_count == 1 and unread.reminded_at is not None
    assert Receipt.objects.get(policy=policy, org=cast.jiangyin_firm).remind_count == 0
    assert PolicyEvent.objects.get(policy=policy, action="reminded").comment == "催阅1家未阅单位，通知2人。"
    with pytest.raises(PermissionDenied):
        services.remind_unread(cast.users["qiye"], policy)
    Receipt.objects.filter(policy=policy).update(read_at="2025-06-01T08:00:00+08:00")
    with pytest.raises(ValidationError, match="无需催阅"):
        services.remind_unread(cast.users["jiangyin"], policy)


def test_withdrawing_needs_a_reason_and_keeps_the_receipts(cast):
    policy = published(cast)
    with pytest.raises(ValidationError, match="撤回原因"):
        services.withdraw_policy(cast.users["jiangyin"], policy, reason=" ")
    policy = services.withdraw_policy(cast.users["jiangyin"], policy, reason="已被新文件替代")
    assert policy.status == "withdrawn" and policy.receipts.count() == 2
    assert services.mark_read(cast.users["qiye"], policy) == 0
    with pytest.raises(ValidationError, match="不能催阅"):
        services.remind_unread(cast.users["jiangyin"], policy)


def test_attachments_are_checked_for_type_size_and_content(cast):
    policy = draft(cast, attachments=[pdf(), SimpleUploadedFile("名单.xlsx", b"PK\x03\x04 sheet")])
    assert sorted(policy.attachments.values_list("name", flat=True)) == ["名单.xlsx", "实施细则.pdf"]
    assert policy.attachments.get(name="实施细则.pdf").file.name.startswith("policies/")
    cases = [
        (SimpleUploadedFile("setup.exe", b"MZ\x90\x00"), "“setup.exe”的类型不支持"),
        (SimpleUploadedFile("伪装.pdf", b"<html>"), "“伪装.pdf”的内容与扩展名不符"),
        (SimpleUploadedFile("大图.png", b"\x89PNG" + b"0" * (20 * 1024 * 1024)), "“大图.png”超过20 MB"),
    ]
    for upload, message in cases:
        with pytest.raises(ValidationError) as refused:
            services.add_attachments(cast.users["jiangyin"], policy, [upload])
        assert message in str(refused.value)
    assert policy.attachments.count() == 2
    services.remove_attachment(cast.users["jiangyin"], policy.attachments.get(name="名单.xlsx"))
    assert list(policy.attachments.values_list("name", flat=True)) == ["实施细则.pdf"]
    services.publish_policy(cast.users["jiangyin"], policy)
    with pytest.raises(ValidationError, match="政策已不能修改"):
        services.add_attachments(cast.users["jiangyin"], policy, [pdf("补充.pdf")])


def test_policies_are_visible_in_scope_and_to_their_targets(cast):
    jiangyin = published(cast)
    drafting = draft(cast, title="草稿中的措施")
    gaoyou = published(cast, user="gaoyou", issuer=cast.gaoyou)

    def visible(user):
        return set(Policy.objects.visible_to(cast.users[user]).values_list("pk", flat=True))

    assert visible("jiangyin") == {jiangyin.pk, drafting.pk}
    assert visible("qiye") == {jiangyin.pk}  # a target, never the draft
    assert visible("gaoyou") == {gaoyou.pk}
    assert visible("sheng") == {jiangyin.pk, drafting.pk, gaoyou.pk}
    assert visible("renshe") == set()

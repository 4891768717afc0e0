import random

from changai.accounts.roles import Role
from changai.accounts.tests.factories import member
from changai.orgs.models import Kind, UnitType
from changai.orgs.tests.factories import add_org
from changai.policies.demo import load_demo_policies
from changai.policies.models import Policy


def test_the_demo_policies_are_published_read_in_part_and_reload_idempotently(cast):
    add_org(
        cast.province,
        name="省人社厅",
        code="MU-320000-human_resources",
        kind=Kind.MEMBER_UNIT,
        unit_type=UnitType.HUMAN_RESOURCES,
    )
    member("admin", cast.province, Role.ADMIN)
    assert load_demo_policies(random.Random(2026)) == 5
    assert load_demo_policies(random.Random(2026)) == 0
    statuses = dict(Policy.objects.values_list("title", "status"))
    assert statuses["江阴市一线职工疗休养安排（征求意见稿）"] == "draft"
    county = Policy.objects.get(doc_number="苏产改办〔2025〕3号")
    assert set(county.receipts.values_list("org__name", flat=True)) == {"江阴市", "高邮市"}
    jiangyin = Policy.objects.get(doc_number="澄产改办〔2025〕5号")
    assert jiangyin.attachments.count() == 1 and jiangyin.receipts.count() == 2
    assert all(r.read_at >= jiangyin.published_at for r in jiangyin.receipts.exclude(read_at=None))

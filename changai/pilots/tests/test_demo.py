import random

from changai.orgs.tests.factories import EnterpriseFactory, add_org, make_credit_code
from changai.pilots.demo import load_demo_pilots
from changai.pilots.models import Pairing, PilotUnit


def test_the_demo_pilots_cover_every_stage_and_reload_idempotently(cast):
    for serial in range(4):
        EnterpriseFactory(
            parent=cast.zhutang, name=f"江阴演示企业{serial}", credit_code=make_credit_code(9500 + serial)
        )
        EnterpriseFactory(
            parent=cast.tangzhuang, name=f"高邮演示企业{serial}", credit_code=make_credit_code(9600 + serial)
        )
    add_org(cast.jiangyin, name="江阴高新技术产业开发区", code="P-320281-01", kind="park")
    add_org(cast.gaoyou, name="高邮经济开发区", code="P-321084-01", kind="park")
    assert load_demo_pilots(random.Random(2026)) == 8
    assert load_demo_pilots(random.Random(2026)) == 0
    assert set(PilotUnit.objects.values_list("status", flat=True)) == {s.value for s in PilotUnit.Status}
    named = PilotUnit.objects.get(status="demonstration")
    assert named.demonstration_title == "省级产改示范企业" and named.projects.count() == 2
    assert Pairing.objects.get().partners.count() == 3
    assert PilotUnit.objects.visible_to(cast.users["jiangyin"]).count() == 4

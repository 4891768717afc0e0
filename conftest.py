"""The fixed cast of test users and the small tree they live in, shared by every suite.

province 江苏省
├── 无锡市 ── 江阴市 ── 祝塘镇 ── 江阴测试机械有限公司 (enterprise union: qiye)
├── 扬州市 ── 高邮市 ── 汤庄镇 ── 高邮秘密液压有限公司  (outside every Jiangyin user's scope)
├── 省人力资源社会保障厅 (member unit: renshe)
└── 省部属企事业工会 (industry line: shengqi) ∋ 江阴交控养护有限公司 (in 江阴)
"""

from dataclasses import dataclass

import pytest

from changai.accounts.roles import Role
from changai.accounts.tests.factories import PASSWORD, member
from changai.orgs.models import Kind, Org, UnitType
from changai.orgs.services import join_line
from changai.orgs.tests.factories import EnterpriseFactory, add_org


@dataclass
class Cast:
    province: Org
    wuxi: Org
    jiangyin: Org
    zhutang: Org
    jiangyin_firm: Org
    line_firm: Org
    yangzhou: Org
    gaoyou: Org
    tangzhuang: Org
    gaoyou_firm: Org
    hrss: Org
    line: Org
    users: dict
    password: str = PASSWORD


@pytest.fixture
def cast(db) -> Cast:
    province = add_org(None, name="江苏省", code="320000", kind=Kind.PROVINCE)
    wuxi = add_org(province, name="无锡市", code="320200", kind=Kind.CITY)
    jiangyin = add_org(wuxi, name="江阴市", code="320281", kind=Kind.COUNTY)
    zhutang = add_org(jiangyin, name="祝塘镇", code="320281112", kind=Kind.TOWN)
    jiangyin_firm = EnterpriseFactory(parent=zhutang, name="江阴测试机械有限公司")
    line_firm = EnterpriseFactory(parent=zhutang, name="江阴交控养护有限公司")
    yangzhou = add_org(province, name="扬州市", code="321000", kind=Kind.CITY)
    gaoyou = add_org(yangzhou, name="高邮市", code="321084", kind=Kind.COUNTY)
    tangzhuang = add_org(gaoyou, name="汤庄镇", code="321084106", kind=Kind.TOWN)
    gaoyou_firm = EnterpriseFactory(parent=tangzhuang, name="高邮秘密液压有限公司")
    hrss = add_org(
        province,
        name="省人力资源社会保障厅",
        code="MU-320000-hr",
        kind=Kind.MEMBER_UNIT,
        unit_type=UnitType.HUMAN_RESOURCES,
    )
    line = add_org(province, name="省部属企事业工会", code="IL-1", kind=Kind.INDUSTRY_LINE)
    join_line(line, line_firm)
    users = {
        "sheng": member("sheng", province, Role.PROVINCE_OFFICE),
        "wuxi": member("wuxi", wuxi, Role.LOCAL_OFFICE),
        "jiangyin": member("jiangyin", jiangyin, Role.LOCAL_OFFICE),
        "gaoyou": member("gaoyou", gaoyou, Role.LOCAL_OFFICE),
        "zhutang": member("zhutang", zhutang, Role.TOWN),
        "qiye": member("qiye", jiangyin_firm, Role.ENTERPRISE_UNION),
        "renshe": member("renshe", hrss, Role.MEMBER_UNIT),
        "shengqi": member("shengqi", line, Role.INDUSTRY_LINE),
        "lingdao": member("lingdao", province, Role.LEADER),
    }
    return Cast(
        province=province,
        wuxi=wuxi,
        jiangyin=jiangyin,
        zhutang=zhutang,
        jiangyin_firm=jiangyin_firm,
        line_firm=line_firm,
        yangzhou=yangzhou,
        gaoyou=gaoyou,
        tangzhuang=tangzhuang,
        gaoyou_firm=gaoyou_firm,
        hrss=hrss,
        line=line,
        users=users,
    )


def refreshed(org: Org) -> Org:
    return Org.objects.get(pk=org.pk)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttles and other cached counters start empty in every test."""
    from django.core.cache import cache

    cache.clear()
    yield

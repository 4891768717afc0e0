import csv
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changai.orgs import services
from changai.orgs.models import Kind, Org, ParentHistory
from changai.orgs.tests.factories import make_credit_code

SHARED_DIVISIONS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "jiangsu_divisions.csv"


def test_it_creates_an_enterprise_in_scope_and_records_its_parent(cast):
    firm = services.create_org(
        cast.users["zhutang"],
        cast.zhutang,
        name="祝塘新建纺织有限公司",
        kind=Kind.ENTERPRISE,
        credit_code=make_credit_code(5001),
    )
    assert firm.parent_org == cast.zhutang
    assert ParentHistory.objects.get(org=firm).parent == cast.zhutang


def test_it_rejects_an_invalid_credit_code_in_chinese(cast):
    with pytest.raises(ValidationError) as error:
        services.create_org(
            cast.users["zhutang"],
            cast.zhutang,
            name="错误代码公司",
            kind=Kind.ENTERPRISE,
            credit_code="91320281MA00000001",
        )
    assert "统一社会信用代码" in str(error.value)
    assert not Org.objects.filter(name="错误代码公司").exists()


def test_it_requires_a_credit_code_for_enterprises(cast):
    with pytest.raises(ValidationError, match="必须填写统一社会信用代码"):
        services.create_org(cast.users["zhutang"], cast.zhutang, name="无码公司", kind=Kind.ENTERPRISE)


def test_it_refuses_a_duplicate_credit_code(cast):
    with pytest.raises(ValidationError):
        services.create_org(
            cast.users["zhutang"],
            cast.zhutang,
            name="重复公司",
            kind=Kind.ENTERPRISE,
            credit_code=cast.jiangyin_firm.credit_code,
        )


def test_it_refuses_to_create_outside_scope(cast):
    with pytest.raises(PermissionDenied):
        services.create_org(
            cast.users["jiangyin"],
            cast.tangzhuang,
            name="越界公司",
            kind=Kind.ENTERPRISE,
            credit_code=make_credit_code(5002),
        )


def test_it_refuses_a_kind_that_cannot_sit_under_the_parent(cast):
    with pytest.raises(ValidationError, match="下不能设立"):
        services.create_org(cast.users["sheng"], cast.zhutang, name="某市", kind=Kind.CITY)


def test_a_county_office_cannot_create_official_divisions(cast):
    with pytest.raises(PermissionDenied):
        services.create_org(cast.users["wuxi"], cast.wuxi, name="新区", code="320299", kind=Kind.COUNTY)


def test_moving_an_enterprise_keeps_its_history(cast):
    huashi = services.create_org(cast.users["jiangyin"], cast.jiangyin, name="华士镇", code="320281107", kind=Kind.TOWN)
    firm = services.move_org(cast.users["jiangyin"], cast.jiangyin_firm, huashi, on=date(2026, 7, 1))
    assert firm.parent_org == huashi
    history = list(ParentHistory.objects.filter(org=firm).order_by("valid_from"))
    assert [h.parent for h in history][-1] == huashi
    assert history[-1].valid_from == date(2026, 7, 1)
    assert Org.objects.get(pk=cast.zhutang.pk).numchild == 1


def test_it_refuses_to_move_into_another_county(cast):
    with pytest.raises(PermissionDenied):
        services.move_org(cast.users["jiangyin"], cast.jiangyin_firm, cast.tangzhuang)


def test_it_refuses_to_move_an_org_under_itself(cast):
    with pytest.raises(ValidationError):
        services.move_org(cast.users["sheng"], cast.jiangyin, cast.zhutang)


def test_a_town_office_cannot_move_its_own_town(cast):
    assert not services.can_move_org(cast.users["zhutang"], cast.zhutang, cast.jiangyin)


def test_update_closes_an_org_with_a_closing_date(cast):
    firm = services.update_org(cast.users["zhutang"], cast.jiangyin_firm, closed_on=date(2026, 6, 30))
    assert firm.is_active is False


def test_read_only_leader_cannot_edit(cast):
    with pytest.raises(PermissionDenied):
        services.update_org(cast.users["lingdao"], cast.jiangyin_firm, name="改名")


def test_joining_a_line_twice_is_refused(cast):
    with pytest.raises(ValidationError, match="已在"):
        services.join_line(cast.line, cast.line_firm)


def test_line_members_and_subtree_counts(cast):
    assert list(services.line_members(cast.line)) == [cast.line_firm]
    counts = services.subtree_counts([cast.jiangyin])[cast.jiangyin.pk]
    assert counts == {"towns": 1, "parks": 0, "enterprises": 2}


@pytest.mark.django_db
def test_load_divisions_holds_the_current_jiangsu_tree():
    assert services.load_divisions() == 109
    assert Org.objects.filter(kind=Kind.CITY).count() == 13
    assert Org.objects.filter(kind=Kind.COUNTY).count() == 95
    names = dict(Org.objects.filter(code__in=["320613", "320614", "320685"]).values_list("code", "name"))
    assert names == {"320613": "崇川区", "320614": "海门区", "320685": "海安市"}
    assert not Org.objects.filter(name__in=["港闸区", "海门市", "海安县"]).exists()
    assert services.load_divisions() == 0  # idempotent
    jiangyin = Org.objects.get(code="320281")
    assert jiangyin.parent_org.code == "320200"


def test_the_project_division_file_matches_the_official_list():
    if not SHARED_DIVISIONS.exists():
        pytest.skip("../shared/data/jiangsu_divisions.csv is not present")
    with open(SHARED_DIVISIONS, encoding="utf-8") as handle:
        official = {
            (r["code"], r["name"], r["level"], r["parent_code"]) for r in csv.DictReader(handle) if r["level"] != "town"
        }
    with open(services.DIVISIONS_FILE, encoding="utf-8") as handle:
        ours = {(r["code"], r["name"], r["kind"], r["parent_code"]) for r in csv.DictReader(handle)}
    assert ours == official

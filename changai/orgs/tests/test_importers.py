"""The enterprise directory and division importers, end to end through upload and commit."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from changai.accounts.tests.factories import UserFactory
from changai.core.import_services import commit, upload
from changai.core.imports import build_template, read_sheet
from changai.core.models import ImportBatch
from changai.orgs.importers import OUT_OF_SCOPE, UPPER_SKIPPED, EnterpriseImporter
from changai.orgs.models import Kind, Org, ParentHistory
from changai.orgs.services import load_divisions
from changai.orgs.tests.factories import add_org, make_credit_code

Status = ImportBatch.Status
SHARED_DIVISIONS = Path(__file__).resolve().parents[4] / "shared" / "data" / "jiangsu_divisions.csv"
ENTERPRISE_HEADER = [
    "企业名称",
    "统一社会信用代码",
    "所属乡镇/园区",
    "所有制",
    "行业门类",
    "企业规模",
    "职工人数",
    "是否建会",
    "联系电话",
]


def xlsx(rows, before=()) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in [*before, *rows]:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("企业名录.xlsx", buffer.getvalue())


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("区划.csv", text.encode("utf-8"))


def code(serial: int) -> str:
    return make_credit_code(900000 + serial)


def enterprise_rows():
    return [
        ENTERPRISE_HEADER,
        ["江阴澄星精工有限公司", code(1), "320281112", "民营", "制造业", "中型", "1,200", "是", 13812345678.0],
        ["江阴（祝塘）纺织有限公司 ", code(2).lower(), "祝塘镇", "外资", "C", "小型", "８０", "否", ""],
        ["江阴申港物流有限公司", code(3), 320281112.0, "", "交通运输、仓储和邮政业", "", "", "", ""],
    ]


def enterprises():
    return Org.objects.filter(kind=Kind.ENTERPRISE)


def assert_tree_is_sound():
    assert all(not problems for problems in Org.objects.find_problems())


@pytest.fixture
def jiangyin(cast):
    return cast.users["jiangyin"]


# ---------------------------------------------------------------------------- enterprises


def test_enterprise_template_offers_the_industry_list_and_reads_back():
    data = build_template(EnterpriseImporter)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["企业名录导入"]
    assert [cell.value for cell in sheet[1]][:3] == ["*企业名称", "*统一社会信用代码", "*所属乡镇/园区"]
    formulas = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert formulas["D2"] == '"国有,民营,外资,混合所有制,集体"'
    assert formulas["E2"] == "'选项'!$A$2:$A$21"
    assert workbook["选项"]["A3"].value == "采矿业"
    assert read_sheet(data, "模板.xlsx", EnterpriseImporter.columns).rows == []


def test_enterprise_preview_writes_nothing(cast, jiangyin):
    before = enterprises().count()
    batch = upload(jiangyin, "orgs.enterprises", xlsx(enterprise_rows(), before=[["江阴市企业名录"]]))
    assert batch.status == Status.READY, batch.errors
    assert batch.counts == {"created": 3, "updated": 0, "unchanged": 0}
    assert batch.preview[0]["row"] == 3
    assert batch.preview[1]["values"][:3] == ["江阴（祝塘）纺织有限公司", code(2), "祝塘镇"]
    assert enterprises().count() == before
    assert not ParentHistory.objects.exists()


def test_enterprise_commit_creates_under_the_town(cast, jiangyin):
    batch = commit(jiangyin, upload(jiangyin, "orgs.enterprises", xlsx(enterprise_rows())))
    assert batch.status == Status.COMMITTED, batch.errors
    assert batch.counts == {"created": 3, "updated": 0, "unchanged": 0}
    first = Org.objects.get(credit_code=code(1))
    assert Org.objects.get_parent(first) == cast.zhutang
    assert (first.ownership, first.industry, first.size, first.headcount, first.has_union, first.phone) == (
        "private",
        "C",
        "medium",
        1200,
        True,
        "13812345678",
    )
    second = Org.objects.get(credit_code=code(2))
    assert (second.name, second.ownership, second.headcount, second.has_union) == (
        "江阴（祝塘）纺织有限公司",
        "foreign",
        80,
        False,
    )
    assert Org.objects.get(credit_code=code(3)).industry == "G"
    assert Org.objects.get(pk=cast.zhutang.pk).numchild == 5
    assert ParentHistory.objects.filter(parent=cast.zhutang, recorded_by=jiangyin).count() == 3
    assert_tree_is_sound()


def test_enterprise_reimport_is_idempotent_and_updates_changed_rows(cast, jiangyin):
    commit(jiangyin, upload(jiangyin, "orgs.enterprises", xlsx(enterprise_rows())))
    again = commit(jiangyin, upload(jiangyin, "orgs.enterprises", xlsx(enterprise_rows())))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3}
    rows = enterprise_rows()
    rows[3][6] = 450
    changed = upload(jiangyin, "orgs.enterprises", xlsx(rows))
    assert changed.counts == {"created": 0, "updated": 1, "unchanged": 2}
    commit(jiangyin, changed)
    assert Org.objects.get(credit_code=code(3)).headcount == 450
    assert enterprises().filter(credit_code__in=[code(1), code(2), code(3)]).count() == 3


def test_bad_credit_code_is_reported_and_nothing_is_written(cast, jiangyin):
    rows = enterprise_rows()
    rows[2][1] = code(2)[:-1] + ("0" if code(2)[-1] != "0" else "1")
    before = enterprises().count()
    batch = upload(jiangyin, "orgs.enterprises", xlsx(rows))
    assert batch.status == Status.INVALID
    assert batch.errors == [
        {
            "row": 3,
            "column": "credit_code",
            "header": "统一社会信用代码",
            "message": "统一社会信用代码无效（校验位错误）",
        }
    ]
    with pytest.raises(ValidationError):
        commit(jiangyin, batch)
    assert enterprises().count() == before


def test_enterprise_in_a_town_outside_scope_is_rejected(cast, jiangyin):
    rows = [
        ENTERPRISE_HEADER,
        ["高邮某机械有限公司", code(4), "321084106"],
        ["高邮另一机械有限公司", code(5), "汤庄镇"],
        ["江阴无此镇企业", code(6), "无此镇"],
        ["冒用信用代码", cast.gaoyou_firm.credit_code, "祝塘镇"],
    ]
    batch = upload(jiangyin, "orgs.enterprises", xlsx(rows))
    assert [(e["row"], e["column"], e["message"]) for e in batch.errors] == [
        (2, "place", "不在您的管辖范围内"),
        (3, "place", "不在您的管辖范围内"),
        (4, "place", "没有名为“无此镇”的乡镇/园区"),
        (5, "credit_code", "该信用代码已登记在其他地区的企业"),
    ]


def test_every_problem_of_a_row_is_reported_at_once(cast, jiangyin):
    rows = [ENTERPRISE_HEADER, ["乙公司", "123", "汤庄镇", "", "", "", -1]]
    batch = upload(jiangyin, "orgs.enterprises", xlsx(rows))
    assert [(e["row"], e["header"], e["message"]) for e in batch.errors] == [
        (2, "职工人数", "不能小于0"),
        (2, "所属乡镇/园区", "不在您的管辖范围内"),
        (2, "统一社会信用代码", "统一社会信用代码应为18位（现为3位）"),
    ]


def test_ambiguous_town_name_asks_for_the_code(cast, jiangyin):
    add_org(cast.jiangyin, name="祝塘镇", code="320281999", kind=Kind.PARK)
    batch = upload(jiangyin, "orgs.enterprises", xlsx([ENTERPRISE_HEADER, ["某公司", code(7), "祝塘镇"]]))
    assert batch.errors[0]["message"] == "名称不唯一，请填写区划代码"


def test_commit_validates_again_and_writes_nothing_if_data_changed(cast, jiangyin):
    batch = upload(jiangyin, "orgs.enterprises", xlsx(enterprise_rows()))
    assert batch.status == Status.READY
    add_org(cast.tangzhuang, name="抢先登记的公司", kind=Kind.ENTERPRISE, credit_code=code(1))
    batch = commit(jiangyin, batch)
    assert batch.status == Status.INVALID
    assert batch.errors[0]["message"] == "该信用代码已登记在其他地区的企业"
    assert not Org.objects.filter(credit_code__in=[code(2), code(3)]).exists()


# ---------------------------------------------------------------------------- divisions

DIVISIONS_CSV = """code,name,level,parent_code
320000,江苏省,province,
320200,无锡市,city,320000
320281,江阴市,county,320200
320281112,祝塘镇,town,320281
320281001,澄江街道,town,320281
320281100,璜土镇,town,320281
320281400,江阴高新技术产业开发区,town_like,320281
321084106,汤庄镇,town,321084
321084001,高邮街道,town,321084
"""


def test_divisions_import_creates_towns_and_skips_rows_outside_scope(cast, jiangyin):
    batch = upload(jiangyin, "orgs.divisions", csv_file(DIVISIONS_CSV))
    assert batch.status == Status.READY, batch.errors
    assert batch.skip_reasons == {UPPER_SKIPPED: 3, OUT_OF_SCOPE: 2}
    assert batch.skipped == 5
    assert batch.counts == {"created": 3, "updated": 0, "unchanged": 1}
    batch = commit(jiangyin, batch)
    assert batch.status == Status.COMMITTED
    towns = Org.objects.filter(path__startswith=cast.jiangyin.path, kind=Kind.TOWN)
    assert set(towns.values_list("code", flat=True)) == {"320281112", "320281001", "320281100"}
    assert Org.objects.get(code="320281400").kind == Kind.PARK
    assert not Org.objects.filter(code="321084001").exists()
    assert_tree_is_sound()
    again = commit(jiangyin, upload(jiangyin, "orgs.divisions", csv_file(DIVISIONS_CSV)))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 4}


def test_divisions_with_chinese_headers_zones_and_their_towns(cast):
    user = cast.users["sheng"]
    rows = [
        ["代码", "名称", "级别", "上级代码"],
        [320271.0, "无锡测试功能区", "县级功能区", 320200.0],
        [320271001.0, "功能区测试街道", "乡镇/街道", 320271.0],
        ["320281112", "祝塘镇（更名）", "town", "320281"],
    ]
    batch = commit(user, upload(user, "orgs.divisions", xlsx(rows)))
    assert batch.status == Status.COMMITTED, batch.errors
    assert batch.counts == {"created": 2, "updated": 1, "unchanged": 0}
    zone = Org.objects.get(code="320271")
    assert (zone.kind, Org.objects.get_parent(zone)) == (Kind.PARK, cast.wuxi)
    street = Org.objects.get(code="320271001")
    assert (street.kind, Org.objects.get_parent(street)) == (Kind.TOWN, zone)
    assert Org.objects.get(pk=cast.zhutang.pk).name == "祝塘镇（更名）"
    assert_tree_is_sound()


def test_divisions_unknown_upper_codes_and_bad_rows_are_errors(cast, jiangyin):
    text = (
        "代码,名称,级别,上级代码\n320299,不存在区,county,320200\n3202811,短代码镇,town,320281\n320281120,孤镇,town,\n"
    )
    batch = upload(jiangyin, "orgs.divisions", csv_file(text))
    assert [(e["row"], e["column"], e["message"]) for e in batch.errors] == [
        (2, "code", "未知的县级以上区划代码"),
        (3, "code", "乡镇/街道的代码应为9位数字"),
        (4, "parent_code", "请填写上级代码"),
    ]


@pytest.mark.skipif(not SHARED_DIVISIONS.exists(), reason="shared reference data not present")
def test_official_division_list_imports_every_town(db):
    load_divisions()
    admin = UserFactory(username="importadmin", is_superuser=True, is_staff=True)
    upload_file = SimpleUploadedFile("jiangsu_divisions.csv", SHARED_DIVISIONS.read_bytes())
    batch = upload(admin, "orgs.divisions", upload_file)
    assert batch.status == Status.READY, batch.errors[:5]
    batch = commit(admin, batch)
    assert batch.status == Status.COMMITTED
    assert Org.objects.filter(kind=Kind.TOWN).count() == 1163
    assert batch.counts["created"] == 1163
    assert batch.skip_reasons == {UPPER_SKIPPED: 109}
    assert_tree_is_sound()

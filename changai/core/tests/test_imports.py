"""The import framework: cells, headers, files, template and error workbooks, upload and commit."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from changai.core import imports
from changai.core.import_services import commit, error_workbook, upload
from changai.core.imports import (
    CellError,
    Column,
    Importer,
    ImportFileError,
    build_template,
    parse_cell,
    read_sheet,
    register_importer,
)
from changai.core.models import ImportBatch, Job

LONG_CHOICES = [(f"v{i}", f"一个相当长的选项名称第{i}号") for i in range(20)]


class SampleImporter(Importer):
    key = "tests.sample"
    title = "测试导入"
    permission = "orgs.add_org"
    key_columns = ("code",)
    columns = [
        Column("name", "名称", required=True, max_length=12, help="单位全称"),
        Column("code", "代码", required=True, kind="code"),
        Column("count", "人数", kind="int", min_value=0),
        Column("amount", "金额", kind="decimal"),
        Column("day", "日期", kind="date"),
        Column("flag", "是否达标", kind="bool"),
        Column("colour", "颜色", kind="choice", choices=[("red", "红色"), ("blue", "蓝色")]),
        Column("grade", "等级", kind="choice", choices=LONG_CHOICES, width=30),
    ]
    writes: list = []

    def write(self, rows, context):
        type(self).writes.append([row["code"] for row in rows])
        return {"created": len(rows), "updated": 0, "unchanged": 0}


@pytest.fixture
def sample(db):
    register_importer(SampleImporter)
    SampleImporter.writes = []
    yield SampleImporter
    imports._IMPORTERS.pop(SampleImporter.key, None)


def column(kind, **extra):
    return Column("x", "列", kind=kind, **extra)


def xlsx(rows, *, before=(), merge=None, title="数据") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in [*before, *rows]:
        sheet.append(list(row))
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_file(name, data):
    return SimpleUploadedFile(name, data)


HEADER = ["名称", "代码", "人数"]


# ---------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("int", "１２０", 120),
        ("int", "1,200", 1200),
        ("int", "120.0", 120),
        ("int", 120.0, 120),
        ("int", " 35 ", 35),
        ("decimal", "1,234.50", Decimal("1234.50")),
        ("decimal", "１２．５", Decimal("12.5")),
        ("decimal", 0.1, Decimal("0.1")),
        ("code", 320281112.0, "320281112"),
        ("code", "320281112.0", "320281112"),
        ("code", "３２０２８１", "320281"),
        ("code", " 91320281ma1x2y3z4w ", "91320281MA1X2Y3Z4W"),
        ("text", 13812345678.0, "13812345678"),
        ("text", "江阴兴澄特种钢铁有限公司（集团） ", "江阴兴澄特种钢铁有限公司（集团）"),
        ("text", "\u3000祝塘镇\u3000", "祝塘镇"),
        ("bool", "是", True),
        ("bool", "否", False),
        ("bool", "Y", True),
        ("bool", "n", False),
        ("bool", 1.0, True),
        ("bool", "0", False),
        ("bool", "TRUE", True),
        ("bool", True, True),
        ("date", date(2024, 6, 24), date(2024, 6, 24)),
        ("date", datetime(2024, 6, 24, 0, 0), date(2024, 6, 24)),
        ("date", "2024-06-24", date(2024, 6, 24)),
        ("date", "2024/6/24", date(2024, 6, 24)),
        ("date", "2024年6月24日", date(2024, 6, 24)),
        ("date", "２０２４年６月２４日", date(2024, 6, 24)),
        ("date", "2024-06-24 00:00:00", date(2024, 6, 24)),
        ("date", "20240624", date(2024, 6, 24)),
        ("date", 45467.0, date(2024, 6, 24)),
    ],
)
def test_cells_are_normalised(kind, raw, expected):
    assert parse_cell(column(kind), raw) == expected


def test_empty_cells_are_none():
    for kind in imports.KINDS:
        assert parse_cell(column(kind, choices=[("a", "甲")]), "  ") is None
        assert parse_cell(column(kind, choices=[("a", "甲")]), None) is None


def test_choice_matches_label_or_value_and_either_bracket_width():
    col = column("choice", choices=[("county", "县（市、区）"), ("town", "乡镇/街道")])
    assert parse_cell(col, "县（市、区）") == "county"
    assert parse_cell(col, "县(市、区)") == "county"
    assert parse_cell(col, "TOWN") == "town"
    assert parse_cell(col, " 乡镇/街道 ") == "town"


@pytest.mark.parametrize(
    ("col", "raw", "message"),
    [
        (column("int"), "十二", "不是整数"),
        (column("int"), "12.5", "不能有小数"),
        (column("int", min_value=0), "-3", "不能小于0"),
        (column("decimal"), "abc", "不是数字"),
        (column("date"), "2024-13-45", "不是有效日期"),
        (column("bool"), "也许", "请填写“是”或“否”"),
        (column("choice", choices=[("red", "红色")]), "绿色", "不是可选值（可选：红色）"),
        (column("text", max_length=4), "五个字名称", "不能超过4个字符"),
        (column("code"), 9.13202811234567e17, "文本"),
        (column("code"), "9.13E+17", "科学计数法"),
    ],
)
def test_bad_cells_give_chinese_messages(col, raw, message):
    with pytest.raises(CellError) as excinfo:
        parse_cell(col, raw)
    assert message in str(excinfo.value)


# ---------------------------------------------------------------------------- reading files


def test_header_found_below_a_merged_title_row_with_markers_spaces_and_extra_columns():
    data = xlsx(
        [
            ["序号", " *名称 ", "代 码＊", "备注", "人数"],
            [1, "祝塘镇总工会  ", 320281112.0, "不导入", "１２０"],
            [None, None, None, None, None],
            [2, "汤庄镇总工会", "321084106", "", 35],
        ],
        before=[["2024年度企业名录（江阴市）"], ["填报单位：江阴市总工会"]],
        merge="A1:E1",
    )
    sheet = read_sheet(data, "名录.xlsx", SampleImporter.columns)
    assert sheet.header_row == 3
    assert [row.number for row in sheet.rows] == [4, 6]
    first = sheet.rows[0].cells
    assert first["name"] == "祝塘镇总工会  "
    assert first["code"] == 320281112.0
    assert "备注" not in first and "序号" not in first
    assert parse_cell(SampleImporter.column("count"), first["count"]) == 120


def test_merged_cells_in_the_data_area_apply_to_every_row_they_cover():
    data = xlsx([HEADER, ["甲", "A1", 10], [None, "A2", 20]], merge="A2:A3")
    sheet = read_sheet(data, "x.xlsx", SampleImporter.columns)
    assert [row.cells["name"] for row in sheet.rows] == ["甲", "甲"]


def test_missing_required_headers_are_named():
    data = xlsx([["名称", "人数"], ["甲", 1]])
    with pytest.raises(ImportFileError) as excinfo:
        read_sheet(data, "x.xlsx", SampleImporter.columns)
    assert "缺少必填列：代码" in str(excinfo.value)


def test_no_header_at_all_is_explained():
    with pytest.raises(ImportFileError) as excinfo:
        read_sheet(xlsx([["a", "b"], [1, 2]]), "x.xlsx", SampleImporter.columns)
    assert "没有找到表头" in str(excinfo.value)


def test_the_data_sheet_is_found_among_several():
    workbook = openpyxl.Workbook()
    workbook.active.append(["封面"])
    data_sheet = workbook.create_sheet("名录")
    data_sheet.append(HEADER)
    data_sheet.append(["甲", "A1", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = read_sheet(buffer.getvalue(), "x.xlsx", SampleImporter.columns)
    assert [row.cells["code"] for row in sheet.rows] == ["A1"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(encoding):
    text = "名称,代码,人数\r\n江阴（集团）有限公司,320281112,１２０\r\n,,\r\n汤庄,321084106,5\r\n"
    sheet = read_sheet(text.encode(encoding), "名录.csv", SampleImporter.columns)
    assert [row.number for row in sheet.rows] == [2, 4]
    assert sheet.rows[0].cells["name"] == "江阴（集团）有限公司"
    assert parse_cell(SampleImporter.column("count"), sheet.rows[0].cells["count"]) == 120


def test_unreadable_workbook_is_a_file_error():
    with pytest.raises(ImportFileError):
        read_sheet(b"not a spreadsheet", "x.xlsx", SampleImporter.columns)


# ---------------------------------------------------------------------------- workbooks to download


def test_template_has_marked_headers_comments_dropdowns_and_instructions():
    workbook = openpyxl.load_workbook(io.BytesIO(build_template(SampleImporter)))
    assert workbook.sheetnames[:2] == ["测试导入", "填写说明"]
    sheet = workbook["测试导入"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["*名称", "*代码", "人数"]
    assert sheet["A1"].fill.fgColor.rgb != sheet["C1"].fill.fgColor.rgb
    assert sheet["A1"].comment.text == "单位全称"
    assert sheet.column_dimensions["H"].width == 30
    formulas = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert formulas["F2"] == '"是,否"'
    assert formulas["G2"] == '"红色,蓝色"'
    assert formulas["H2"] == "'选项'!$A$2:$A$21"
    lists = workbook["选项"]
    assert lists.sheet_state == "hidden"
    assert lists["A2"].value == LONG_CHOICES[0][1]
    instructions = [[cell.value for cell in row] for row in workbook["填写说明"].iter_rows()]
    assert ["名称", "必填", "文本", None, "单位全称"] in instructions
    assert any(row[0] == "颜色" and row[3] == "红色、蓝色" for row in instructions)


def test_template_round_trips_through_the_reader():
    sheet = read_sheet(build_template(SampleImporter), "模板.xlsx", SampleImporter.columns)
    assert sheet.header_row == 1
    assert sheet.rows == []


# ---------------------------------------------------------------------------- upload, validate, commit


@pytest.fixture
def jiangyin_user(cast):
    return cast.users["jiangyin"]


def test_upload_validates_and_shows_a_preview_without_writing(sample, jiangyin_user, cast):
    data = xlsx([HEADER + ["日期", "是否达标", "颜色"], ["甲", "A1", "１２０", "2024年6月24日", "是", "蓝色"]])
    batch = upload(jiangyin_user, "tests.sample", upload_file("名录.xlsx", data))
    assert batch.status == ImportBatch.Status.READY
    assert batch.org == cast.jiangyin
    assert batch.total_rows == batch.valid_rows == 1
    assert batch.preview == [{"row": 2, "values": ["甲", "A1", "120", "", "2024-06-24", "是", "蓝色", ""]}]
    assert batch.validate_job.status == Job.Status.SUCCEEDED
    assert sample.writes == []


def test_errors_carry_row_column_and_message(sample, jiangyin_user):
    data = xlsx([HEADER, ["甲", "A1", "十"], ["乙", "A1", 3], ["", "A3", 4], ["丁", "A4", 5]])
    batch = upload(jiangyin_user, "tests.sample", upload_file("x.xlsx", data))
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.valid_rows == 1
    assert {(e["row"], e["header"], e["message"]) for e in batch.errors} == {
        (2, "人数", "“十”不是整数"),
        (3, "代码", "与第2行重复"),
        (4, "名称", "必填，不能为空"),
    }


def test_file_without_the_required_columns_is_invalid(sample, jiangyin_user):
    batch = upload(jiangyin_user, "tests.sample", upload_file("x.xlsx", xlsx([["名称"], ["甲"]])))
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors[0]["row"] is None
    assert "缺少必填列" in batch.errors[0]["message"]


def test_error_workbook_lists_bad_rows_with_red_cells_and_explanations(sample, jiangyin_user):
    data = xlsx([HEADER, ["甲", "A1", "十"], ["乙", "A2", 2], ["丙", "", -1]], before=[["标题"]])
    batch = upload(jiangyin_user, "tests.sample", upload_file("x.xlsx", data))
    workbook = openpyxl.load_workbook(io.BytesIO(error_workbook(batch)))
    sheet = workbook.active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["*名称", "*代码", "人数"] and rows[0][-1] == "错误说明"
    assert len(rows) == 3
    assert rows[1][:3] == ["甲", "A1", "十"]
    assert rows[1][-1] == "第3行 人数：“十”不是整数"
    assert rows[2][-1] == "第5行 代码：必填，不能为空\n第5行 人数：不能小于0"
    assert sheet["C2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["A2"].fill.fgColor.rgb != sheet["C2"].fill.fgColor.rgb
    assert sheet["B3"].fill.fgColor.rgb.endswith("FFC7CE")


def test_commit_writes_once_even_when_posted_twice(sample, jiangyin_user):
    batch = upload(jiangyin_user, "tests.sample", upload_file("x.xlsx", xlsx([HEADER, ["甲", "A1", 1]])))
    batch = commit(jiangyin_user, batch)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.counts == {"created": 1, "updated": 0, "unchanged": 0}
    with pytest.raises(ValidationError) as excinfo:
        commit(jiangyin_user, batch)
    assert excinfo.value.messages == ["该批次已提交或正在提交。"]
    assert sample.writes == [["A1"]]
    assert Job.objects.filter(kind="core.import_commit").count() == 1


def test_invalid_batch_cannot_be_committed(sample, jiangyin_user):
    batch = upload(jiangyin_user, "tests.sample", upload_file("x.xlsx", xlsx([HEADER, ["甲", "A1", "x"]])))
    with pytest.raises(ValidationError):
        commit(jiangyin_user, batch)
    assert sample.writes == []


def test_upload_refuses_wrong_type_large_files_and_users_without_the_permission(sample, cast, settings):
    user = cast.users["jiangyin"]
    with pytest.raises(ValidationError, match="只能导入"):
        upload(user, "tests.sample", upload_file("x.docx", b"abc"))
    settings.IMPORT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="文件过大"):
        upload(user, "tests.sample", upload_file("x.csv", b"a" * 11))
    with pytest.raises(PermissionDenied):
        upload(cast.users["lingdao"], "tests.sample", upload_file("x.csv", b"a"))
    assert not ImportBatch.objects.exists()


def test_batches_are_visible_to_their_uploader_and_within_scope(sample, cast):
    batch = upload(cast.users["jiangyin"], "tests.sample", upload_file("x.csv", "名称,代码\n甲,A\n".encode()))
    assert batch in ImportBatch.objects.visible_to(cast.users["wuxi"])
    assert batch not in ImportBatch.objects.visible_to(cast.users["gaoyou"])


# ---------------------------------------------------------------------------- pages


def test_pages_upload_preview_and_commit(sample, cast, client):
    client.force_login(cast.users["jiangyin"])
    assert client.get(reverse("imports:list")).status_code == 200
    page = client.get(reverse("imports:upload", kwargs={"importer_key": "tests.sample"}))
    assert "下载导入模板" in page.content.decode()
    template = client.get(reverse("imports:template", kwargs={"importer_key": "tests.sample"}))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.post(
        reverse("imports:upload", kwargs={"importer_key": "tests.sample"}),
        {"file": upload_file("x.xlsx", xlsx([HEADER, ["甲", "A1", 1]]))},
    )
    batch = ImportBatch.objects.get()
    assert response.url == reverse("imports:detail", kwargs={"batch_pk": batch.pk})
    detail = client.get(response.url).content.decode()
    assert "确认提交" in detail and "甲" in detail
    client.post(reverse("imports:commit", kwargs={"batch_pk": batch.pk}))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    again = client.post(reverse("imports:commit", kwargs={"batch_pk": batch.pk}), follow=True)
    assert "该批次已提交或正在提交" in again.content.decode()
    assert sample.writes == [["A1"]]


def test_pages_show_errors_and_offer_the_error_workbook(sample, cast, client):
    client.force_login(cast.users["jiangyin"])
    batch = upload(cast.users["jiangyin"], "tests.sample", upload_file("x.xlsx", xlsx([HEADER, ["甲", "A1", "x"]])))
    detail = client.get(reverse("imports:detail", kwargs={"batch_pk": batch.pk})).content.decode()
    assert "第2行" in detail and "下载错误清单" in detail
    response = client.get(reverse("imports:errors", kwargs={"batch_pk": batch.pk}))
    assert response.status_code == 200


def test_batches_outside_scope_are_404_and_importers_need_the_permission(sample, cast, client):
    batch = upload(cast.users["jiangyin"], "tests.sample", upload_file("x.xlsx", xlsx([HEADER, ["甲", "A1", 1]])))
    client.force_login(cast.users["gaoyou"])
    for name in ("detail", "errors"):
        assert client.get(reverse(f"imports:{name}", kwargs={"batch_pk": batch.pk})).status_code == 404
    assert client.post(reverse("imports:commit", kwargs={"batch_pk": batch.pk})).status_code == 404
    client.force_login(cast.users["lingdao"])
    assert client.get(reverse("imports:upload", kwargs={"importer_key": "tests.sample"})).status_code == 403
    assert client.get(reverse("imports:upload", kwargs={"importer_key": "no.such"})).status_code == 404


def test_detail_page_polls_the_running_job_and_reloads_when_it_ends(sample, cast, client):
    user = cast.users["jiangyin"]
    job = Job.objects.create(kind="core.import_validate", title="校验导入文件", org=cast.jiangyin, created_by=user)
    batch = ImportBatch.objects.create(
        importer_key="tests.sample",
        filename="x.xlsx",
        org=cast.jiangyin,
        created_by=user,
        status=ImportBatch.Status.VALIDATING,
        validate_job=job,
    )
    client.force_login(user)
    detail = client.get(reverse("imports:detail", kwargs={"batch_pk": batch.pk})).content.decode()
    poll_url = reverse("core:job_progress", kwargs={"job_pk": job.pk}) + "?refresh=1"
    assert f'hx-get="{poll_url}"' in detail and 'hx-trigger="every 1s"' in detail
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED)
    finished = client.get(poll_url, HTTP_HX_REQUEST="true").content.decode()
    assert "location.reload()" in finished and "hx-get" not in finished

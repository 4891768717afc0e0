"""Certificates, candidates and results from real-world sheets: messy cells, duplicates, nothing written early."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from changai.certificates import services
from changai.certificates.importers import candidates_key, parse_level, parse_route, results_key
from changai.certificates.models import Candidate, Certificate, Level, RatingBatch, Route
from changai.core.import_services import commit, upload
from changai.core.imports import build_template, get_importer
from changai.core.models import ImportBatch

from .factories import authorise, certificate, new_id_number, occupation, worker

pytestmark = pytest.mark.django_db
HEADER = [
    "序号",
    "姓名",
    "身份证号码",
    "职业（工种）",
    "职业编码",
    "技能等级",
    "证书编号",
    "评价方式",
    "取证日期",
    "有效期至",
    "发证单位",
]


def xlsx(rows, name="证书.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, name="证书.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("gb18030"))


def errors_of(batch) -> dict:
    found = {}
    for error in batch.errors:
        found.setdefault((error["row"], error["column"]), []).append(error["message"])
    return found


def x_worker(enterprise, name):
    """A worker whose identity number ends in X (so a sheet that stored it as a number drops the X)."""
    for _ in range(200):
        number = new_id_number()
        if number.endswith("X"):
            return worker(enterprise, name=name, id_number=number)
    raise AssertionError("no X number generated")


@pytest.fixture
def people(cast):
    authorise(cast.jiangyin_firm, "车工", Level.SENIOR, valid_from=date(2023, 1, 1))
    return {
        "wang": x_worker(cast.jiangyin_firm, "王小明"),
        "li": worker(cast.jiangyin_firm, name="李 娜"),
        "zhao": worker(cast.jiangyin_firm, name="赵强"),
        "sun": worker(cast.line_firm, name="孙丽"),
        "far": worker(cast.gaoyou_firm, name="远方"),
    }


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in text)


def test_parsing_levels_and_routes_as_people_write_them():
    assert parse_level("三级/高级工") == Level.SENIOR == parse_level("高级工（三级）") == parse_level("3级")
    assert parse_level("一级") == Level.SENIOR_TECHNICIAN and parse_level("技师") == Level.TECHNICIAN
    with pytest.raises(ValueError):
        parse_level("4")
    with pytest.raises(ValueError):
        parse_level("高级工/技师")
    assert parse_route("企业自评") == Route.SELF_RATING and parse_route("职业技能鉴定") == Route.LEGACY
    assert parse_route(" 社会 评价 ") == Route.SOCIAL
    with pytest.raises(ValueError):
        parse_route("其他")


def test_a_messy_certificate_sheet_is_checked_row_by_row_and_written_only_on_commit(cast, people):
    wang, li, zhao, sun, far = (people[k] for k in ("wang", "li", "zhao", "sun", "far"))
    existing = certificate(zhao, Level.INTERMEDIATE, number="S0001", issued_on=date(2020, 5, 1))
    in_use = certificate(li, Level.JUNIOR, "电工", number="S0009", issued_on=date(2018, 5, 1))
    rows = [
        ["2024年度职工技能等级证书登记表"],  # 1 a title row above the header
        [None],
        HEADER,  # 3
        # 4 the X dropped (the number kept as digits), an Excel date serial
        [1, "王小明", wang.full_id_number[:17], "车工", "", "三级", "ZP2024-001", "企业自主评价", 45444, "", ""],
        # 5 full-width digits in the number, a dotted date, a grade written as 高级工（三级）
        [
            2,
            "李娜",
            full_width(li.full_id_number),
            "",
            "6-18-01-01",
            "高级工（三级）",
            "s0101",
            "社会评价",
            "2024.6.1",
            "2027年6月1日",
            "某评价机构",
        ],  # fmt: skip
        # 6 the same certificate already in the database: unchanged
        [3, "赵强", zhao.full_id_number, "车工", "", "中级工", "S0001", "社会评价", "2020-05-01", "", ""],
        # 7 the same number as row 5 within the sheet
        [4, "赵强", zhao.full_id_number, "车工", "", "技师", "s0101", "竞赛晋级", "2024年6月1日", "", ""],
        # 8 an identity number the spreadsheet turned into 3.2E+17; an unknown route
        [5, "王小明", 3.20281199001011e17, "车工", "", "高级工", "Q1", "其他", "2024-06-01", "", ""],
        # 9 self-rated above the authorised maximum
        [6, "赵强", zhao.full_id_number, "车工", "", "技师", "ZP2024-002", "企业自评", datetime(2024, 6, 1), "", ""],
        # 10 a worker of another enterprise in the importer's scope: fine; 11 one outside the scope: unknown
        [7, "孙丽", sun.full_id_number, "焊工", "", "初级工", "S0102", "原职业资格", "2019/3/1", "", ""],
        [8, "远方", far.full_id_number, "车工", "", "高级工", "S0103", "社会评价", "2024-06-01", "", ""],
        # 12 the name does not match the ledger and the date does not exist
        [9, "王大明", wang.full_id_number, "车工", "", "高级工", "S0105", "社会评价", "2024-13-01", "", ""],
        # 13 an occupation not in the catalogue and a level no one can read
        [10, "李娜", li.full_id_number, "造火箭", "", "很高", "S0104", "社会评价", "2024-06-01", "", ""],
        # 14 a number the database holds for another certificate
        [11, "赵强", zhao.full_id_number, "车工", "", "高级工", "S0009", "社会评价", "2024-06-01", "", ""],
    ]
    batch = upload(cast.users["jiangyin"], "certificates.certificates", xlsx(rows))
    assert batch.status == ImportBatch.Status.INVALID
    found = errors_of(batch)
    assert set(found) == {
        (7, "number"),
        (8, "id_number"),
        (8, "route"),
        (9, "level"),
        (11, "id_number"),
        (12, "name"),
        (12, "issued_on"),
        (13, "occupation_name"),
        (13, "level"),
        (14, "number"),
    }
    assert found[(7, "number")] == ["与第5行重复"]
    assert len(found[(8, "id_number")]) == 1 and "末几位" in found[(8, "id_number")][0]
    assert found[(9, "level")] == ["江阴测试机械有限公司“车工”自主评价备案最高等级为高级工，不能评定技师。"]
    assert "职工台账中没有该身份证号的职工" in found[(11, "id_number")][0]
    assert "台账为“王小明”" in found[(12, "name")][0]
    assert "已登记给另一张证书" in found[(14, "number")][0]
    assert batch.total_rows == 11
    assert set(Certificate.objects.all()) == {existing, in_use}

    # Corrected sheet (the bad rows dropped): validated, then written only on commit.
    good = rows[:6] + [rows[9]]
    batch = upload(cast.users["jiangyin"], "certificates.certificates", xlsx(good))
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert batch.counts == {"created": 3, "updated": 0, "unchanged": 1}
    assert Certificate.objects.count() == 2
    batch = commit(cast.users["jiangyin"], batch)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors
    assert batch.counts == {"created": 3, "updated": 0, "unchanged": 1}
    self_rated = Certificate.objects.get(number="ZP2024-001")
    assert self_rated.worker == wang and self_rated.issued_on == date(2024, 6, 1)
    assert self_rated.route == Route.SELF_RATING and self_rated.rating_enterprise == cast.jiangyin_firm
    social = Certificate.objects.get(number="S0101")
    assert social.worker == li and social.level == Level.SENIOR and social.expires_on == date(2027, 6, 1)
    assert social.occupation == occupation("车工") and social.issuer == "某评价机构"
    assert Certificate.objects.get(number="S0102").employer == cast.line_firm
    # The same sheet again changes nothing.
    again = upload(cast.users["jiangyin"], "certificates.certificates", xlsx(good))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 4}


def test_an_enterprise_imports_only_its_own_workers(cast, people):
    rows = [
        HEADER,
        [1, "李娜", people["li"].full_id_number, "车工", "", "高级工", "S0201", "社会评价", "2024-06-01", "", ""],
        [2, "孙丽", people["sun"].full_id_number, "焊工", "", "初级工", "S0202", "社会评价", "2024-06-01", "", ""],
    ]
    batch = upload(cast.users["qiye"], "certificates.certificates", csv_file(rows))
    assert set(errors_of(batch)) == {(3, "id_number")}


def test_the_template_lists_the_columns(cast):
    book = openpyxl.load_workbook(io.BytesIO(build_template(get_importer("certificates.certificates"))))
    headers = [cell.value for cell in book.worksheets[0][1]]
    assert headers == [
        "*身份证号",
        "*姓名",
        "职业编码",
        "职业名称",
        "*等级",
        "*证书编号",
        "*评价途径",
        "*发证日期",
        "有效期至",
        "发证机构",
    ]


def _batch(cast, people):
    return services.create_batch(
        cast.users["qiye"], cast.jiangyin_firm, title="2024年车工评价", assessed_on=date(2024, 6, 1)
    )


def test_candidates_and_results_come_from_sheets(cast, people):
    batch = _batch(cast, people)
    wang, li, sun = people["wang"], people["li"], people["sun"]
    rows = [
        ["考生名单"],
        ["姓名", "身份证号", "职业名称", "申报等级", "证书编号"],
        ["王小明", str(wang.full_id_number), "车工", "高级工", ""],
        ["李娜", li.full_id_number, "车工", "三级", "ZZ-1"],
        ["李娜", li.full_id_number, "车工", "三级", ""],
        ["孙丽", sun.full_id_number, "车工", "三级", ""],
    ]
    key = candidates_key(batch)
    imported = upload(cast.users["qiye"], key, xlsx(rows))
    assert set(errors_of(imported)) == {(5, "id_number"), (6, "id_number")}
    assert errors_of(imported)[(5, "id_number")] == ["与第4行重复"]
    assert not batch.candidates.exists()
    imported = commit(cast.users["qiye"], upload(cast.users["qiye"], key, xlsx(rows[:4])))
    assert imported.status == ImportBatch.Status.COMMITTED, imported.errors
    assert imported.counts["created"] == 2
    assert batch.candidates.get(worker=li).certificate_number == "ZZ-1"

    scores = [
        ["身份证号", "姓名", "理论成绩", "实操成绩", "结果"],
        [wang.full_id_number, "王小明", 88, 92.5, ""],
        [li.full_id_number, "李娜", 58, 90, "合格"],
        [sun.full_id_number, "孙丽", 70, 70, ""],
        [wang.full_id_number, "王小明", 101, 50, "优秀"],
    ]
    key = results_key(batch)
    imported = upload(cast.users["qiye"], key, xlsx(scores))
    assert set(errors_of(imported)) == {(4, "id_number"), (5, "id_number"), (5, "theory"), (5, "result")}
    imported = commit(cast.users["qiye"], upload(cast.users["qiye"], key, xlsx(scores[:3])))
    assert imported.status == ImportBatch.Status.COMMITTED, imported.errors
    results = {c.worker_id: (c.theory_score, c.result) for c in batch.candidates.all()}
    assert results == {
        wang.pk: (Decimal("88.0"), Candidate.Result.PASSED),
        li.pk: (Decimal("58.0"), Candidate.Result.PASSED),  # the result column overrides the pass mark
    }
    batch.refresh_from_db()
    assert batch.status == RatingBatch.Status.ASSESSED


def test_batch_sheets_are_refused_outside_the_users_reach(cast, people):
    batch = _batch(cast, people)
    rows = [["姓名", "身份证号", "职业名称", "申报等级"], ["李娜", people["li"].full_id_number, "车工", "三级"]]
    imported = upload(cast.users["gaoyou"], candidates_key(batch), xlsx(rows))
    assert imported.status == ImportBatch.Status.INVALID
    assert imported.errors[0]["message"] == "您无权向该评价批次导入数据。"
    missing = upload(cast.users["gaoyou"], "ratingbatch-candidates:987654", xlsx(rows))
    assert missing.errors[0]["message"] == "您无权向该评价批次导入数据。"

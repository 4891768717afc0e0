import io
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from changai.core import import_services
from changai.core.models import ImportBatch
from changai.workers.idgen import make_id_number
from changai.workers.models import Employment, Occupation, Worker
from changai.workers.services import find_worker_by_id_number
from changai.workers.tests.factories import worker_at

HEADER = [
    "序号",
    "职工姓名",
    "身份证号码",
    "性别",
    "手机号码",
    "文化程度",
    "政治面貌",
    "工种",
    "是否一线职工",
    "入职时间",
    "岗位序列",
    "岗位等级",
]
ZHANG = make_id_number("320281", date(1988, 3, 9), 11)
LI = make_id_number("320282", date(1990, 7, 1), 22)
SUN = make_id_number("321084", date(1979, 1, 5), 33)
ZHOU = make_id_number("321084", date(1985, 5, 5), 44)
WU = make_id_number("320281", date(1992, 2, 2), 55)


def _with_x() -> str:
    for sequence in range(1000):
        number = make_id_number("320583", date(1995, 8, 8), sequence)
        if number.endswith("X"):
            return number
    raise AssertionError


WANG_X = _with_x()
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def sheet(rows, *, title=True) -> SimpleUploadedFile:
    workbook = Workbook()
    ws = workbook.active
    if title:
        ws.append(["江阴测试机械有限公司职工花名册（2024年6月）"])
        ws.merge_cells("A1:L1")
        ws.append([])
    ws.append(HEADER)
    for number, row in enumerate(rows, start=1):
        ws.append([number, *row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("花名册.xlsx", buffer.getvalue())


def messy_rows():
    return [
        # 4: a clean row with a real date cell
        ["张三", ZHANG, "男", "139 1234 5678", "本科", "党员", "车工", "是", datetime(2020, 3, 1), "技能序列", "三级"],
        # 5: full-width digits, a phone stored as a number, an Excel serial date
        ["李四", LI.translate(FULL_WIDTH), "女", 13812345678, "中专", "群众", "焊工", "否", 43831, "技能", ""],
        # 6: the X dropped by a system that kept numbers, a text date with dots
        ["王五", WANG_X[:17], "", "", "大专", "", "6-18-01-02", "是", "2024.6.1", "", ""],
        # 7: the number Excel showed as 3.2E+17
        ["赵六", 3.20281198803e17, "", "", "", "", "车工", "是", "2021-01-01", "", ""],
        # 8: the same person as row 4, typed differently
        ["钱七", ZHANG.lower()[:6] + " " + ZHANG[6:], "", "", "", "", "", "", "", "", ""],
        # 9: already on this enterprise's ledger: an update, with a Chinese date
        ["孙八", SUN, "", "13700000000", "高中", "", "", "", "2019年6月1日", "", "五级"],
        # 10: employed at an enterprise outside the user's scope
        ["周九", ZHOU, "", "", "", "", "", "", "", "", ""],
        # 11: an impossible date and a short phone
        ["吴十", WU, "", "1391234", "", "", "", "", "2024-02-30", "", ""],
        # 12: an occupation not in the catalogue, an unknown education
        ["郑一", make_id_number("320281", date(1980, 1, 1), 66), "", "", "幼儿园", "", "飞行员", "", "", "", ""],
    ]


@pytest.fixture
def ledger(cast):
    worker_at(cast.jiangyin_firm, "孙八", number=SUN, phone="")
    worker_at(cast.gaoyou_firm, "周九", number=ZHOU)
    return cast


def upload(user, file, org=None):
    return import_services.upload(user, "workers.workers", file, org=org)


def errors_by_row(batch):
    found = {}
    for error in batch.errors:
        found.setdefault(error["row"], []).append((error["header"], error["message"]))
    return found


def test_a_messy_sheet_is_reported_by_row_and_column_and_nothing_is_written(ledger):
    before = Worker.objects.count()
    batch = upload(ledger.users["qiye"], sheet(messy_rows()))
    assert batch.status == ImportBatch.Status.INVALID
    errors = errors_by_row(batch)
    assert set(errors) == {7, 8, 10, 11, 12}, errors
    assert errors[7] == [("身份证号", "数字位数过多，表格软件已把末几位变成0；请把该列设为“文本”格式后重新填写")]
    assert errors[8] == [("身份证号", "与第4行重复")]
    assert errors[10] == [("身份证号", "该职工目前在其他单位在职，需原单位办理离职后才能登记")]
    assert ("入职日期", "“2024-02-30”不是有效日期，请按 2024-06-24 或 2024年6月24日 填写") in errors[11]
    assert ("手机号", "手机号应为11位（现有7位）") in errors[11]
    assert any(header == "学历" for header, _ in errors[12])
    assert ("职业（工种）", "职业目录中没有“飞行员”，请填写目录中的名称或职业编码") in errors[12]
    assert Worker.objects.count() == before


def test_the_good_rows_commit_with_everything_cleaned(ledger):
    rows = [row for index, row in enumerate(messy_rows(), start=4) if index in (4, 5, 6, 9)]
    user = ledger.users["qiye"]
    batch = upload(user, sheet(rows))
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert batch.counts == {"created": 3, "updated": 1, "unchanged": 0}
    assert Worker.objects.filter(name="张三").count() == 0  # nothing before the commit
    batch = import_services.commit(user, batch)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors
    zhang = find_worker_by_id_number(ZHANG)
    assert (zhang.name, zhang.gender, zhang.birth_date) == ("张三", "M", date(1988, 3, 9))
    assert (zhang.hired_on, zhang.education, zhang.political_status) == (date(2020, 3, 1), "bachelor", "party")
    assert zhang.occupation.name == "车工" and zhang.frontline and zhang.grade == "三级"
    assert zhang.phone_masked == "139****5678"
    assert zhang.id_masked == ZHANG[:3] + "*" * 11 + ZHANG[-4:]
    li = find_worker_by_id_number(LI)
    assert (li.hired_on, li.frontline, li.occupation.name, li.gender) == (date(2020, 1, 1), False, "焊工", "F")
    wang = find_worker_by_id_number(WANG_X)
    assert wang.id_masked.endswith("X") and wang.hired_on == date(2024, 6, 1)
    assert wang.occupation.code == "6-18-01-02"
    sun = find_worker_by_id_number(SUN)
    assert (sun.education, sun.grade, sun.hired_on, sun.phone_masked) == (
        "senior",
        "五级",
        date(2019, 6, 1),
        "137****0000",
    )
    assert sun.employments.get().hired_on == date(2019, 6, 1)
    for worker in (zhang, li, wang):
        job = worker.employments.get()
        assert job.enterprise == ledger.jiangyin_firm and job.left_on is None
        assert job.occupation_id == worker.occupation_id


def test_a_reimport_of_the_same_sheet_changes_nothing(ledger):
    user = ledger.users["qiye"]
    rows = messy_rows()[:2]
    import_services.commit(user, upload(user, sheet(rows)))
    batch = upload(user, sheet(rows, title=False))
    assert batch.counts == {"created": 0, "updated": 2, "unchanged": 0}
    batch = import_services.commit(user, batch)
    assert batch.counts == {"created": 0, "updated": 0, "unchanged": 2}
    assert Employment.objects.filter(worker__name__in=["张三", "李四"]).count() == 2


def test_a_number_on_the_ledger_under_another_name_is_refused(ledger):
    row = ["孙九", SUN, "", "", "", "", "", "", "", "", ""]
    batch = upload(ledger.users["qiye"], sheet([row]))
    assert errors_by_row(batch)[4] == [("姓名", "该身份证号已登记为“孙八”，与本行姓名不一致，请核对号码或姓名")]


def test_a_worker_who_left_is_rehired_keeping_one_worker(ledger):
    from changai.workers import services

    sun = find_worker_by_id_number(SUN)
    services.leave_worker(sun, date(2023, 12, 31))
    user = ledger.users["qiye"]
    early = ["孙八", SUN, "", "", "", "", "车工", "", "2023-06-01", "", ""]
    assert errors_by_row(upload(user, sheet([early])))[4] == [
        ("入职日期", "该职工上一份工作的离职日期是2023-12-31，入职日期应晚于该日期")
    ]
    row = ["孙八", SUN, "", "", "", "", "车工", "", "2024-03-01", "", ""]
    batch = import_services.commit(user, upload(user, sheet([row])))
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors
    sun.refresh_from_db()
    assert sun.enterprise == ledger.jiangyin_firm
    assert list(sun.employments.values_list("hired_on", "left_on")) == [
        (date(2020, 3, 1), date(2023, 12, 31)),
        (date(2024, 3, 1), None),
    ]


def test_a_group_moves_a_worker_between_its_members_only_with_a_date(ledger):
    head, member_firm = ledger.jiangyin_firm, ledger.line_firm
    member_firm.group = head
    member_firm.save()
    mover = worker_at(member_firm, "冯二", hired_on=date(2018, 1, 1))
    user = ledger.users["qiye"]
    row = ["冯二", find_worker_number(mover), "", "", "", "", "", "", "", "", ""]
    batch = upload(user, sheet([row]))
    assert errors_by_row(batch)[4] == [
        ("调入日期", "该职工目前在“江阴交控养护有限公司”在职；如需调入本企业，请填写调入日期")
    ]
    batch = import_services.commit(user, upload(user, sheet_with_moves([[*row, "", "2024-05-01"]]), org=head))
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors
    mover.refresh_from_db()
    assert mover.enterprise == head
    assert list(mover.employments.order_by("hired_on").values_list("enterprise_id", "left_on", "ended_by")) == [
        (member_firm.pk, date(2024, 4, 30), "moved"),
        (head.pk, None, ""),
    ]


def find_worker_number(worker):
    from changai.workers import pii

    return pii.decrypt(worker.id_cipher)


def sheet_with_moves(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    ws = workbook.active
    ws.append([*HEADER, "所在企业", "调入日期"])
    for number, row in enumerate(rows, start=1):
        ws.append([number, *row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("调动.xlsx", buffer.getvalue())


def test_rows_for_an_enterprise_outside_the_import_are_refused(ledger):
    row = ["张三", ZHANG, "", "", "", "", "", "", "", "", "", ledger.gaoyou_firm.name, ""]
    batch = upload(ledger.users["qiye"], sheet_with_moves([row]))
    assert "没有找到企业" in errors_by_row(batch)[2][0][1]


def test_the_occupation_catalogue_imports_from_the_reference_format(cast):
    csv_text = (
        "code,name,level,parent_code\n"
        "6,生产制造及有关人员,major,\n"
        "6-18,机械制造基础加工人员,middle,6\n"
        "6-18-01,机械冷加工人员,minor,6-18\n"
        "6-18-01-01,车工,occupation,6-18-01\n"
        "6-99-00-00,测试新职业,occupation,6-99-00\n"
    )
    user = cast.users["sheng"]
    file = SimpleUploadedFile("occupations.csv", csv_text.encode())
    batch = import_services.upload(user, "workers.occupations", file, org=cast.province)
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert batch.counts == {"created": 1, "updated": 0, "unchanged": 1}  # 车工 is in the shipped list
    assert batch.skipped == 3
    import_services.commit(user, batch)
    assert Occupation.objects.get(code="6-99-00-00").category == "生产制造及有关人员"  # no middle group given
    assert Occupation.objects.get(code="6-18-01-01").category == "机械制造基础加工人员"


def test_an_enterprise_union_cannot_import_the_catalogue(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_services.upload(cast.users["qiye"], "workers.occupations", SimpleUploadedFile("o.csv", b"code\n"))

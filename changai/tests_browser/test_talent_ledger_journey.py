"""Issue 6 end to end: an enterprise imports its workers and a certificate batch, then computes, approves and
exports the month's allowance roster for payroll."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from changai.allowances.engine import month_of
from changai.allowances.models import Roster
from changai.allowances.tests.factories import policy
from changai.certificates.models import Certificate
from changai.workers.idgen import make_id_number
from changai.workers.models import FullNumberView, Occupation, Worker

from .conftest import login

pytestmark = pytest.mark.browser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WANG = make_id_number("320281", date(1985, 4, 12), 31)
ZHAO = make_id_number("320281", date(1992, 9, 3), 42)
QIAN = make_id_number("320282", date(1996, 1, 20), 53)


def _workbook(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import(page, start_link: str, name: str, sheet: bytes):
    page.get_by_role("link", name=start_link).first.click()
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": XLSX, "buffer": sheet}])
    page.get_by_role("button", name="上传并校验").click()
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("main")).to_contain_text("导入完成")


def test_an_enterprise_imports_its_people_and_certificates_then_pays_the_roster(page, live_server, live_cast):
    Occupation.objects.get_or_create(code="6-18-01-01", defaults={"name": "车工"})
    Occupation.objects.get_or_create(code="6-18-02-04", defaults={"name": "焊工"})
    firm = live_cast.jiangyin_firm
    policy(firm, effective_from=date(2024, 1, 1))  # 300 / 500 / 800 a month for 高级工 / 技师 / 高级技师
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "qiye", live_cast.password)

    page.goto("/workers/")
    _import(
        page,
        "批量导入",
        "花名册.xlsx",
        _workbook(
            [
                ["职工花名册（2024年）"],
                ["姓名", "身份证号码", "手机号码", "工种", "入职时间"],
                ["王师傅", WANG, "13912340001", "车工", "2010.3.1"],
                ["赵工", ZHAO, "13912340002", "焊工", "2016年7月1日"],
                ["钱徒弟", QIAN, "", "车工", 44000],
            ]
        ),
    )
    assert Worker.objects.filter(enterprise=firm).count() == 3

    page.goto("/certificates/")
    _import(
        page,
        "批量导入证书",
        "证书.xlsx",
        _workbook(
            [
                ["2024年技能等级证书登记表"],
                ["姓名", "身份证号", "职业名称", "等级", "证书编号", "评价途径", "发证日期"],
                ["王师傅", WANG, "车工", "技师（二级）", "JS2024-0001", "社会评价", "2024年3月1日"],
                ["赵工", ZHAO, "焊工", "高级工", "GJ2024-0002", "社会评价", "2024.3.1"],
                ["钱徒弟", QIAN, "车工", "中级工", "ZJ2024-0003", "社会评价", "2024-03-01"],
            ]
        ),
    )
    assert Certificate.objects.filter(worker__enterprise=firm).count() == 3

    month = month_of(date.today().replace(day=1)).previous()
    page.goto("/allowances/rosters/new/")
    page.get_by_label("编制单位").select_option(str(firm.pk))
    page.get_by_label("月份").fill(month.code)
    page.get_by_role("button", name="计算花名册").click()
    expect(page.locator("#paid-count")).to_have_text("2")
    # 500 (技师) + 300 (高级工) a month, and the one-off rewards for the levels reached since the policy began:
    # 王 1,000 + 5,000, 赵 1,000.
    expect(page.locator("#total-amount")).to_have_text("7800.00")
    expect(page.locator("#line-table")).to_contain_text("王师傅")

    page.locator("#approve").click()
    page.wait_for_selector("text=已审批并锁定")
    assert Roster.objects.get().is_locked
    with page.expect_download() as download:
        page.locator("#export-link").click()
    assert download.value.suggested_filename.endswith(f"{month.code}.xlsx")
    with open(download.value.path(), "rb") as exported:  # the saved download has no extension for openpyxl
        workbook = load_workbook(io.BytesIO(exported.read()), read_only=True)
    cells = [str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "王师傅" in cells and "赵工" in cells
    # The union may see full numbers (payroll needs them), and the export is logged as such.
    assert WANG in cells
    assert FullNumberView.objects.filter(user__username="qiye", channel="export").exists()

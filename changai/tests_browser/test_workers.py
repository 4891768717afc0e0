"""An enterprise imports its worker roster from a messy sheet, fixes it, commits, and reveals one full number."""

import io
from datetime import date

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from changai.workers.idgen import make_id_number
from changai.workers.models import FullNumberView, Occupation, Worker

from .conftest import login

pytestmark = pytest.mark.browser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZHANG = make_id_number("320281", date(1988, 3, 9), 11)
LI = make_id_number("320282", date(1990, 7, 1), 22)


def _roster(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2024年职工花名册"])
    sheet.append(["姓名", "身份证号码", "手机号码", "工种", "入职时间"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(page, sheet: bytes):
    page.goto("/workers/")
    page.locator("main a.btn", has_text="批量导入").click()
    page.set_input_files("#id_file", files=[{"name": "花名册.xlsx", "mimeType": XLSX, "buffer": sheet}])
    page.get_by_role("button", name="上传并校验").click()


def test_an_enterprise_imports_its_roster_and_reveals_one_number(page, live_server, live_cast):
    # Transactional tests flush what migrations seed: the occupations the sheet names.
    Occupation.objects.get_or_create(code="6-18-01-01", defaults={"name": "车工"})
    Occupation.objects.get_or_create(code="6-18-02-04", defaults={"name": "焊工"})
    login(page, live_server, "qiye", live_cast.password)
    _upload(page, _roster([["张三", ZHANG, "13912345678", "车工", "2020.3.1"], ["李四", 3.2e17, "", "焊工", 43831]]))
    error_row = page.locator("table tr", has_text="第4行")
    expect(error_row).to_contain_text("身份证号")
    expect(page.get_by_role("button", name="确认提交")).to_have_count(0)
    assert Worker.objects.count() == 0

    _upload(page, _roster([["张三", ZHANG, "13912345678", "车工", "2020.3.1"], ["李四", LI, "", "焊工", 43831]]))
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("main")).to_contain_text("导入完成")
    assert Worker.objects.count() == 2

    page.goto("/workers/")
    table = page.locator("#worker-table")
    expect(table).to_contain_text("李四")
    expect(table).to_contain_text(ZHANG[:3] + "*" * 11 + ZHANG[-4:])
    expect(page.locator("main")).not_to_contain_text(ZHANG)
    page.get_by_role("link", name="张三").click()
    expect(page.locator("#timeline")).to_contain_text("入职")
    page.get_by_role("button", name="显示完整号码").click()
    expect(page.locator("#id-number")).to_have_text(ZHANG)
    expect(page.locator("#phone")).to_have_text("13912345678")
    assert FullNumberView.objects.filter(worker__name="张三", channel="page").count() == 1

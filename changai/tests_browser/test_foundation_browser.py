"""End-to-end checks of the foundation in headless chromium: login, the org tree, search, scope, lock-out,
forced password change and the enterprise import preview."""

import io
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from changai.accounts.models import Membership
from changai.accounts.roles import Role
from changai.accounts.tests.factories import UserFactory
from changai.orgs.tests.factories import make_credit_code

from .conftest import login

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_login_form_lands_on_home_page_with_own_county(page, live_server, live_cast):
    login(page, live_server, "jiangyin", live_cast.password)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("main")).to_contain_text("江阴市")


def test_tree_expands_down_to_the_enterprise_and_shows_nothing_outside_scope(page, live_server, live_cast):
    login(page, live_server, "jiangyin", live_cast.password)
    page.goto("/orgs/")
    tree = page.locator("#org-tree")

    tree.get_by_role("button", name="展开 江阴市").click()
    tree.get_by_role("button", name="展开 祝塘镇").click()

    expect(tree.get_by_role("link", name="江阴测试机械有限公司")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("高邮")


def test_search_finds_the_enterprise_and_opens_its_detail_page(page, live_server, live_cast):
    login(page, live_server, "jiangyin", live_cast.password)
    page.goto("/orgs/search/")

    page.get_by_role("searchbox", name="搜索组织").fill("测试机械")
    page.get_by_role("button", name="搜索").click()
    page.locator("#search-results").get_by_role("link", name="江阴测试机械有限公司").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("江阴测试机械有限公司")
    expect(page.locator("main")).to_contain_text(live_cast.jiangyin_firm.credit_code)


def test_an_enterprise_outside_scope_is_a_404_and_never_found(page, live_server, live_cast):
    login(page, live_server, "jiangyin", live_cast.password)

    response = page.goto(f"/orgs/{live_cast.gaoyou_firm.pk}/")

    assert response.status == 404
    expect(page.locator("main")).to_contain_text("页面不存在")
    expect(page.locator("body")).not_to_contain_text("高邮秘密液压")

    page.goto("/orgs/search/?q=高邮")
    expect(page.locator("#search-results")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("没有找到")


def test_five_wrong_passwords_lock_the_account(page, live_server, live_cast):
    for _ in range(5):
        login(page, live_server, "jiangyin", "wrong-Password-1")

    login(page, live_server, "jiangyin", live_cast.password)

    expect(page.locator("#locked-out")).to_contain_text("锁定")
    page.goto("/orgs/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_initial_password_must_be_changed_before_anything_else(page, live_server, live_cast):
    newcomer = UserFactory(username="xinren", must_change_password=True)
    Membership.objects.create(user=newcomer, org=live_cast.jiangyin, role=Role.LOCAL_OFFICE)

    login(page, live_server, "xinren", live_cast.password)
    expect(page).to_have_url(f"{live_server.url}/accounts/password/")
    page.goto("/orgs/")
    expect(page).to_have_url(f"{live_server.url}/accounts/password/")

    page.get_by_label("原密码").fill(live_cast.password)
    page.get_by_label("新密码", exact=True).fill("Newpass#2026")
    page.get_by_label("确认新密码").fill("Newpass#2026")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.locator("main")).to_contain_text("密码已修改")

    page.goto("/orgs/")
    expect(page).to_have_url(f"{live_server.url}/orgs/")
    expect(page.locator("#org-tree")).to_contain_text("江阴市")


def _enterprise_sheet(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["江阴市企业名录（2026年）"])
    sheet.append(["企业名称", "统一社会信用代码", "所属乡镇/园区", "职工人数"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_enterprise_import_with_a_bad_credit_code_shows_the_row_and_writes_nothing(page, live_server, live_cast):
    sheet = _enterprise_sheet(
        [
            ["江阴导入测试一号有限公司", make_credit_code(900001), "祝塘镇", 80],  # row 3
            ["江阴导入测试坏码有限公司", "91320281MA00000001", "祝塘镇", 50],  # row 4: wrong check digit
            ["江阴导入测试二号有限公司", make_credit_code(900002), "320281112", 200],  # row 5
        ]
    )
    login(page, live_server, "jiangyin", live_cast.password)
    page.goto("/orgs/")
    page.get_by_role("link", name="导入企业").click()

    page.set_input_files("#id_file", files=[{"name": "企业名录.xlsx", "mimeType": XLSX, "buffer": sheet}])
    page.get_by_role("button", name="上传并校验").click()

    expect(page.locator("main .alert-danger")).to_contain_text("未写入任何数据")
    error_row = page.locator("table tr", has_text="第4行")
    expect(error_row).to_contain_text("统一社会信用代码")
    expect(error_row).to_contain_text("校验位")
    expect(page.locator("main")).to_contain_text("江阴导入测试一号有限公司")  # the preview of the valid rows
    expect(page.get_by_role("button", name="确认提交")).to_have_count(0)

    page.goto("/orgs/search/?q=导入测试")
    expect(page.locator("#search-results")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("没有找到")

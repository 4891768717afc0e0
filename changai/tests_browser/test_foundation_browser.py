"""End-to-end checks of the foundation in headless chromium: login, the org tree, search, scope, lock-out,
forced password change and the enterprise import preview."""

import re

import pytest
from playwright.sync_api import expect

from changai.accounts.models import Membership
from changai.accounts.roles import Role
from changai.accounts.tests.factories import UserFactory

from .conftest import login

pytestmark = pytest.mark.browser


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

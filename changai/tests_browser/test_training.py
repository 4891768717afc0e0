"""An enterprise union runs an in-house class end to end: course, class, sessions, roster, attendance,
completion and the roster workbook; then records a frontline worker's promotion into management."""

import pytest

from changai.training.models import Enrolment
from changai.training.tests.factories import worker
from changai.workers.models import Sequence, Worker

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_union_runs_a_class_and_records_a_promotion(page, live_server, live_cast):
    keen = worker(live_cast.jiangyin_firm, "张勤学", grade="技能二级")
    worker(live_cast.jiangyin_firm, "张缺课")
    login(page, live_server, "qiye", live_cast.password)

    page.goto("/training/courses/new/")
    page.get_by_label("课程名称").fill("数控车工技能提升")
    page.get_by_label("课程学时").fill("6")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("link", name="开班").click()
    page.get_by_label("班级名称").fill("2025年第一期数控车工班")
    page.get_by_label("开班日期").fill("2025-03-03")
    page.get_by_label("结业日期").fill("2025-03-04")
    page.get_by_label("限额人数").fill("10")
    page.get_by_role("button", name="保存").click()
    for day in ("2025-03-03", "2025-03-04"):
        page.get_by_label("上课日期").fill(day)
        page.get_by_label("学时", exact=True).fill("3")
        page.get_by_role("button", name="添加课次").click()

    page.get_by_role("link", name="报名学员").click()
    page.get_by_placeholder("职工姓名或身份证号").fill("张")
    page.get_by_role("button", name="查找").click()
    page.get_by_label("全选").check()
    page.get_by_role("button", name="为所选职工报名").click()
    assert "已报名2人" in page.locator("body").inner_text()

    for number in ("1", "2"):
        page.locator("#sessions a", has_text="登记出勤").nth(int(number) - 1).click()
        page.get_by_label("张勤学").check()
        page.get_by_role("button", name="保存出勤").click()
    page.get_by_label("结业日期").fill("2025-03-04")
    page.get_by_role("button", name="为全部学时达标的学员办理结业").click()
    body = page.locator("body").inner_text()
    assert "已为1名学员办理结业" in body and "张缺课1人参训学时未达到结业要求" in body
    assert page.locator("#person-times").inner_text() == "2"
    assert Enrolment.objects.get(worker=keen).completed
    with page.expect_download() as download:
        page.locator("#export-link").click()
    assert download.value.suggested_filename.endswith("学员名册.xlsx")

    page.goto("/careers/moves/new/")
    page.get_by_placeholder("职工姓名或身份证号").fill("张勤学")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="张勤学").click()
    page.get_by_label("新岗位序列").select_option("management")
    page.get_by_label("新岗位等级").fill("班组长")
    page.get_by_label("生效日期").fill("2025-06-01")
    page.get_by_label("批准机构").fill("公司人力资源部")
    page.get_by_role("button", name="登记并更新台账").click()
    assert "记为一线职工晋升管理岗位" in page.locator("body").inner_text()
    assert Worker.objects.get(pk=keen.pk).sequence == Sequence.MANAGEMENT

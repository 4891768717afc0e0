import io
from datetime import date
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changai.accounts.roles import Role
from changai.accounts.tests.factories import member
from changai.orgs.models import Org
from changai.worklists import services
from changai.worklists.models import ItemEvent, Plan, PlanItem, Progress, SupervisionNotice
from changai.worklists.tests.factories import plan_with_item

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def on(day):
    return mock.patch("changai.worklists.services.today", return_value=day)


@pytest.fixture(autouse=True)
def early_2024():
    """Items of 2024 plans are judged in mid-January unless a test moves the clock."""
    with on(date(2024, 1, 15)):
        yield


def url(name, **kwargs):
    return reverse(f"worklists:{name}", kwargs=kwargs)


def pdf(name="第一季度进展.pdf", size=0):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * size, content_type="application/pdf")


def login(client, cast, name):
    client.force_login(cast.users[name])
    return client


def page(response) -> str:
    return response.content.decode()


def workbook(response):
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


# ---------------------------------------------------------------------------- the whole round


def test_an_office_plans_and_a_member_unit_reports_through_the_pages(cast, client):
    login(client, cast, "jiangyin")
    response = client.post(
        url("plan_create"),
        {
            "org": cast.jiangyin.pk,
            "year": 2024,
            "kind": "key_projects",
            "title": "产改重点项目清单",
            "cadence": ["quarterly", "year_end"],
            "checkpoint_due_days": 3,
            "notice_reply_days": 5,
            "circulate_after_days": 3,
        },
    )
    plan = Plan.objects.get()
    assert response.status_code == 302 and plan.cadence == ["quarterly", "year_end"]
    response = client.post(
        url("item_create", plan_pk=plan.pk),
        {
            "number": "1",
            "title": "推进技能等级认定",
            "pillar": "quality",
            "lead_unit": cast.hrss.pk,
            "supporting_units": [cast.zhutang.pk],
            "target": "新增高级工以上200人",
            "target_value": "200",
            "starts_on": "2024-01-01",
            "deadline": "2024-12-31",
            "evidence_required": "认定名单",
        },
    )
    assert response.status_code == 302
    item = PlanItem.objects.get()
    assert item.checkpoints.count() == 5 and list(item.supporting_units.all()) == [cast.zhutang]
    detail = page(client.get(url("plan_detail", plan_pk=plan.pk)))
    assert "推进技能等级认定" in detail and "正常推进" in detail and "省人力资源社会保障厅" in detail

    login(client, cast, "renshe")
    mine = page(client.get(url("my_tasks")))
    assert "推进技能等级认定" in mine and "牵头" in mine
    assert client.get(url("plan_detail", plan_pk=plan.pk)).status_code == 404  # routed the item, not the plan
    assert 'id="progress-card"' in page(client.get(url("item_detail", item_pk=item.pk)))
    with on(date(2024, 4, 2)):
        response = client.post(
            url("progress_submit", item_pk=item.pk), {"percent": 30, "narrative": "完成第一批认定", "attachment": pdf()}
        )
    assert response.status_code == 302
    report = Progress.objects.get()
    assert report.unit == cast.hrss and report.attachment
    item.refresh_from_db()
    assert item.progress == 30 and item.checkpoints.get(period="2024Q1").submitted_at
    download = client.get(url("attachment", progress_pk=report.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]

    login(client, cast, "jiangyin")
    client.post(url("notice_issue", item_pk=item.pk), {"reason": "请加快认定进度"})
    notice = SupervisionNotice.objects.get()
    assert notice.unit == cast.hrss and notice.issued_by == cast.users["jiangyin"]

    login(client, cast, "renshe")
    assert "请加快认定进度" in page(client.get(url("my_tasks")))
    response = client.post(url("notice_reply", notice_pk=notice.pk), {f"notice{notice.pk}-reply": "已增派人员"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "answered" and notice.reply == "已增派人员"
    timeline = page(client.get(url("item_detail", item_pk=item.pk)))
    assert "新建任务" in timeline and "报送" in timeline and "下发督办单" in timeline and "答复督办单" in timeline


def test_a_supporting_member_unit_sees_its_task_as_supporting(cast, client):
    finance = Org.objects.add_child(cast.province, {"name": "省财政厅", "code": "MU-fin", "kind": "member_unit"})
    client.force_login(member("caizheng", finance, Role.MEMBER_UNIT))
    _, item = plan_with_item(cast)
    item.supporting_units.add(finance)
    mine = page(client.get(url("my_tasks")))
    assert item.title in mine and "配合" in mine


# ---------------------------------------------------------------------------- access


def test_an_outsider_gets_404_on_plan_item_notice_and_attachment(cast, client):
    plan, item = plan_with_item(cast)
    notice = services.issue_notice(cast.users["jiangyin"], item, "请加快进度")
    report = services.submit_progress(cast.users["renshe"], item, percent=10, narrative="启动", attachment=pdf())
    login(client, cast, "gaoyou")
    for target in (
        url("plan_detail", plan_pk=plan.pk),
        url("plan_detail", plan_pk=plan.pk) + "?export=xlsx",
        url("item_detail", item_pk=item.pk),
        url("item_edit", item_pk=item.pk),
        url("adopt_list", plan_pk=plan.pk),
        url("attachment", progress_pk=report.pk),
    ):
        assert client.get(target).status_code == 404, target
    for target in (
        url("progress_submit", item_pk=item.pk),
        url("notice_issue", item_pk=item.pk),
        url("notice_reply", notice_pk=notice.pk),
        url("plan_copy", plan_pk=plan.pk),
    ):
        assert client.post(target, {"reason": "越权", "percent": 1, "narrative": "越权"}).status_code == 404, target
    lists = (
        page(client.get(url("plan_list"))) + page(client.get(url("notice_list"))) + page(client.get(url("my_tasks")))
    )
    assert item.title not in lists and "江阴市" not in lists


def test_a_leader_reads_everything_but_cannot_act(cast, client):
    plan, item = plan_with_item(cast)
    notice = services.issue_notice(cast.users["jiangyin"], item, "请加快进度")
    login(client, cast, "lingdao")
    assert client.get(url("plan_detail", plan_pk=plan.pk)).status_code == 200
    detail = page(client.get(url("item_detail", item_pk=item.pk)))
    assert item.title in detail and 'id="progress-card"' not in detail and 'id="notice-card"' not in detail
    assert "请加快进度" in page(client.get(url("notice_list")))
    for target, data in (
        (url("progress_submit", item_pk=item.pk), {"percent": 10, "narrative": "越权"}),
        (url("notice_issue", item_pk=item.pk), {"reason": "越权"}),
        (url("notice_reply", notice_pk=notice.pk), {"reply": "越权"}),
        (url("plan_copy", plan_pk=plan.pk), {}),
        (url("item_edit", item_pk=item.pk), {}),
        (url("item_create", plan_pk=plan.pk), {}),
        (url("plan_create"), {}),
    ):
        assert client.post(target, data).status_code == 403, target
    assert not Progress.objects.exists() and SupervisionNotice.objects.count() == 1


def test_only_the_lead_unit_may_answer_a_notice(cast, client):
    _, item = plan_with_item(cast)
    notice = services.issue_notice(cast.users["jiangyin"], item, "请加快进度")
    response = login(client, cast, "jiangyin").post(url("notice_reply", notice_pk=notice.pk), {"reply": "代答"})
    assert response.status_code == 403


def test_the_plan_form_offers_only_orgs_the_user_may_plan_for(cast, client):
    form = page(login(client, cast, "jiangyin").get(url("plan_create")))
    assert "江阴市" in form and "祝塘镇" in form and "高邮市" not in form and "无锡市" not in form
    response = client.post(url("plan_create"), {"org": cast.gaoyou.pk, "year": 2024, "title": "越权"})
    assert response.status_code == 200 and not Plan.objects.exists()


# ---------------------------------------------------------------------------- progress attachments


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("进展.exe", b"MZ\x90\x00"), "佐证材料只能是"),
        (SimpleUploadedFile("进展.pdf", b"<html>not a pdf</html>"), "文件内容与扩展名不符"),
        (pdf(size=10 * 1024 * 1024), "不能超过10 MB"),
    ],
)
def test_progress_attachments_are_checked(cast, client, upload, message):
    _, item = plan_with_item(cast)
    response = login(client, cast, "renshe").post(
        url("progress_submit", item_pk=item.pk), {"percent": 10, "narrative": "启动", "attachment": upload}
    )
    assert response.status_code == 200 and message in page(response)
    assert not Progress.objects.exists()


def test_progress_without_narrative_is_refused_in_chinese(cast, client):
    _, item = plan_with_item(cast)
    response = login(client, cast, "renshe").post(url("progress_submit", item_pk=item.pk), {"percent": 120})
    body = page(response)
    assert "进度应在0到100之间" in body and "该字段是必填项" in body
    assert not Progress.objects.exists()


# ---------------------------------------------------------------------------- lists, lights and exports


def test_the_plan_page_shows_lights_filters_and_exports(cast, client):
    plan, late = plan_with_item(cast, cadence=("quarterly",))
    services.add_item(
        cast.users["jiangyin"],
        plan,
        number="2",
        title="建设职工之家",
        pillar="rights",
        lead_unit=cast.zhutang,
        target="新建10家",
        starts_on=date(2024, 1, 1),
        deadline=date(2024, 12, 31),
    )
    with on(date(2024, 4, 10)):  # the Q1 report is overdue for both
        services.submit_progress(cast.users["zhutang"], plan.items.get(number="2"), percent=30, narrative="已建3家")
        services.supervise()
        login(client, cast, "jiangyin")
        everything = page(client.get(url("plan_detail", plan_pk=plan.pk)))
        red = page(client.get(url("plan_detail", plan_pk=plan.pk), {"light": "red"}))
        rights = page(client.get(url("plan_detail", plan_pk=plan.pk), {"pillar": "rights"}))
        export = workbook(client.get(url("plan_detail", plan_pk=plan.pk), {"export": "xlsx"}))
    assert "逾期" in everything and "建设职工之家" in everything
    assert late.title in red and "建设职工之家" not in red
    assert "建设职工之家" in rights and late.title not in rights
    sheet = export.active
    assert [cell.value for cell in sheet[2]][:4] == ["*序号", "*任务", "*所属板块", "*牵头单位"]
    assert [cell.value for cell in sheet[3]][:4] == ["1", late.title, "素质提升", "省人力资源社会保障厅"]
    assert sheet.cell(row=3, column=13).value == "逾期"


def test_the_plan_page_costs_the_same_queries_for_more_items(cast, client):
    plan, _ = plan_with_item(cast)
    login(client, cast, "jiangyin")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("plan_detail", plan_pk=plan.pk)).status_code == 200
        return len(captured)

    before = queries()
    for number in ("2", "3", "4"):
        services.add_item(
            cast.users["jiangyin"],
            plan,
            number=number,
            title=f"任务{number}",
            pillar="quality",
            lead_unit=cast.zhutang,
            target="目标",
            supporting_units=[cast.hrss],
        )
    assert queries() == before


def test_the_plan_list_filters_by_year_and_search(cast, client):
    plan, _ = plan_with_item(cast)
    services.create_plan(cast.users["jiangyin"], cast.zhutang, year=2025, title="祝塘镇工作要点")
    login(client, cast, "jiangyin")
    assert "祝塘镇工作要点" not in page(client.get(url("plan_list"), {"year": 2024}))
    found = page(client.get(url("plan_list"), {"q": "工作要点"}))
    assert "祝塘镇工作要点" in found and plan.title not in found
    assert "还没有工作计划" in page(login(client, cast, "gaoyou").get(url("plan_list")))


def test_the_notice_list_filters_by_status_and_exports(cast, client):
    _, item = plan_with_item(cast)
    notice = services.issue_notice(cast.users["jiangyin"], item, "请加快进度")
    login(client, cast, "jiangyin")
    assert "请加快进度" in page(client.get(url("notice_list"), {"status": "open"}))
    assert "还没有督办单" not in page(client.get(url("notice_list")))
    assert "没有符合条件的督办单" in page(client.get(url("notice_list"), {"status": "answered"}))
    services.answer_notice(cast.users["renshe"], notice, "已整改")
    sheet = workbook(client.get(url("notice_list"), {"export": "xlsx"})).active
    assert (
        sheet["D2"].value == "省人力资源社会保障厅" and sheet["H2"].value == "已答复" and sheet["L2"].value == "已整改"
    )


# ---------------------------------------------------------------------------- editing, copying, adopting


def test_editing_an_item_moves_its_checkpoints_and_records_the_change(cast, client):
    plan, item = plan_with_item(cast, cadence=("monthly",))
    assert item.checkpoints.count() == 12
    data = {
        "number": "1",
        "title": item.title,
        "pillar": "quality",
        "lead_unit": cast.hrss.pk,
        "supporting_units": [cast.zhutang.pk],
        "target": item.target,
        "starts_on": "2024-01-01",
        "deadline": "2024-06-30",
        "status": "active",
    }
    response = login(client, cast, "jiangyin").post(url("item_edit", item_pk=item.pk), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.deadline == date(2024, 6, 30) and item.checkpoints.count() == 6
    assert ItemEvent.objects.filter(item=item, kind="edited", text="修改任务：完成时限、配合单位").exists()
    bad = client.post(url("item_edit", item_pk=item.pk), {**data, "deadline": "2023-12-01"})
    assert "完成时限不能早于开始日期" in page(bad)


def test_a_number_may_be_used_once_per_plan(cast, client):
    plan, item = plan_with_item(cast)
    response = login(client, cast, "jiangyin").post(
        url("item_create", plan_pk=plan.pk),
        {
            "number": "1",
            "title": "重复",
            "pillar": "quality",
            "lead_unit": cast.zhutang.pk,
            "target": "目标",
            "starts_on": "2024-01-01",
            "deadline": "2024-12-31",
        },
    )
    assert "本计划中已有序号为“1”的任务" in page(response) and plan.items.count() == 1


def test_copying_a_plan_to_next_year_happens_once(cast, client):
    plan, _ = plan_with_item(cast)
    login(client, cast, "jiangyin")
    response = client.post(url("plan_copy", plan_pk=plan.pk))
    copy = Plan.objects.get(year=2025)
    assert response["Location"] == url("plan_detail", plan_pk=copy.pk) and copy.items.count() == 1
    client.post(url("plan_copy", plan_pk=plan.pk))
    assert Plan.objects.filter(year=2025).count() == 1


def test_a_county_plan_adopts_an_item_of_the_city_plan(cast, client):
    wuxi = cast.users["wuxi"]
    city_plan = services.create_plan(wuxi, cast.wuxi, year=2024, title="无锡市产改工作要点", cadence=["quarterly"])
    source = services.add_item(
        wuxi, city_plan, number="3", title="开展技能竞赛", pillar="quality", lead_unit=cast.hrss, target="举办10场"
    )
    county_plan = services.create_plan(wuxi, cast.jiangyin, year=2024, title="江阴市产改工作要点")
    login(client, cast, "wuxi")
    listing = page(client.get(url("adopt_list", plan_pk=county_plan.pk)))
    assert "开展技能竞赛" in listing
    assert client.get(url("adopt_list", plan_pk=city_plan.pk)).status_code == 200  # nothing above the city
    response = client.post(url("adopt", plan_pk=county_plan.pk, item_pk=source.pk), {"lead_unit": cast.zhutang.pk})
    adopted = county_plan.items.get()
    assert response["Location"] == url("item_detail", item_pk=adopted.pk)
    assert adopted.adopted_from == source and adopted.lead_unit == cast.zhutang and adopted.number == "3"
    assert "已承接" in page(client.get(url("adopt_list", plan_pk=county_plan.pk)))
    again = client.post(url("adopt", plan_pk=county_plan.pk, item_pk=source.pk), {"lead_unit": cast.zhutang.pk})
    assert "本计划中已有序号为“3”的任务" in page(again) and county_plan.items.count() == 1
    assert "江阴市 · 3 开展技能竞赛" in page(client.get(url("item_detail", item_pk=source.pk)))
    # The county plan's own items cannot be "adopted" back into the city plan.
    assert client.get(url("adopt", plan_pk=city_plan.pk, item_pk=adopted.pk)).status_code == 404


def test_the_navigation_sends_reporters_to_their_tasks(cast, client):
    assert url("my_tasks") in page(login(client, cast, "renshe").get(reverse("home")))
    assert url("plan_list") in page(login(client, cast, "jiangyin").get(reverse("home")))

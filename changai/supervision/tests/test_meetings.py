from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from changai.supervision import services
from changai.supervision.models import Meeting
from changai.worklists.models import ItemEvent
from changai.worklists.tests.factories import plan_with_item

from .factories import meeting, on, query_count


def _detail(target):
    return reverse("supervision:meeting_detail", kwargs={"meeting_pk": target.pk})


def _provincial(cast, attendees, title):
    return meeting(cast, user=cast.users["sheng"], org=cast.province, attendees=attendees, title=title)


def test_it_records_a_meeting_with_its_member_units(cast):
    held = meeting(cast)
    assert held.org == cast.jiangyin and list(held.attendees.all()) == [cast.zhutang]
    assert held.get_kind_display() == "联席会议" and held.created_by == cast.users["jiangyin"]


def test_meetings_are_checked(cast):
    with pytest.raises(ValidationError) as exc:
        meeting(cast, attendees=[cast.gaoyou])
    assert "管辖范围" in exc.value.message_dict["attendees"][0]
    with pytest.raises(ValidationError, match="请填写会议名称"):
        meeting(cast, title=" ")
    for who in ("gaoyou", "lingdao", "renshe"):
        with pytest.raises(PermissionDenied):
            meeting(cast, user=cast.users[who])


def test_member_units_see_the_meetings_they_attended(cast, client):
    attended = _provincial(cast, [cast.hrss], "省产改联席会议第一次全体会议")
    other = _provincial(cast, [cast.line], "省产改推进会（产业系统）")
    assert list(Meeting.objects.visible_to(cast.users["renshe"])) == [attended]
    assert set(Meeting.objects.visible_to(cast.users["sheng"])) == {attended, other}
    assert not Meeting.objects.visible_to(cast.users["jiangyin"]).exists()
    client.force_login(cast.users["renshe"])
    html = client.get(reverse("supervision:meeting_list")).content.decode()
    assert attended.title in html and other.title not in html
    assert client.get(_detail(attended)).status_code == 200
    assert client.get(_detail(other)).status_code == 404


def test_a_decision_becomes_a_task_in_one_click(cast):
    with on(date(2024, 3, 20)):
        plan, first = plan_with_item(cast, cadence=("quarterly",))
        held = meeting(cast)
        decision = services.add_decision(
            cast.users["jiangyin"],
            held,
            text="各镇街年内建成产改工作站，实现全覆盖",
            lead_unit=cast.zhutang,
            deadline=date(2024, 9, 30),
        )
        item = services.decision_to_items(cast.users["jiangyin"], decision, plan)
    assert list(decision.items.all()) == [item]
    assert (item.plan, item.number, item.title, item.lead_unit) == (plan, "2", decision.text, cast.zhutang)
    assert (item.starts_on, item.deadline, item.pillar) == (date(2024, 3, 15), date(2024, 9, 30), "institutional")
    assert item.checkpoints.filter(period="2024Q3").exists()
    assert ItemEvent.objects.filter(item=item, kind="meeting", text__contains="联席会议").exists()
    with pytest.raises(ValidationError, match="已转为该计划的任务"):
        services.decision_to_items(cast.users["jiangyin"], decision, plan)


def test_decisions_are_checked(cast):
    plan, _ = plan_with_item(cast, cadence=())
    held = meeting(cast)
    with pytest.raises(ValidationError) as exc:
        services.add_decision(cast.users["jiangyin"], held, text="事项", lead_unit=cast.gaoyou)
    assert "牵头单位" in exc.value.message_dict["lead_unit"][0]
    with pytest.raises(ValidationError, match="不能早于会议日期"):
        services.add_decision(
            cast.users["jiangyin"], held, text="事项", lead_unit=cast.zhutang, deadline=date(2024, 3, 1)
        )
    decision = services.add_decision(cast.users["jiangyin"], held, text="事项", lead_unit=cast.zhutang)
    with pytest.raises(PermissionDenied):
        services.decision_to_items(cast.users["lingdao"], decision, plan)
    old_plan, _ = plan_with_item(cast, cadence=(), year=2023)
    with pytest.raises(ValidationError, match="会议召开于2024年"):
        services.decision_to_items(cast.users["jiangyin"], decision, old_plan)


def test_the_pages_record_a_meeting_and_convert_its_decisions(cast, client):
    plan, _ = plan_with_item(cast, cadence=())
    client.force_login(cast.users["jiangyin"])
    create = reverse("supervision:meeting_create")
    assert cast.zhutang.name in client.get(create).content.decode()
    response = client.post(
        create,
        {
            "org": cast.jiangyin.pk,
            "kind": "progress",
            "title": "产改重点任务推进会",
            "date": "2024-04-02",
            "attendees": [cast.zhutang.pk],
            "minutes": "通报一季度进展",
        },
    )
    held = Meeting.objects.get(title="产改重点任务推进会")
    assert response["Location"] == _detail(held)
    add = reverse("supervision:decision_add", kwargs={"meeting_pk": held.pk})
    client.post(add, {"text": "二季度完成技能等级认定试点", "lead_unit": cast.zhutang.pk, "deadline": "2024-06-30"})
    decision = held.decisions.get()
    html = client.get(_detail(held)).content.decode()
    assert "二季度完成技能等级认定试点" in html and str(plan) in html
    convert = reverse("supervision:decision_to_item", kwargs={"decision_pk": decision.pk})
    response = client.post(convert, {"plan": plan.pk, "pillar": "quality"})
    assert response.status_code == 302 and decision.items.get().pillar == "quality"
    assert "已转为任务" in client.get(_detail(held)).content.decode()


def test_meeting_pages_answer_403_to_readers_and_404_to_outsiders(cast, client):
    plan, _ = plan_with_item(cast, cadence=())
    held = meeting(cast)
    decision = services.add_decision(cast.users["jiangyin"], held, text="事项", lead_unit=cast.zhutang)
    convert = reverse("supervision:decision_to_item", kwargs={"decision_pk": decision.pk})
    add = reverse("supervision:decision_add", kwargs={"meeting_pk": held.pk})
    client.force_login(cast.users["lingdao"])
    assert client.get(_detail(held)).status_code == 200
    assert client.post(add, {"text": "x", "lead_unit": cast.zhutang.pk}).status_code == 403
    assert client.post(convert, {"plan": plan.pk}).status_code == 403
    client.force_login(cast.users["gaoyou"])
    assert client.get(_detail(held)).status_code == 404
    assert client.post(add, {"text": "x", "lead_unit": cast.zhutang.pk}).status_code == 404
    assert client.post(convert, {"plan": plan.pk}).status_code == 404
    assert not decision.items.exists()


def test_the_meeting_list_exports_and_stays_constant_in_queries(cast, client):
    meeting(cast)
    client.force_login(cast.users["jiangyin"])
    url = reverse("supervision:meeting_list")
    before = query_count(client, url)
    for n in range(3):
        held = meeting(cast, title=f"第{n}次推进会")
        services.add_decision(cast.users["jiangyin"], held, text="事项", lead_unit=cast.zhutang)
    assert query_count(client, url) == before
    sheet = load_workbook(BytesIO(client.get(url, {"export": "xlsx", "q": "推进会"}).content)).active
    assert sheet.max_row == 4 and sheet["C2"].value == "江阴市" and sheet["F2"].value == 1

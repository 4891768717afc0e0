from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changai.accounts.roles import Role
from changai.accounts.tests.factories import member
from changai.worklists import services
from changai.worklists.models import Checkpoint, Light, PlanItem, SupervisionNotice
from changai.worklists.tests.factories import plan_with_item


def on(day):
    return mock.patch("changai.worklists.services.today", return_value=day)


def test_checkpoints_follow_the_cadence_and_skip_holidays(cast):
    with on(date(2024, 1, 2)):
        plan, item = plan_with_item(
            cast,
            cadence=("weekly", "monthly", "quarterly"),
            checkpoint_due_days=1,
            starts_on=date(2024, 9, 23),
            deadline=date(2024, 10, 20),
        )
    due = {(c.kind, c.period): c.due_on for c in item.checkpoints.all()}
    assert due[("weekly", "2024W39")] == date(2024, 9, 30)
    assert due[("weekly", "2024W40")] == date(2024, 10, 8)  # National Day break: 1–7 October
    # September ends on a Monday; the next working day, across the break, is 8 October.
    assert due[("monthly", "2024M09")] == date(2024, 10, 8)
    assert ("quarterly", "2024Q4") in due and ("monthly", "2024M08") not in due


def test_a_saturday_made_a_working_day_counts(cast):
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(
            cast, cadence=("weekly",), checkpoint_due_days=1, starts_on=date(2024, 10, 7), deadline=date(2024, 10, 11)
        )
    # Week 41 ends on Sunday 13 October; the next working day is Monday 14.
    assert item.checkpoints.get().due_on == date(2024, 10, 14)


def test_lights_turn_yellow_when_behind_and_red_when_a_checkpoint_is_missed(cast):
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast, cadence=("quarterly",))
    assert item.light == Light.GREEN
    with on(date(2024, 2, 15)):
        assert services.compute_light(item)[0] == Light.GREEN
    with on(date(2024, 3, 20)):  # 22% of the year gone, nothing reported
        assert services.compute_light(item) == (Light.YELLOW, "进度0%，落后于应达进度22%")
    with on(date(2024, 4, 1)):  # Q1 report due within 3 working days
        assert services.compute_light(item)[0] == Light.YELLOW
    with on(date(2024, 4, 10)):
        light, why = services.compute_light(item)
    assert light == Light.RED and "逾期未报送" in why


def test_reporting_on_time_keeps_the_item_green_and_late_turns_it_red_first(cast):
    renshe = cast.users["renshe"]
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast, cadence=("quarterly",))
    with on(date(2024, 4, 2)):
        services.submit_progress(renshe, item, percent=30, narrative="完成第一批认定")
        assert PlanItem.objects.get(pk=item.pk).light == Light.GREEN
    assert item.checkpoints.get(period="2024Q1").submitted_at is not None


def test_a_red_item_gets_a_notice_which_is_chased_then_circulated(cast):
    with on(date(2024, 1, 2)):
        plan, item = plan_with_item(cast, cadence=("quarterly",))
    with on(date(2024, 4, 10)):
        services.supervise()
    notice = SupervisionNotice.objects.get(item=item)
    assert notice.unit == cast.hrss and notice.status == "open"
    assert notice.reply_due == date(2024, 4, 17)  # 5 working days after 10 April
    with on(date(2024, 4, 17)):
        assert services.escalate() == {"chased": 0, "circulated": 0}
    with on(date(2024, 4, 18)):
        assert services.escalate() == {"chased": 1, "circulated": 0}
    with on(date(2024, 4, 22)):  # 3 working days after the deadline: not yet
        assert services.escalate()["circulated"] == 0
    with on(date(2024, 4, 23)):
        assert services.escalate()["circulated"] == 1
    notice.refresh_from_db()
    assert notice.status == "circulated" and notice.chased_at and notice.circulated_at
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["notice", "催办", "通报"]


def test_only_the_lead_unit_answers_its_notice(cast):
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast)
        notice = services.issue_notice(cast.users["jiangyin"], item, "请加快进度")
    with pytest.raises(PermissionDenied):
        services.answer_notice(cast.users["gaoyou"], notice, "答复")
    services.answer_notice(cast.users["renshe"], notice, "已制定整改计划")
    notice.refresh_from_db()
    assert notice.status == "answered"
    with on(date(2024, 12, 1)):
        assert services.escalate() == {"chased": 0, "circulated": 0}


def test_notices_need_a_reason_and_an_office_in_scope(cast):
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast)
    with pytest.raises(ValidationError):
        services.issue_notice(cast.users["jiangyin"], item, " ")
    with pytest.raises(PermissionDenied):
        services.issue_notice(cast.users["gaoyou"], item, "越权督办")


def test_member_units_see_items_routed_to_them_and_outsiders_do_not(cast):
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast)
    assert list(PlanItem.objects.visible_to(cast.users["renshe"])) == [item]
    assert not PlanItem.objects.visible_to(cast.users["gaoyou"]).exists()
    assert list(PlanItem.objects.visible_to(cast.users["wuxi"])) == [item]


def test_only_responsible_units_report_progress(cast):
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast)
    with pytest.raises(PermissionDenied):
        services.submit_progress(cast.users["gaoyou"], item, percent=10, narrative="越权")
    with pytest.raises(ValidationError):
        services.submit_progress(cast.users["renshe"], item, percent=120, narrative="超过100")


def test_completing_an_item_marks_it_done(cast):
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast)
        services.submit_progress(cast.users["renshe"], item, percent=100, narrative="全部完成")
    item.refresh_from_db()
    assert item.status == "done" and item.progress == 100


def test_copying_last_years_plan_moves_dates(cast):
    with on(date(2024, 1, 2)):
        plan, item = plan_with_item(cast, deadline=date(2024, 6, 30))
        new_plan = services.copy_plan(cast.users["jiangyin"], plan, 2025)
    copied = new_plan.items.get()
    assert copied.title == item.title and copied.deadline == date(2025, 6, 30) and copied.lead_unit == cast.hrss
    assert new_plan.copied_from == plan and copied.checkpoints.exists()


def test_a_town_adopts_an_item_of_the_county_plan(cast):
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast)
        town_plan = services.create_plan(
            cast.users["zhutang"], cast.zhutang, year=2024, title="祝塘镇产改清单", cadence=["monthly"]
        )
        adopted = services.adopt_item(cast.users["zhutang"], item, town_plan, lead_unit=cast.zhutang)
        assert adopted.adopted_from == item and item.adoptions.get() == adopted
        with pytest.raises(ValidationError, match="重复承接"):
            services.adopt_item(cast.users["zhutang"], item, town_plan, lead_unit=cast.zhutang)


def test_a_deadline_before_the_start_is_refused(cast):
    with on(date(2024, 1, 2)), pytest.raises(ValidationError):
        plan_with_item(cast, starts_on=date(2024, 6, 1), deadline=date(2024, 5, 1))


def test_checkpoint_count_for_a_full_year_monthly_plan(cast):
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast, cadence=("monthly", "half_year", "year_end"))
    assert Checkpoint.objects.filter(item=item).count() == 12 + 2 + 1


def test_a_supporting_units_member_may_report_without_moving_the_items_progress(cast):
    finance = type(cast.hrss).objects.add_child(
        cast.province, {"name": "省财政厅", "code": "MU-fin", "kind": "member_unit"}
    )
    liaison = member("caizheng", finance, Role.MEMBER_UNIT)
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast)
        item.supporting_units.add(finance)
        services.submit_progress(liaison, item, percent=50, narrative="配合完成资金保障")
    item.refresh_from_db()
    assert item.progress == 0 and item.reports.get().unit == finance


def test_a_town_leading_a_county_item_sees_it(cast):
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast, lead=cast.zhutang)
    assert list(PlanItem.objects.visible_to(cast.users["zhutang"])) == [item]


def test_a_county_sees_the_city_plan_items_it_may_adopt(cast):
    with on(date(2024, 1, 2)):
        city_plan = services.create_plan(cast.users["wuxi"], cast.wuxi, year=2024, title="无锡市清单", cadence=[])
        city_item = services.add_item(
            cast.users["wuxi"],
            city_plan,
            number="1",
            title="市级任务",
            pillar="quality",
            lead_unit=cast.wuxi,
            target="目标",
        )
        county_plan, _ = plan_with_item(cast)
    assert list(services.adoptable_items(county_plan)) == [city_item]
    adopted = services.adopt_item(cast.users["jiangyin"], city_item, county_plan, lead_unit=cast.hrss, number="9")
    assert adopted.adopted_from == city_item


def test_numbers_are_unique_in_a_plan_and_a_plan_is_copied_once_a_year(cast):
    with on(date(2024, 1, 2)):
        plan, item = plan_with_item(cast)
        with pytest.raises(ValidationError, match="序号"):
            services.add_item(
                cast.users["jiangyin"],
                plan,
                number="1",
                title="重复",
                pillar="quality",
                lead_unit=cast.hrss,
                target="目标",
            )
        services.copy_plan(cast.users["jiangyin"], plan, 2025)
        with pytest.raises(ValidationError, match="不能重复复制"):
            services.copy_plan(cast.users["jiangyin"], plan, 2025)


def test_editing_an_item_relays_its_checkpoints(cast):
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast, cadence=("monthly",))
        changed = services.update_item(cast.users["jiangyin"], item, deadline=date(2024, 6, 30))
    assert changed == ["完成时限"] and item.checkpoints.count() == 6
    assert item.events.filter(kind="edited").exists()


def test_the_org_dashboard_shows_item_lights(cast, client):
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast, cadence=("quarterly",))
    with on(date(2024, 4, 10)):
        services.supervise()
    summary = services.light_summary(cast.wuxi, cast.users["wuxi"])
    assert summary["counts"] == {"green": 0, "yellow": 0, "red": 1} and summary["red"] == [item]
    assert services.light_summary(cast.wuxi, cast.users["gaoyou"])["total"] == 0
    client.force_login(cast.users["jiangyin"])
    page = client.get(f"/?org={cast.jiangyin.pk}").content.decode()
    assert "工作清单推进情况" in page and "推进技能等级认定" in page

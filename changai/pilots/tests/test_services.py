from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from changai.orgs.models import PilotLevel
from changai.pilots import services
from changai.pilots.models import Pairing, PilotEvent, PilotProject, PilotType, PilotUnit

from .factories import apply, running

Status = PilotUnit.Status


def test_the_pilot_types_are_seeded(db):
    assert list(PilotType.objects.values_list("name", flat=True)) == ["党建引领型", "赋能成长型", "权益维护型"]


def test_it_takes_a_pilot_from_application_to_demonstration(cast):
    town, county = cast.users["zhutang"], cast.users["jiangyin"]
    pilot = apply(cast)
    assert (pilot.status, pilot.supervisor, pilot.applied_on) == (Status.APPLICATION, cast.jiangyin, date(2025, 1, 10))
    pilot = services.start_review(county, pilot, on=date(2025, 2, 1))
    pilot = services.approve_pilot(county, pilot, approval_no="澄产改〔2025〕3号", on=date(2025, 3, 1))
    assert (pilot.status, pilot.approved_on, pilot.approved_by) == (Status.APPROVED, date(2025, 3, 1), county)
    pilot = services.start_running(town, pilot, on=date(2025, 3, 15))
    pilot = services.request_acceptance(town, pilot, on=date(2026, 10, 1), comment="三个项目均已完成")
    pilot = services.name_demonstration(county, pilot, on=date(2026, 11, 1))
    assert pilot.status == Status.DEMONSTRATION
    assert pilot.demonstration_title == "县级产改示范企业" and pilot.demonstration_on == date(2026, 11, 1)
    timeline = list(pilot.events.values_list("action", "from_status", "to_status", "actor__username"))
    assert timeline == [
        ("applied", "", "application", "zhutang"),
        ("review_started", "application", "review", "jiangyin"),
        ("approved", "review", "approved", "jiangyin"),
        ("started", "approved", "running", "zhutang"),
        ("acceptance_requested", "running", "acceptance", "zhutang"),
        ("demonstration_named", "acceptance", "demonstration", "jiangyin"),
    ]
    assert pilot.events.get(action="acceptance_requested").comment == "三个项目均已完成"


def test_a_park_named_a_demonstration_gets_the_park_title(cast):
    from changai.orgs.tests.factories import add_org

    park = add_org(cast.jiangyin, name="江阴临港经济开发区", code="P-1", kind="park")
    pilot = running(cast, org=park, level=PilotLevel.CITY, user="jiangyin", reviewer="wuxi")
    assert pilot.supervisor == cast.wuxi
    pilot = services.request_acceptance(cast.users["jiangyin"], pilot)
    pilot = services.name_demonstration(cast.users["wuxi"], pilot, title="")
    assert pilot.demonstration_title == "市级产改示范园区"


def test_illegal_transitions_are_refused_with_a_chinese_message(cast):
    pilot = running(cast)
    with pytest.raises(ValidationError) as error:
        services.name_demonstration(cast.users["jiangyin"], pilot)
    assert error.value.messages == ["当前状态为“实施中”，不能直接命名示范：须处于“验收中”状态。"]
    with pytest.raises(ValidationError, match="当前状态为“实施中”，不能直接批准试点"):
        services.approve_pilot(cast.users["jiangyin"], pilot)
    assert PilotUnit.objects.get(pk=pilot.pk).status == Status.RUNNING
    assert pilot.events.count() == 4


def test_nothing_moves_a_withdrawn_pilot(cast):
    pilot = services.withdraw_pilot(cast.users["jiangyin"], running(cast), reason="企业搬迁出本市")
    assert (pilot.status, pilot.withdrawn_on) == (Status.WITHDRAWN, timezone.localdate())
    assert pilot.events.last().comment == "企业搬迁出本市"
    with pytest.raises(ValidationError, match="当前状态为“撤销”，试点已结束，不能再撤销试点"):
        services.withdraw_pilot(cast.users["jiangyin"], pilot, reason="再撤一次")


def test_withdrawing_needs_a_reason(cast):
    with pytest.raises(ValidationError, match="请填写撤销原因"):
        services.withdraw_pilot(cast.users["jiangyin"], apply(cast), reason=" ")


def test_an_applicant_may_take_back_its_application_but_not_a_running_pilot(cast):
    pilot = services.withdraw_pilot(cast.users["zhutang"], apply(cast), reason="材料准备不足")
    assert pilot.status == Status.WITHDRAWN
    other = running(cast, org=cast.line_firm)
    with pytest.raises(PermissionDenied):
        services.withdraw_pilot(cast.users["zhutang"], other, reason="不想做了")


def test_a_town_cannot_approve_its_own_pilot(cast):
    town = cast.users["zhutang"]
    pilot = apply(cast, org=cast.zhutang, level=PilotLevel.TOWN)
    assert pilot.supervisor == cast.jiangyin  # a town has no town above it: its county supervises
    with pytest.raises(PermissionDenied):
        services.start_review(town, pilot)
    pilot = services.start_review(cast.users["jiangyin"], pilot)
    with pytest.raises(PermissionDenied):
        services.approve_pilot(town, pilot)
    assert services.approve_pilot(cast.users["jiangyin"], pilot).status == Status.APPROVED


def test_only_the_office_of_the_pilots_level_or_above_reviews_it(cast):
    pilot = apply(cast, level=PilotLevel.PROVINCIAL)
    assert pilot.supervisor == cast.province
    for name in ("zhutang", "jiangyin", "wuxi"):
        with pytest.raises(PermissionDenied):
            services.start_review(cast.users[name], pilot)
    assert services.start_review(cast.users["sheng"], pilot).status == Status.REVIEW


def test_a_town_reviews_the_town_level_pilots_of_its_enterprises(cast):
    pilot = apply(cast, level=PilotLevel.TOWN)
    assert pilot.supervisor == cast.zhutang
    pilot = services.start_review(cast.users["zhutang"], pilot)
    assert services.approve_pilot(cast.users["zhutang"], pilot).status == Status.APPROVED


def test_readers_and_outsiders_cannot_move_a_pilot(cast):
    pilot = apply(cast)
    for name in ("qiye", "lingdao", "gaoyou", "renshe"):
        with pytest.raises(PermissionDenied):
            services.start_review(cast.users[name], pilot)
    assert pilot.events.count() == 1


def test_only_orgs_in_scope_of_the_right_kind_may_apply(cast):
    with pytest.raises(PermissionDenied):
        apply(cast, org=cast.gaoyou_firm)
    with pytest.raises(PermissionDenied):
        apply(cast, user="qiye")
    with pytest.raises(ValidationError, match="只有企业、园区或乡镇"):
        apply(cast, org=cast.jiangyin, user="jiangyin")


def test_an_org_cannot_hold_two_open_pilots_of_one_level(cast):
    apply(cast)
    with pytest.raises(ValidationError) as error:
        apply(cast)
    assert "已有一个未结束的县级试点" in error.value.message_dict["level"][0]
    assert apply(cast, level=PilotLevel.CITY).supervisor == cast.wuxi


def test_dates_are_checked(cast):
    with pytest.raises(ValidationError, match="结束日期应晚于开始日期"):
        apply(cast, period_start=date(2025, 6, 1), period_end=date(2025, 1, 1))
    pilot = apply(cast)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.start_review(cast.users["jiangyin"], pilot, on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError, match="不能早于上一环节的日期（2025年1月10日）"):
        services.start_review(cast.users["jiangyin"], pilot, on=date(2025, 1, 9))


def test_an_application_can_be_corrected_until_it_is_approved(cast):
    pilot = apply(cast)
    pilot = services.update_pilot(cast.users["zhutang"], pilot, level=PilotLevel.CITY, batch="2025年第二批")
    assert (pilot.level, pilot.supervisor, pilot.batch) == (PilotLevel.CITY, cast.wuxi, "2025年第二批")
    assert pilot.events.last().action == PilotEvent.Action.EDITED
    pilot = running(cast, org=cast.line_firm)
    with pytest.raises(ValidationError, match="申报信息已不能修改"):
        services.update_pilot(cast.users["zhutang"], pilot, batch="改")


def test_projects_belong_to_approved_pilots_and_track_progress(cast):
    town = cast.users["zhutang"]
    with pytest.raises(ValidationError, match="不能添加试点项目"):
        services.add_project(town, apply(cast), title="x", pillar="quality", target="x", deadline=date(2026, 1, 1))
    pilot = running(cast, org=cast.line_firm)
    project = services.add_project(
        town,
        pilot,
        title="技能等级认定",
        pillar="quality",
        target="新增高级工50名",
        start_date=date(2025, 3, 1),
        deadline=date(2025, 12, 31),
        progress=30,
    )
    assert project.status == PilotProject.Status.IN_PROGRESS
    assert project.expected_progress(date(2025, 3, 1)) == 0 and project.expected_progress(date(2026, 1, 1)) == 100
    assert project.is_on_track(date(2025, 4, 1)) and not project.is_on_track(date(2025, 9, 1))
    project = services.update_project(town, project, status=PilotProject.Status.DONE)
    assert project.progress == 100 and project.is_on_track(date(2026, 6, 1))
    with pytest.raises(ValidationError, match="完成时限不能早于开始日期"):
        services.update_project(town, project, deadline=date(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        services.update_project(cast.users["qiye"], project, progress=50)


def test_a_pairing_joins_partners_in_scope(cast):
    from changai.orgs.tests.factories import EnterpriseFactory, make_credit_code

    small = EnterpriseFactory(parent=cast.zhutang, name="祝塘小微配件厂", credit_code=make_credit_code(8801))
    pilot = running(cast)
    pairing = services.create_pairing(
        cast.users["zhutang"],
        lead_org=cast.jiangyin_firm,
        partners=[small, cast.line_firm],
        title="龙头带小微技能结对",
        signed_on=date(2025, 5, 1),
        content="共享实训基地，联合开展技能等级认定。",
        pilot=pilot,
    )
    assert set(pairing.partners.all()) == {small, cast.line_firm}
    with pytest.raises(ValidationError, match="须在您的管辖范围内"):
        services.create_pairing(
            cast.users["zhutang"],
            lead_org=cast.jiangyin_firm,
            partners=[cast.gaoyou_firm],
            title="跨市结对",
            signed_on=date(2025, 5, 1),
            content="x",
        )
    with pytest.raises(PermissionDenied):
        services.create_pairing(
            cast.users["gaoyou"],
            lead_org=cast.jiangyin_firm,
            partners=[small],
            title="x",
            signed_on=date(2025, 5, 1),
            content="x",
        )
    assert Pairing.objects.visible_to(cast.users["gaoyou"]).count() == 0
    assert Pairing.objects.visible_to(cast.users["wuxi"]).get() == pairing

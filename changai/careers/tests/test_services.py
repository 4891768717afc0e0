from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changai.careers import services
from changai.careers.models import CareerMove, TitleApplication
from changai.certificates.models import EngineeringTitle, Level, TitleRank
from changai.core.periods import Period
from changai.indicators.registry import get_computed
from changai.training.tests.factories import certificate, worker
from changai.workers.models import Employment, Sequence, Worker

TODAY = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def fixed_today():
    with mock.patch("changai.careers.services.today", return_value=TODAY):
        yield


def figure(code, org, period="2025"):
    return get_computed(code).compute(Period.parse(period), [org])[org.pk]


def move(cast, person, to_sequence, to_grade, on=date(2025, 5, 1), user="qiye", **kwargs):
    return services.record_move(
        cast.users[user],
        person,
        to_sequence=to_sequence,
        to_grade=to_grade,
        effective_on=on,
        approving_body="公司人力资源部",
        **kwargs,
    )


# ---------------------------------------------------------------------------- career moves


def test_a_move_applies_the_new_sequence_and_grade_to_the_ledger(cast):
    person = worker(cast.jiangyin_firm, sequence=Sequence.SKILLS, grade="技能三级")
    recorded = move(cast, person, Sequence.SKILLS, "技能二级")
    assert recorded.kind == CareerMove.Kind.VERTICAL
    assert (recorded.from_sequence, recorded.from_grade) == (Sequence.SKILLS, "技能三级")
    person = Worker.objects.get(pk=person.pk)
    assert (person.sequence, person.grade) == (Sequence.SKILLS, "技能二级")
    job = Employment.objects.get(worker=person, left_on__isnull=True)
    assert (job.sequence, job.grade) == (Sequence.SKILLS, "技能二级")
    across = move(cast, person, Sequence.TECHNICAL, "助理技术员", on=date(2025, 6, 1))
    assert across.kind == CareerMove.Kind.HORIZONTAL and not across.frontline_promotion


def test_a_frontline_worker_moving_into_management_is_recorded_and_counted_as_such(cast):
    frontline = worker(cast.jiangyin_firm, sequence=Sequence.SKILLS, grade="技能二级")
    office = worker(cast.jiangyin_firm, frontline=False, sequence=Sequence.TECHNICAL, grade="工程师")
    promoted = move(cast, frontline, Sequence.MANAGEMENT, "班组长")
    assert promoted.frontline_promotion and promoted.kind == CareerMove.Kind.HORIZONTAL
    assert not move(cast, office, Sequence.MANAGEMENT, "技术科科长").frontline_promotion
    further = move(cast, Worker.objects.get(pk=frontline.pk), Sequence.MANAGEMENT, "车间副主任", on=date(2025, 6, 1))
    assert not further.frontline_promotion  # already in management: a vertical promotion
    assert figure("careers_frontline_promotions", cast.jiangyin) == 1
    assert figure("careers_moves", cast.jiangyin) == 3
    assert figure("careers_vertical_promotions", cast.jiangyin) == 1
    assert figure("careers_frontline_promotions", cast.gaoyou) == 0
    assert figure("careers_frontline_promotions", cast.jiangyin, "2024") == 0


def test_a_move_that_changes_nothing_or_is_dated_wrongly_is_refused(cast):
    person = worker(cast.jiangyin_firm, grade="技能三级", hired_on=date(2020, 1, 1))
    with pytest.raises(ValidationError, match="与现岗位相同"):
        move(cast, person, Sequence.SKILLS, "技能三级")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        move(cast, person, Sequence.SKILLS, "技能二级", on=date(2025, 7, 1))
    with pytest.raises(ValidationError, match="不能早于入职日期"):
        move(cast, person, Sequence.SKILLS, "技能二级", on=date(2019, 1, 1))
    move(cast, person, Sequence.SKILLS, "技能二级", on=date(2025, 5, 1))
    with pytest.raises(ValidationError, match="已有2025-05-01生效的岗位变动"):
        move(cast, Worker.objects.get(pk=person.pk), Sequence.SKILLS, "技能一级", on=date(2025, 4, 1))
    with pytest.raises(ValidationError, match="请填写批准机构"):
        services.record_move(
            cast.users["qiye"], person, to_sequence="skills", to_grade="x", effective_on=TODAY, approving_body=" "
        )


def test_moves_are_recorded_for_workers_in_scope_only(cast):
    with pytest.raises(ValidationError, match="不在您管辖范围内"):
        move(cast, worker(cast.gaoyou_firm), Sequence.MANAGEMENT, "班组长")
    with pytest.raises(PermissionDenied):
        move(cast, worker(cast.jiangyin_firm), Sequence.MANAGEMENT, "班组长", user="lingdao")


def test_moves_are_visible_within_scope(cast):
    recorded = move(cast, worker(cast.jiangyin_firm), Sequence.MANAGEMENT, "班组长")
    assert list(CareerMove.objects.visible_to(cast.users["jiangyin"])) == [recorded]
    assert not CareerMove.objects.visible_to(cast.users["gaoyou"]).exists()


# ---------------------------------------------------------------------------- eligibility


def standing(person, day=TODAY):
    return services.standing_of(person, day)


def test_the_highest_valid_level_and_its_years_decide_the_title_open_to_a_worker(cast):
    senior = worker(cast.jiangyin_firm, "高级工满两年")
    certificate(senior, Level.SENIOR, date(2023, 6, 1))
    assert standing(senior).target_rank == TitleRank.ASSISTANT
    fresh = worker(cast.jiangyin_firm, "高级工未满两年")
    certificate(fresh, Level.SENIOR, date(2024, 1, 1))
    found = standing(fresh)
    assert found.target_rank is None and (found.next_rank, found.next_from) == (TitleRank.ASSISTANT, date(2026, 1, 1))
    technician = worker(cast.jiangyin_firm, "技师一年")
    certificate(technician, Level.SENIOR, date(2018, 5, 1))
    certificate(technician, Level.TECHNICIAN, date(2024, 5, 1))
    found = standing(technician)
    assert found.target_rank == TitleRank.ASSISTANT and found.next_rank == TitleRank.ENGINEER
    assert found.next_from == date(2027, 5, 1)
    master = worker(cast.jiangyin_firm, "高级技师")
    certificate(master, Level.SENIOR_TECHNICIAN, date(2019, 1, 1))
    assert standing(master).target_rank == TitleRank.SENIOR


def test_expired_revoked_and_intermediate_certificates_do_not_qualify(cast):
    person = worker(cast.jiangyin_firm)
    certificate(person, Level.INTERMEDIATE, date(2010, 1, 1))
    certificate(person, Level.SENIOR, date(2015, 1, 1), expires_on=date(2024, 12, 31))
    certificate(person, Level.TECHNICIAN, date(2015, 1, 1), revoked=True)
    assert standing(person) is None
    assert standing(person, date(2024, 6, 1)).target_rank == TitleRank.ASSISTANT


def test_a_title_already_held_closes_that_rank_and_those_below(cast):
    person = worker(cast.jiangyin_firm)
    certificate(person, Level.TECHNICIAN, date(2015, 1, 1))
    EngineeringTitle.objects.create(worker=person, rank=TitleRank.ENGINEER, awarded_on=date(2020, 1, 1))
    found = standing(person)
    assert found.target_rank is None and found.held_rank == TitleRank.ENGINEER


def test_the_eligibility_list_keeps_those_who_may_apply_now_or_within_a_year(cast):
    now, soon, later = (worker(cast.jiangyin_firm, name) for name in ("现可申报", "明年可申报", "以后可申报"))
    certificate(now, Level.SENIOR, date(2022, 1, 1))
    certificate(soon, Level.SENIOR, date(2024, 1, 1))
    certificate(later, Level.SENIOR, date(2025, 1, 1))
    outsider = worker(cast.gaoyou_firm, "高邮职工")
    certificate(outsider, Level.SENIOR, date(2010, 1, 1))
    workers = Worker.objects.visible_to(cast.users["jiangyin"])

    def names(show):
        return [row["worker__name"] for row in services.bridge_rows(workers, TODAY, show=show)]

    assert names("now") == ["现可申报"]
    assert names("soon") == ["明年可申报"]
    assert set(names("all")) == {"现可申报", "明年可申报", "以后可申报"}


# ---------------------------------------------------------------------------- applications


def apply(cast, person, rank=TitleRank.ASSISTANT, on=date(2025, 6, 1), user="qiye"):
    return services.apply_for_title(
        cast.users[user], person, target_rank=rank, submitted_on=on, body="无锡市机械工程专业职称评审委员会"
    )


def test_an_application_must_be_open_to_the_worker_on_the_day_it_is_filed(cast):
    person = worker(cast.jiangyin_firm)
    certificate(person, Level.SENIOR, date(2023, 6, 1))
    with pytest.raises(ValidationError) as caught:
        apply(cast, person, TitleRank.ENGINEER)
    assert "申报工程师需取得技师（二级）及以上等级证书满3年" in caught.value.message_dict["target_rank"][0]
    with pytest.raises(ValidationError, match="满2年"):
        apply(cast, person, on=date(2025, 5, 1))  # two years were not yet up on that day
    application = apply(cast, person)
    assert application.qualifying_level == Level.SENIOR and application.enterprise == cast.jiangyin_firm
    with pytest.raises(ValidationError, match="已有一份待评审的申报"):
        apply(cast, person)


def test_a_pass_creates_an_engineering_title_through_the_bridge_and_counts(cast):
    person = worker(cast.jiangyin_firm)
    certificate(person, Level.SENIOR, date(2020, 1, 1))
    application = apply(cast, person)
    decided = services.decide(cast.users["jiangyin"], application, passed=True, decided_on=date(2025, 6, 20))
    title = decided.title
    assert (title.worker, title.rank, title.awarded_on) == (person, TitleRank.ASSISTANT, date(2025, 6, 20))
    assert title.via_title_bridge and title.issuer == "无锡市机械工程专业职称评审委员会"
    assert figure("careers_title_bridge_passes", cast.jiangyin) == 1
    assert figure("careers_title_bridge_passes", cast.province, "2025M06") == 1
    assert figure("careers_title_bridge_applications", cast.jiangyin) == 1
    assert standing(person).target_rank is None  # the title closes the rank
    with pytest.raises(ValidationError, match="已登记结果"):
        services.decide(cast.users["jiangyin"], decided, passed=False, decided_on=date(2025, 6, 21))


def test_a_failure_creates_no_title_and_the_worker_may_apply_again(cast):
    person = worker(cast.jiangyin_firm)
    certificate(person, Level.SENIOR, date(2020, 1, 1))
    failed = services.decide(cast.users["jiangyin"], apply(cast, person), passed=False, decided_on=date(2025, 6, 2))
    assert failed.status == TitleApplication.Status.FAILED and failed.title is None
    assert not EngineeringTitle.objects.exists()
    assert figure("careers_title_bridge_passes", cast.jiangyin) == 0
    apply(cast, person, on=date(2025, 6, 3))


def test_only_offices_in_scope_record_outcomes(cast):
    person = worker(cast.jiangyin_firm)
    certificate(person, Level.SENIOR, date(2020, 1, 1))
    application = apply(cast, person)
    for user in ("qiye", "gaoyou", "lingdao"):
        with pytest.raises(PermissionDenied):
            services.decide(cast.users[user], application, passed=True, decided_on=date(2025, 6, 2))
    with pytest.raises(ValidationError, match="不能早于申报日期"):
        services.decide(cast.users["jiangyin"], application, passed=True, decided_on=date(2025, 5, 2))
    assert TitleApplication.objects.visible_to(cast.users["qiye"]).get() == application
    assert not TitleApplication.objects.visible_to(cast.users["gaoyou"]).exists()


def test_moves_and_bridge_outcomes_appear_on_the_workers_timeline(cast):
    from changai.workers.timeline import timeline_for

    person = worker(cast.jiangyin_firm)
    certificate(person, Level.SENIOR, date(2020, 1, 1))
    move(cast, person, Sequence.MANAGEMENT, "班组长")
    services.decide(cast.users["jiangyin"], apply(cast, person), passed=True, decided_on=date(2025, 6, 20))
    entries = {(entry.day, entry.kind, entry.text) for entry in timeline_for(person)}
    assert (date(2025, 5, 1), "晋升管理岗位", "技能序列 → 管理序列 班组长（公司人力资源部批准）") in entries
    assert (date(2025, 6, 20), "贯通评审", "贯通评审通过，取得助理工程师") in entries

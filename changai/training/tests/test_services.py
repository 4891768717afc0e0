from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changai.core.periods import Period
from changai.indicators.registry import get_computed
from changai.training import services
from changai.training.models import Attendance, EducationUpgrade, Enrolment, StudyLevel, TrainingClass
from changai.training.tests.factories import training_class, worker
from changai.workers.models import Education


def figure(code, org, period="2025"):
    return get_computed(code).compute(Period.parse(period), [org])[org.pk]


@pytest.fixture
def county_class(cast):
    """A class the Jiangyin county office runs, with three four-hour sessions."""
    office = cast.users["jiangyin"]
    item = training_class(office, cast.jiangyin, required_hours=Decimal("8"))
    for day in (date(2025, 3, 3), date(2025, 3, 10), date(2025, 4, 1)):
        services.add_session(office, item, held_on=day, hours=Decimal("4"))
    return item


def enrolled(cast, item, *people):
    return services.enrol(cast.users["jiangyin"], item, people, on=date(2025, 3, 1)).enrolled


def sessions(item):
    return list(item.sessions.order_by("number"))


def test_each_attended_session_of_one_person_counts_one_person_time(cast, county_class):
    first, second = enrolled(cast, county_class, worker(cast.jiangyin_firm), worker(cast.line_firm))
    one, two, three = sessions(county_class)
    office = cast.users["jiangyin"]
    services.set_attendance(office, one, [first, second])
    services.set_attendance(office, two, [first])
    services.set_attendance(office, two, [first])  # saved twice: still one person-time
    assert services.mark_present(office, two, [first]) == 0
    assert services.class_summary(county_class)["person_times"] == 3
    first.refresh_from_db()
    assert (first.attended_sessions, first.attended_hours) == (2, Decimal("8"))
    services.set_attendance(office, one, [second])  # first was marked by mistake
    first.refresh_from_db()
    assert (first.attended_sessions, first.attended_hours) == (1, Decimal("4"))
    assert Attendance.objects.count() == 2


def test_person_times_are_counted_in_the_period_the_session_was_held_at_the_workers_enterprise(cast, county_class):
    first = enrolled(cast, county_class, worker(cast.jiangyin_firm))[0]
    # The province enrols a Gaoyou worker into the Jiangyin class: the person-time counts in Gaoyou.
    second = services.enrol(cast.users["sheng"], county_class, [worker(cast.gaoyou_firm)]).enrolled[0]
    one, _, three = sessions(county_class)
    services.set_attendance(cast.users["jiangyin"], one, [first, second])
    services.set_attendance(cast.users["jiangyin"], three, [first])
    assert figure("training_class_person_times", cast.jiangyin_firm, "2025M03") == 1
    assert figure("training_class_person_times", cast.jiangyin_firm, "2025Q2") == 1
    assert figure("training_class_person_times", cast.province, "2025") == 3
    assert figure("training_class_person_times", cast.gaoyou, "2025") == 1  # a Gaoyou worker at a Jiangyin class
    assert figure("training_class_person_times", cast.jiangyin, "2024") == 0


def test_only_workers_whose_hours_reach_the_requirement_complete(cast, county_class):
    keen, absent = enrolled(cast, county_class, worker(cast.jiangyin_firm, "勤学"), worker(cast.jiangyin_firm, "缺课"))
    one, two, _ = sessions(county_class)
    office = cast.users["jiangyin"]
    services.set_attendance(office, one, [keen, absent])
    services.set_attendance(office, two, [keen])
    result = services.complete(office, county_class, Enrolment.objects.all(), date(2025, 4, 2))
    assert [e.worker.name for e in result.completed] == ["勤学"]
    assert [e.worker.name for e in result.short] == ["缺课"]
    assert figure("training_completions", cast.jiangyin, "2025M04") == 1
    services.set_attendance(office, two, [])  # the attendance was wrong: the completion no longer stands
    keen.refresh_from_db()
    assert not keen.completed and keen.completed_on is None
    assert figure("training_completions", cast.jiangyin, "2025") == 0


def test_completion_is_not_dated_before_the_class_or_in_the_future(cast, county_class):
    (person,) = enrolled(cast, county_class, worker(cast.jiangyin_firm))
    with pytest.raises(ValidationError, match="不能早于开班日期"):
        services.complete(cast.users["jiangyin"], county_class, [person], date(2025, 1, 1))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.complete(cast.users["jiangyin"], county_class, [person], date(2099, 1, 1))


def test_enrolment_stops_at_capacity_and_keeps_those_already_on_the_roster(cast):
    item = training_class(cast.users["jiangyin"], cast.jiangyin, capacity=2)
    first, second, third = (worker(cast.jiangyin_firm) for _ in range(3))
    services.enrol(cast.users["jiangyin"], item, [first])
    result = services.enrol(cast.users["jiangyin"], item, [first, second])
    assert [e.worker for e in result.enrolled] == [second] and result.already == [first]
    with pytest.raises(ValidationError, match="名额不足：本班限额2人，已报名2人"):
        services.enrol(cast.users["jiangyin"], item, [third])


def test_only_workers_of_enterprises_in_scope_can_be_enrolled(cast):
    item = training_class(cast.users["qiye"], cast.jiangyin_firm)
    with pytest.raises(ValidationError, match="不在您管辖范围内"):
        services.enrol(cast.users["qiye"], item, [worker(cast.line_firm)])


def test_only_the_organisers_side_runs_a_class(cast, county_class):
    (person,) = enrolled(cast, county_class, worker(cast.jiangyin_firm))
    with pytest.raises(PermissionDenied):
        services.set_attendance(cast.users["qiye"], sessions(county_class)[0], [person])
    with pytest.raises(PermissionDenied):
        services.enrol(cast.users["gaoyou"], county_class, [worker(cast.gaoyou_firm)])


def test_a_session_must_fall_within_the_class_dates(cast, county_class):
    with pytest.raises(ValidationError) as caught:
        services.add_session(cast.users["jiangyin"], county_class, held_on=date(2025, 6, 1), hours=Decimal("2"))
    assert "上课日期应在2025-03-03至2025-04-02之间" in caught.value.message_dict["held_on"][0]


def test_editing_a_class_keeps_its_sessions_roster_and_completions_consistent(cast, county_class):
    people = enrolled(cast, county_class, worker(cast.jiangyin_firm), worker(cast.jiangyin_firm))
    county_class.capacity = 1
    county_class.starts_on = date(2025, 3, 5)
    with pytest.raises(ValidationError) as caught:
        services.save_class(cast.users["jiangyin"], county_class)
    assert set(caught.value.message_dict) == {"capacity", "starts_on"}
    county_class = TrainingClass.objects.get(pk=county_class.pk)
    office = cast.users["jiangyin"]
    one, two, _ = sessions(county_class)
    services.set_attendance(office, one, people[:1])
    services.set_attendance(office, two, people[:1])
    services.complete(office, county_class, people[:1], date(2025, 3, 10))
    county_class.required_hours = Decimal("12")
    with pytest.raises(ValidationError, match="已有1名学员按原结业学时结业"):
        services.save_class(office, county_class)


def test_a_withdrawal_is_refused_once_attendance_is_recorded(cast, county_class):
    present, idle = enrolled(cast, county_class, worker(cast.jiangyin_firm), worker(cast.jiangyin_firm))
    services.set_attendance(cast.users["jiangyin"], sessions(county_class)[0], [present])
    with pytest.raises(ValidationError, match="已有出勤记录"):
        services.withdraw(cast.users["jiangyin"], present)
    services.withdraw(cast.users["jiangyin"], idle)
    assert list(county_class.enrolments.all()) == [present]


# ---------------------------------------------------------------------------- scope


def test_an_enterprise_union_sees_its_own_workers_in_a_county_class_and_nothing_else(cast, county_class):
    own, other = enrolled(cast, county_class, worker(cast.jiangyin_firm), worker(cast.line_firm))
    qiye, gaoyou = cast.users["qiye"], cast.users["gaoyou"]
    assert list(TrainingClass.objects.visible_to(qiye)) == [county_class]
    assert list(Enrolment.objects.visible_to(qiye)) == [own]
    assert set(Enrolment.objects.visible_to(cast.users["jiangyin"])) == {own, other}
    assert not TrainingClass.objects.visible_to(gaoyou).exists()
    assert not Enrolment.objects.visible_to(gaoyou).exists()
    assert not services.can_manage_class(qiye, county_class)


def test_everyone_in_scope_of_the_organiser_sees_an_empty_class(cast, county_class):
    assert list(TrainingClass.objects.visible_to(cast.users["sheng"])) == [county_class]
    assert list(TrainingClass.objects.visible_to(cast.users["wuxi"])) == [county_class]
    assert not TrainingClass.objects.visible_to(cast.users["qiye"]).exists()


# ---------------------------------------------------------------------------- education upgrades


def upgrade(cast, person, started_on=date(2024, 9, 1)):
    return services.save_upgrade(
        cast.users["qiye"],
        EducationUpgrade(
            worker=person,
            school="无锡职业技术学院",
            programme="机电一体化",
            level=StudyLevel.COLLEGE,
            started_on=started_on,
            expected_on=date(2027, 7, 1),
        ),
    )


def test_scholarships_add_up_per_period_and_per_subtree(cast):
    study = upgrade(cast, worker(cast.jiangyin_firm))
    qiye, jiangyin = cast.users["qiye"], cast.users["jiangyin"]
    services.pay_scholarship(qiye, study, amount=Decimal("1500"), paid_on=date(2024, 10, 8), payer=cast.jiangyin_firm)
    services.pay_scholarship(jiangyin, study, amount=Decimal("2000.50"), paid_on=date(2025, 3, 1), payer=cast.jiangyin)
    services.pay_scholarship(qiye, study, amount=Decimal("1500"), paid_on=date(2025, 10, 8), payer=cast.jiangyin_firm)
    assert figure("training_scholarships_paid", cast.jiangyin, "2025") == Decimal("3500.50")
    assert figure("training_scholarships_paid", cast.province, "2024") == Decimal("1500")
    assert figure("training_scholarships_paid", cast.gaoyou, "2025") == 0
    assert services.scholarship_total(study.payments.all()) == Decimal("5000.50")


def test_a_scholarship_needs_a_payer_in_scope_a_positive_amount_and_a_sensible_date(cast):
    study = upgrade(cast, worker(cast.jiangyin_firm))
    qiye = cast.users["qiye"]
    with pytest.raises(ValidationError, match="发放单位不在您的管辖范围内"):
        services.pay_scholarship(qiye, study, amount=Decimal("100"), paid_on=date(2025, 1, 1), payer=cast.jiangyin)
    with pytest.raises(ValidationError, match="金额应大于0"):
        services.pay_scholarship(qiye, study, amount=Decimal("0"), paid_on=date(2025, 1, 1), payer=cast.jiangyin_firm)
    with pytest.raises(ValidationError, match="不能早于入学日期"):
        services.pay_scholarship(qiye, study, amount=Decimal("9"), paid_on=date(2024, 1, 1), payer=cast.jiangyin_firm)
    services.withdraw_study(qiye, study, date(2025, 1, 31))
    with pytest.raises(ValidationError, match="已于2025-01-31退学"):
        services.pay_scholarship(qiye, study, amount=Decimal("9"), paid_on=date(2025, 2, 1), payer=cast.jiangyin_firm)


def test_graduating_raises_the_workers_recorded_education_but_never_lowers_it(cast):
    person = worker(cast.jiangyin_firm)
    person.education = Education.SENIOR
    person.save()
    services.graduate(cast.users["qiye"], upgrade(cast, person), date(2025, 7, 1))
    person.refresh_from_db()
    assert person.education == Education.COLLEGE
    person.education = Education.BACHELOR
    person.save()
    services.graduate(cast.users["qiye"], upgrade(cast, person, date(2023, 9, 1)), date(2025, 7, 1))
    person.refresh_from_db()
    assert person.education == Education.BACHELOR


def test_workers_studying_are_counted_at_the_periods_end(cast):
    graduating, leaving = worker(cast.jiangyin_firm), worker(cast.jiangyin_firm)
    first, second = upgrade(cast, graduating), upgrade(cast, leaving)
    upgrade(cast, worker(cast.jiangyin_firm), started_on=date(2025, 9, 1))
    services.graduate(cast.users["qiye"], first, date(2025, 7, 1))
    services.withdraw_study(cast.users["qiye"], second, date(2025, 3, 1))
    assert figure("training_upgrade_students", cast.jiangyin, "2024") == 2
    assert figure("training_upgrade_students", cast.jiangyin, "2025H1") == 1
    assert figure("training_upgrade_students", cast.jiangyin, "2025") == 1


def test_upgrades_are_recorded_for_workers_in_scope_only(cast):
    with pytest.raises(ValidationError, match="不在您管辖范围内"):
        upgrade(cast, worker(cast.gaoyou_firm))


def test_training_and_study_appear_on_the_workers_timeline(cast, county_class):
    from changai.workers.timeline import timeline_for

    person = worker(cast.jiangyin_firm)
    (enrolment,) = enrolled(cast, county_class, person)
    one, two, _ = sessions(county_class)
    services.set_attendance(cast.users["jiangyin"], one, [enrolment])
    services.set_attendance(cast.users["jiangyin"], two, [enrolment])
    services.complete(cast.users["jiangyin"], county_class, [enrolment], date(2025, 3, 12))
    study = upgrade(cast, person)
    services.pay_scholarship(
        cast.users["qiye"], study, amount=Decimal("800"), paid_on=date(2024, 10, 1), payer=cast.jiangyin_firm
    )
    entries = {(entry.day, entry.kind) for entry in timeline_for(person)}
    assert {(date(2025, 3, 12), "培训结业"), (date(2024, 9, 1), "求学圆梦"), (date(2024, 10, 1), "助学金")} <= entries


def test_an_upgrade_cannot_be_moved_after_the_scholarships_paid_towards_it(cast):
    study = upgrade(cast, worker(cast.jiangyin_firm))
    services.pay_scholarship(
        cast.users["qiye"], study, amount=Decimal("500"), paid_on=date(2024, 10, 1), payer=cast.jiangyin_firm
    )
    study.started_on = date(2024, 11, 1)
    with pytest.raises(ValidationError, match="已有2024-10-01发放的助学金"):
        services.save_upgrade(cast.users["qiye"], study)

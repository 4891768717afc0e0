from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changai.certificates import services
from changai.certificates.models import Candidate, Certificate, Level, RatingBatch, Route, TitleRank, level_name
from changai.workers.services import move_worker

from .factories import authorise, certificate, occupation, worker

pytestmark = pytest.mark.django_db


def on(day):
    return mock.patch("changai.certificates.services.today", return_value=day)


def messages_of(exc) -> str:
    return " ".join(exc.value.messages)


# ---------------------------------------------------------------------------- the ladder and current levels


def test_the_ladder_has_eight_levels_from_apprentice_to_chief():
    assert [level_name(level) for level in Level] == [
        "学徒工",
        "初级工",
        "中级工",
        "高级工",
        "技师",
        "高级技师",
        "特级技师",
        "首席技师",
    ]


def test_a_worker_holds_several_certificates_and_the_current_level_is_the_highest_valid_per_occupation(cast):
    person = worker(cast.jiangyin_firm)
    certificate(person, Level.INTERMEDIATE, issued_on=date(2019, 5, 1))
    certificate(person, Level.SENIOR, issued_on=date(2022, 5, 1))
    certificate(person, Level.TECHNICIAN, issued_on=date(2023, 5, 1), expires_on=date(2025, 5, 1))
    certificate(person, Level.JUNIOR, "焊工", issued_on=date(2021, 1, 1))
    lathe, welder = occupation("车工"), occupation("焊工")
    assert person.certificates.count() == 4
    assert services.current_levels(person, date(2024, 6, 1)) == {lathe.pk: Level.TECHNICIAN, welder.pk: Level.JUNIOR}
    # The technician certificate expired: the senior one counts again.
    assert services.current_levels(person, date(2025, 6, 1)) == {lathe.pk: Level.SENIOR, welder.pk: Level.JUNIOR}
    assert services.highest_level(person, date(2025, 6, 1)) == Level.SENIOR
    assert services.current_levels(person, date(2019, 1, 1)) == {}
    assert services.highest_level(person, date(2019, 1, 1)) is None


def test_a_revoked_certificate_no_longer_counts(cast):
    person = worker(cast.jiangyin_firm)
    certificate(person, Level.SENIOR, issued_on=date(2020, 1, 1))
    top = certificate(person, Level.TECHNICIAN, issued_on=date(2023, 1, 1))
    services.revoke_certificate(cast.users["qiye"], top, "发证机构注销")
    assert services.highest_level(person, date(2024, 1, 1)) == Level.SENIOR
    top.refresh_from_db()
    assert top.revoked and top.revoke_reason == "发证机构注销" and top.revoked_by == cast.users["qiye"]
    with pytest.raises(ValidationError):
        services.revoke_certificate(cast.users["qiye"], top, "再次撤销")


def test_highest_levels_and_titles_come_for_many_workers_at_once(cast):
    first, second, third = (worker(cast.jiangyin_firm, name=n) for n in ("甲", "乙", "丙"))
    certificate(first, Level.SENIOR)
    certificate(second, Level.TECHNICIAN)
    services.record_title(third, rank=TitleRank.ENGINEER, awarded_on=date(2020, 1, 1))
    levels = services.highest_levels([first.pk, second.pk, third.pk], date(2024, 7, 1))
    assert levels == {first.pk: Level.SENIOR, second.pk: Level.TECHNICIAN}
    assert services.highest_titles(cast.jiangyin_firm.workers.all(), date(2024, 7, 1)) == {third.pk: TitleRank.ENGINEER}
    assert services.highest_title(third, date(2019, 1, 1)) is None


def test_expiring_and_expired_lists(cast):
    person = worker(cast.jiangyin_firm)
    soon = certificate(person, Level.SENIOR, issued_on=date(2021, 1, 1), expires_on=date(2024, 8, 15))
    later = certificate(person, Level.SENIOR, "焊工", issued_on=date(2021, 1, 1), expires_on=date(2025, 1, 1))
    gone = certificate(person, Level.JUNIOR, "电工", issued_on=date(2019, 1, 1), expires_on=date(2024, 3, 1))
    day = date(2024, 6, 1)
    visible = Certificate.objects.all()
    assert list(services.expiring(visible, day)) == [soon]
    assert later not in services.expiring(visible, day)
    assert list(services.expired(visible, day)) == [gone]
    # A worker who got the same level again is no longer flagged.
    renewed = certificate(person, Level.JUNIOR, "电工", issued_on=date(2024, 4, 1))
    assert list(services.with_replaced(services.expired(visible, day), day).values_list("replaced", flat=True)) == [
        True
    ]
    assert renewed.is_valid_on(day)


# ---------------------------------------------------------------------------- self-rating authorisation


def test_a_self_rated_certificate_within_the_authorisation_is_issued(cast):
    authorise(cast.jiangyin_firm, "车工", Level.SENIOR)
    person = worker(cast.jiangyin_firm)
    issued = certificate(person, Level.SENIOR, route=Route.SELF_RATING, issued_on=date(2024, 6, 1))
    assert issued.rating_enterprise == cast.jiangyin_firm and issued.employer == cast.jiangyin_firm


def test_it_refuses_an_occupation_outside_the_authorisation(cast):
    authorise(cast.jiangyin_firm, "车工", Level.SENIOR)
    person = worker(cast.jiangyin_firm)
    with pytest.raises(ValidationError) as exc:
        certificate(person, Level.SENIOR, "焊工", route=Route.SELF_RATING)
    assert "江阴测试机械有限公司未获得“焊工”自主评价备案，不能评定高级工" in messages_of(exc)
    assert "occupation" in exc.value.message_dict


def test_it_refuses_a_level_above_the_authorised_maximum(cast):
    authorise(cast.jiangyin_firm, "车工", Level.SENIOR)
    person = worker(cast.jiangyin_firm)
    with pytest.raises(ValidationError) as exc:
        certificate(person, Level.TECHNICIAN, route=Route.SELF_RATING)
    assert "“车工”自主评价备案最高等级为高级工，不能评定技师" in messages_of(exc)
    assert not person.certificates.exists()


def test_it_refuses_an_issue_date_outside_the_authorised_period(cast):
    authorise(cast.jiangyin_firm, "车工", Level.TECHNICIAN, valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31))
    person = worker(cast.jiangyin_firm)
    with pytest.raises(ValidationError) as exc:
        certificate(person, Level.SENIOR, route=Route.SELF_RATING, issued_on=date(2025, 3, 1))
    assert "有效期为2024-01-01至2024-12-31，2025-03-01不在备案期内" in messages_of(exc)
    assert "issued_on" in exc.value.message_dict


def test_another_enterprises_authorisation_does_not_cover_it(cast):
    authorise(cast.line_firm, "车工", Level.CHIEF)
    person = worker(cast.jiangyin_firm)
    with pytest.raises(ValidationError) as exc:
        certificate(person, Level.SENIOR, route=Route.SELF_RATING)
    assert "江阴测试机械有限公司未获得“车工”自主评价备案" in messages_of(exc)


def test_the_rating_enterprise_is_the_employer_on_the_issue_date(cast):
    authorise(cast.jiangyin_firm, "车工", Level.SENIOR, valid_from=date(2020, 1, 1))
    person = worker(cast.jiangyin_firm, hired_on=date(2018, 1, 1))
    move_worker(person, cast.line_firm, date(2024, 3, 1))
    person.refresh_from_db()
    # Rated by the former employer while the worker was there: covered by its authorisation.
    earlier = certificate(person, Level.SENIOR, route=Route.SELF_RATING, issued_on=date(2023, 6, 1))
    assert earlier.rating_enterprise == cast.jiangyin_firm and earlier.employer == cast.jiangyin_firm
    with pytest.raises(ValidationError):
        certificate(person, Level.SENIOR, route=Route.SELF_RATING, issued_on=date(2024, 6, 1))


@pytest.mark.parametrize("route", [Route.COMPETITION, Route.SOCIAL, Route.LEGACY])
def test_other_routes_need_no_authorisation(cast, route):
    person = worker(cast.jiangyin_firm)
    issued = certificate(person, Level.TECHNICIAN, route=route)
    assert issued.rating_enterprise is None


def test_certificate_numbers_are_unique(cast):
    person = worker(cast.jiangyin_firm)
    certificate(person, number="S3202810001")
    with pytest.raises(ValidationError) as exc:
        certificate(person, Level.TECHNICIAN, number=" s3202810001 ")
    assert "已登记过" in exc.value.message_dict["number"][0]


def test_it_checks_dates_and_who_records(cast):
    person = worker(cast.jiangyin_firm)
    with pytest.raises(ValidationError) as exc:
        certificate(person, issued_on=date(2024, 6, 1), expires_on=date(2024, 1, 1))
    assert "expires_on" in exc.value.message_dict
    with on(date(2024, 6, 1)), pytest.raises(ValidationError) as exc:
        certificate(person, issued_on=date(2024, 6, 2))
    assert "issued_on" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        certificate(person, user=cast.users["gaoyou"])
    with pytest.raises(PermissionDenied):
        certificate(person, user=cast.users["lingdao"])
    assert certificate(person, user=cast.users["qiye"]).created_by == cast.users["qiye"]


def test_offices_grant_authorisations_and_enterprises_only_read_them(cast):
    lathe = occupation("车工")
    fields = dict(occupation=lathe, max_level=Level.SENIOR, valid_from=date(2024, 1, 1), valid_to=date(2026, 12, 31))
    granted = services.grant_authorisation(cast.users["jiangyin"], cast.jiangyin_firm, **fields)
    assert granted.created_by == cast.users["jiangyin"]
    for outsider in ("qiye", "gaoyou", "renshe"):
        with pytest.raises(PermissionDenied):
            services.grant_authorisation(cast.users[outsider], cast.jiangyin_firm, **fields)
    with pytest.raises(ValidationError):
        services.grant_authorisation(cast.users["jiangyin"], cast.zhutang, **fields)


def test_narrowing_an_authorisation_below_issued_certificates_is_refused(cast):
    authorisation = authorise(cast.jiangyin_firm, "车工", Level.TECHNICIAN, valid_from=date(2024, 1, 1))
    person = worker(cast.jiangyin_firm)
    issued = certificate(person, Level.TECHNICIAN, route=Route.SELF_RATING, issued_on=date(2024, 6, 1))
    office = cast.users["jiangyin"]
    with pytest.raises(ValidationError) as exc:
        services.update_authorisation(office, authorisation, max_level=Level.SENIOR)
    assert issued.number in messages_of(exc)
    with pytest.raises(ValidationError):
        services.end_authorisation(office, authorisation, date(2024, 5, 31))
    ended = services.end_authorisation(office, authorisation, date(2024, 6, 30))
    assert ended.valid_to == date(2024, 6, 30)
    with pytest.raises(PermissionDenied):
        services.end_authorisation(cast.users["qiye"], ended, date(2024, 6, 15))


# ---------------------------------------------------------------------------- rating batches


def _batch(cast, people, level=Level.SENIOR, occupation_name="车工"):
    user = cast.users["qiye"]
    batch = services.create_batch(
        user, cast.jiangyin_firm, title="2024年第一批车工自主评价", assessed_on=date(2024, 6, 1)
    )
    services.add_candidates(user, batch, people, occupation=occupation(occupation_name), level=level)
    return batch


def _score(cast, batch, scores):
    candidates = services.numbered_candidates(batch)
    results = {c.pk: services.Result(Decimal(t), Decimal(p)) for c, (t, p) in zip(candidates, scores, strict=True)}
    services.record_results(cast.users["qiye"], batch, results)


def test_results_follow_the_pass_mark_and_close_the_assessment(cast):
    people = [worker(cast.jiangyin_firm, name=n) for n in ("甲", "乙")]
    batch = _batch(cast, people)
    assert batch.status == RatingBatch.Status.DRAFT
    _score(cast, batch, [(80, 75), (59, 90)])
    batch.refresh_from_db()
    assert batch.status == RatingBatch.Status.ASSESSED
    results = [c.result for c in services.numbered_candidates(batch)]
    assert results == [Candidate.Result.PASSED, Candidate.Result.FAILED]


def test_a_batch_is_issued_all_or_nothing(cast):
    authorise(cast.jiangyin_firm, "车工", Level.SENIOR)
    people = [worker(cast.jiangyin_firm, name=n) for n in ("甲", "乙", "丙")]
    batch = _batch(cast, people[:2])
    services.add_candidates(cast.users["qiye"], batch, people[2:], occupation=occupation("焊工"), level=Level.SENIOR)
    _score(cast, batch, [(80, 80), (90, 90), (85, 85)])
    with pytest.raises(services.BatchIssueRefused) as exc:
        services.issue_batch(cast.users["qiye"], batch, issued_on=date(2024, 6, 20))
    assert len(exc.value.problems) == 1
    assert exc.value.problems[0].startswith("序号3 丙")
    assert "未获得“焊工”自主评价备案" in exc.value.problems[0]
    assert not Certificate.objects.exists()
    batch.refresh_from_db()
    assert batch.status == RatingBatch.Status.ASSESSED

    authorise(cast.jiangyin_firm, "焊工", Level.SENIOR)
    issued = services.issue_batch(cast.users["qiye"], batch, issued_on=date(2024, 6, 20))
    prefix = services.default_number_prefix(batch)
    assert [c.number for c in issued] == [f"{prefix}0001", f"{prefix}0002", f"{prefix}0003"]
    assert all(c.route == Route.SELF_RATING and c.batch == batch for c in issued)
    batch.refresh_from_db()
    assert batch.status == RatingBatch.Status.ISSUED and batch.issued_on == date(2024, 6, 20)
    with pytest.raises(ValidationError):
        services.issue_batch(cast.users["qiye"], batch, issued_on=date(2024, 6, 20))
    with pytest.raises(ValidationError):
        services.add_candidates(cast.users["qiye"], batch, people, occupation=occupation("车工"), level=Level.SENIOR)


def test_issue_uses_the_numbers_entered_and_refuses_ones_already_used(cast):
    authorise(cast.jiangyin_firm, "车工", Level.SENIOR)
    people = [worker(cast.jiangyin_firm, name=n) for n in ("甲", "乙")]
    other = worker(cast.jiangyin_firm, name="丁")
    certificate(other, number="ZZPJ2024001")
    batch = _batch(cast, people)
    candidates = services.numbered_candidates(batch)
    services.record_results(
        cast.users["qiye"],
        batch,
        {
            candidates[0].pk: services.Result(Decimal(90), Decimal(90), number="ZZPJ2024001"),
            candidates[1].pk: services.Result(Decimal(90), Decimal(90), number="ZZPJ2024002"),
        },
    )
    with pytest.raises(services.BatchIssueRefused) as exc:
        services.issue_batch(cast.users["qiye"], batch, issued_on=date(2024, 6, 20))
    assert exc.value.problems == [f"序号1 甲（{people[0].id_masked}） 车工 高级工：证书编号“ZZPJ2024001”已登记过。"]
    services.record_results(
        cast.users["qiye"], batch, {candidates[0].pk: services.Result(Decimal(90), Decimal(90), number="ZZPJ2024003")}
    )
    issued = services.issue_batch(cast.users["qiye"], batch, issued_on=date(2024, 6, 20), number_prefix="X")
    assert sorted(c.number for c in issued) == ["ZZPJ2024002", "ZZPJ2024003"]


def test_a_batch_with_pending_results_or_no_pass_cannot_be_issued(cast):
    authorise(cast.jiangyin_firm, "车工", Level.SENIOR)
    people = [worker(cast.jiangyin_firm, name=n) for n in ("甲", "乙")]
    batch = _batch(cast, people)
    with pytest.raises(ValidationError) as exc:
        services.issue_batch(cast.users["qiye"], batch, issued_on=date(2024, 6, 20))
    assert "2名考生未录入评价结果" in messages_of(exc)
    _score(cast, batch, [(10, 10), (20, 20)])
    with pytest.raises(ValidationError) as exc:
        services.issue_batch(cast.users["qiye"], batch, issued_on=date(2024, 6, 20))
    assert "没有待发证的合格考生" in messages_of(exc)


def test_only_workers_of_the_enterprise_sit_its_batch_and_outsiders_cannot_manage_it(cast):
    own = worker(cast.jiangyin_firm, name="甲")
    elsewhere = worker(cast.line_firm, name="乙")
    batch = _batch(cast, [own])
    with pytest.raises(ValidationError) as exc:
        services.add_candidates(cast.users["qiye"], batch, [elsewhere], occupation=occupation(), level=Level.SENIOR)
    assert "乙不是江阴测试机械有限公司的在职职工" in messages_of(exc)
    added, skipped = services.add_candidates(cast.users["qiye"], batch, [own], occupation=occupation(), level=4)
    assert (added, skipped) == ([], 1)
    with pytest.raises(PermissionDenied):
        services.add_candidates(cast.users["gaoyou"], batch, [own], occupation=occupation("焊工"), level=4)
    with pytest.raises(PermissionDenied):
        services.create_batch(cast.users["qiye"], cast.gaoyou_firm, title="越权", assessed_on=date(2024, 6, 1))


def test_certificates_and_titles_appear_on_the_worker_timeline_and_in_the_audit_trail(cast):
    from auditlog.models import LogEntry

    from changai.workers.timeline import timeline_for

    person = worker(cast.jiangyin_firm)
    issued = certificate(person, Level.SENIOR, number="S-TL-1", issued_on=date(2022, 5, 1))
    services.revoke_certificate(cast.users["qiye"], issued, "录入错误", on=date(2023, 1, 1))
    services.record_title(person, rank=TitleRank.ASSISTANT, awarded_on=date(2021, 3, 1), specialty="机电")
    entries = [(e.day, e.kind) for e in timeline_for(person) if e.kind in ("取得证书", "证书撤销", "取得职称")]
    assert entries == [(date(2023, 1, 1), "证书撤销"), (date(2022, 5, 1), "取得证书"), (date(2021, 3, 1), "取得职称")]
    texts = [e.text for e in timeline_for(person)]
    assert "取得车工高级工证书（社会培训评价组织，编号S-TL-1）" in texts
    assert LogEntry.objects.get_for_object(issued).count() == 2

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changai.workers import pii, services
from changai.workers.models import Employment, FullNumberView, Occupation, Worker
from changai.workers.tests.factories import id_number, worker_at
from changai.workers.timeline import TimelineEntry, register, sources, timeline_for


def test_registering_derives_gender_and_birth_date_and_keeps_only_cipher_hash_and_masks(cast):
    number = id_number(date(1988, 3, 9))
    worker = services.register_worker(
        cast.jiangyin_firm, name=" 张三 ", id_number=number.lower(), phone="139 1234 5678", user=cast.users["qiye"]
    )
    worker.refresh_from_db()
    assert (worker.name, worker.gender, worker.birth_date) == (
        "张三",
        "M" if int(number[16]) % 2 else "F",
        date(1988, 3, 9),
    )
    assert number not in (worker.id_cipher, worker.id_hash, worker.id_masked)
    assert pii.decrypt(worker.id_cipher) == number
    assert worker.id_masked == number[:3] + "*" * 11 + number[-4:]
    assert worker.phone_masked == "139****5678"
    assert services.find_worker_by_id_number(" " + number + " ") == worker
    job = worker.employments.get()
    assert job.enterprise == cast.jiangyin_firm and job.left_on is None


def test_the_same_person_cannot_be_registered_twice(cast):
    worker = worker_at(cast.jiangyin_firm)
    number = pii.decrypt(worker.id_cipher)
    with pytest.raises(ValidationError, match="已在本企业职工台账中"):
        worker_at(cast.jiangyin_firm, "张三", number=number)
    with pytest.raises(ValidationError, match="目前在其他单位在职"):
        worker_at(cast.gaoyou_firm, "张三", number=number)


def test_only_the_enterprise_union_keeps_its_ledger(cast):
    with pytest.raises(PermissionDenied):
        worker_at(cast.jiangyin_firm, user=cast.users["jiangyin"])  # offices read the ledgers
    with pytest.raises(PermissionDenied):
        worker_at(cast.gaoyou_firm, user=cast.users["qiye"])  # someone else's enterprise
    assert worker_at(cast.jiangyin_firm, user=cast.users["qiye"]).pk


def test_a_move_closes_the_old_stint_the_day_before_and_keeps_one_worker(cast):
    worker = worker_at(cast.jiangyin_firm, hired_on=date(2018, 5, 1), occupation=Occupation.objects.get(name="车工"))
    services.move_worker(worker, cast.gaoyou_firm, date(2024, 7, 1), grade="五级")
    worker.refresh_from_db()
    assert worker.enterprise == cast.gaoyou_firm and worker.hired_on == date(2024, 7, 1)
    assert worker.occupation.name == "车工" and worker.grade == "五级"
    old, new = worker.employments.order_by("hired_on")
    assert (old.enterprise, old.left_on, old.ended_by) == (cast.jiangyin_firm, date(2024, 6, 30), "moved")
    assert (new.enterprise, new.left_on, new.grade) == (cast.gaoyou_firm, None, "五级")
    assert Worker.objects.count() == 1


def test_a_move_needs_both_enterprises_in_scope_and_a_sensible_date(cast):
    worker = worker_at(cast.jiangyin_firm, hired_on=date(2018, 5, 1))
    with pytest.raises(PermissionDenied):
        services.move_worker(worker, cast.gaoyou_firm, date(2024, 7, 1), user=cast.users["qiye"])
    with pytest.raises(ValidationError, match="应晚于在现单位的入职日期"):
        services.move_worker(worker, cast.line_firm, date(2018, 5, 1))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.move_worker(worker, cast.line_firm, date.today() + timedelta(days=1))
    with pytest.raises(ValidationError, match="相同"):
        services.move_worker(worker, cast.jiangyin_firm, date(2024, 7, 1))


def test_leaving_and_being_rehired_elsewhere_keeps_the_timeline(cast):
    worker = worker_at(cast.jiangyin_firm, hired_on=date(2018, 5, 1))
    number = pii.decrypt(worker.id_cipher)
    services.leave_worker(worker, date(2023, 12, 31), reason="合同到期")
    worker.refresh_from_db()
    assert worker.enterprise is None
    with pytest.raises(ValidationError, match="没有在职记录"):
        services.leave_worker(worker, date(2023, 12, 31))
    with pytest.raises(ValidationError, match="应晚于上一份工作的离职日期"):
        worker_at(cast.gaoyou_firm, "张三", number=number, hired_on=date(2023, 6, 1))
    again = worker_at(cast.gaoyou_firm, "张三", number=number, hired_on=date(2024, 2, 1), phone="")
    assert again.pk == worker.pk and again.phone_masked == "139****5678"
    kinds = [(entry.day, entry.kind) for entry in timeline_for(again)]
    assert kinds == [(date(2024, 2, 1), "入职"), (date(2023, 12, 31), "离职"), (date(2018, 5, 1), "入职")]


def test_one_open_employment_at_a_time(cast):
    worker = worker_at(cast.jiangyin_firm)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Employment.objects.create(worker=worker, enterprise=cast.gaoyou_firm)


def test_updating_the_job_updates_the_open_stint(cast):
    worker = worker_at(cast.jiangyin_firm)
    services.update_worker(worker, grade="技师岗", frontline=False, phone="")
    job = worker.employments.get()
    assert (job.grade, job.frontline) == ("技师岗", False)
    assert worker.phone_masked == "" and pii.decrypt(worker.phone_cipher) == ""


def test_changing_an_identity_number_to_someone_elses_is_refused(cast):
    first, second = worker_at(cast.jiangyin_firm, "甲"), worker_at(cast.jiangyin_firm, "乙")
    with pytest.raises(ValidationError, match="另一名职工"):
        services.update_worker(second, id_number=pii.decrypt(first.id_cipher))


def test_full_numbers_for_the_enterprise_union_only_and_every_view_logged(cast):
    worker = worker_at(cast.jiangyin_firm)
    number = pii.decrypt(worker.id_cipher)
    assert services.can_see_full_numbers(cast.users["qiye"], worker)
    assert not services.can_see_full_numbers(cast.users["jiangyin"], worker)  # the office sees it masked
    assert not services.can_see_full_numbers(cast.users["sheng"], worker)
    with pytest.raises(PermissionDenied):
        services.reveal_id_number(cast.users["jiangyin"], worker, FullNumberView.Channel.PAGE)
    assert FullNumberView.objects.count() == 0
    assert services.reveal_id_number(cast.users["qiye"], worker, FullNumberView.Channel.PAGE) == number
    log = FullNumberView.objects.get()
    assert (log.user, log.worker, log.enterprise, log.field, log.channel) == (
        cast.users["qiye"],
        worker,
        cast.jiangyin_firm,
        "id_number",
        "page",
    )
    assert services.reveal_numbers(cast.users["qiye"], worker) == (number, "13912345678")
    assert FullNumberView.objects.filter(field="both").count() == 1


def test_other_apps_add_entries_to_the_timeline(cast):
    worker = worker_at(cast.jiangyin_firm, hired_on=date(2020, 3, 1))

    def honours(person):
        return [TimelineEntry(date(2022, 5, 1), "荣誉", f"{person.name}获评市劳动模范", cast.wuxi)]

    register(honours)
    register(honours)  # once only
    try:
        assert sources().count(honours) == 1
        assert [entry.kind for entry in timeline_for(worker)] == ["荣誉", "入职"]
    finally:
        from changai.workers import timeline

        timeline._SOURCES.remove(honours)

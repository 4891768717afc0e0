import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changai.core.import_services import commit, upload
from changai.core.models import ImportBatch
from changai.training import services
from changai.training.importers import importer_key
from changai.training.models import Attendance, Course, EducationUpgrade, Enrolment, TrainingClass
from changai.training.tests.factories import id_number, training_class, worker
from changai.workers.services import full_id_number

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(name, **kwargs):
    return reverse(f"training:{name}", kwargs=kwargs)


def login(client, cast, name):
    client.force_login(cast.users[name])
    return client


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def workbook(response):
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def values(book) -> list:
    return [cell.value for row in book.active.iter_rows() for cell in row]


@pytest.fixture
def firm_class(cast):
    """An in-house class of the Jiangyin firm, with two three-hour sessions."""
    union = cast.users["qiye"]
    item = training_class(union, cast.jiangyin_firm, required_hours=Decimal("6"))
    for day in (date(2025, 3, 3), date(2025, 3, 4)):
        services.add_session(union, item, held_on=day, hours=Decimal("3"))
    return item


# ---------------------------------------------------------------------------- courses and classes


def test_an_enterprise_union_creates_a_course_and_opens_a_class_of_it(cast, client):
    login(client, cast, "qiye")
    response = client.post(
        url("course_create"),
        {
            "title": "焊工安全操作",
            "organiser": cast.jiangyin_firm.pk,
            "mode": "in_person",
            "hours": "12",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    course = Course.objects.get(title="焊工安全操作")
    assert course.created_by == cast.users["qiye"]
    form = client.get(url("class_create"), {"course": course.pk})
    assert 'value="12.0"' in page(form)
    response = client.post(
        url("class_create"),
        {
            "course": course.pk,
            "organiser": cast.jiangyin_firm.pk,
            "title": "2025年焊工安全班",
            "starts_on": "2025-05-06",
            "ends_on": "2025-05-08",
            "place": "三号车间",
            "capacity": "20",
            "required_hours": "",
        },
    )
    created = TrainingClass.objects.get(title="2025年焊工安全班")
    assert response.url == url("class_detail", trainingclass_pk=created.pk)
    assert created.required_hours == Decimal("12")  # defaults to the course's hours


def test_a_class_form_explains_what_is_wrong_and_saves_nothing(cast, client):
    login(client, cast, "qiye")
    course = services.save_course(
        cast.users["qiye"], Course(title="电工", organiser=cast.jiangyin_firm, mode="online", hours=Decimal("8"))
    )
    response = client.post(
        url("class_create"),
        {
            "course": course.pk,
            "organiser": cast.jiangyin_firm.pk,
            "title": "电工班",
            "starts_on": "2025-05-08",
            "ends_on": "2025-05-06",
            "capacity": "0",
        },
    )
    body = page(response)
    assert "结业日期不能早于开班日期" in body
    assert not TrainingClass.objects.exists()


def test_lists_search_and_export(cast, client, firm_class):
    login(client, cast, "qiye")
    body = page(client.get(url("classes"), {"q": "数控"}))
    assert firm_class.title in body
    assert firm_class.title not in page(client.get(url("classes"), {"q": "不存在的班"}))
    book = workbook(client.get(url("classes"), {"export": "xlsx"}))
    assert firm_class.title in values(book)
    assert "数控车工技能提升" in values(workbook(client.get(url("courses"), {"export": "xlsx"})))
    assert "还没有培训课程" not in page(client.get(url("courses")))


def test_readers_see_classes_but_cannot_open_one(cast, client, firm_class):
    login(client, cast, "lingdao")
    assert firm_class.title in page(client.get(url("classes")))
    assert client.get(url("class_create")).status_code == 403
    assert client.get(url("class_enrol", trainingclass_pk=firm_class.pk)).status_code == 403


def test_outsiders_get_not_found(cast, client, firm_class):
    login(client, cast, "gaoyou")
    assert client.get(url("class_detail", trainingclass_pk=firm_class.pk)).status_code == 404
    assert client.post(url("session_add", trainingclass_pk=firm_class.pk)).status_code == 404


# ---------------------------------------------------------------------------- roster


def test_the_organiser_enrols_marks_attendance_and_completes(cast, client, firm_class):
    first, second = worker(cast.jiangyin_firm, "张三"), worker(cast.jiangyin_firm, "李四")
    login(client, cast, "qiye")
    found = page(client.get(url("class_enrol", trainingclass_pk=firm_class.pk), {"q": "张"}))
    assert "张三" in found and "李四" not in found
    by_number = page(client.get(url("class_enrol", trainingclass_pk=firm_class.pk), {"q": full_id_number(second)}))
    assert "李四" in by_number
    client.post(url("class_enrol", trainingclass_pk=firm_class.pk), {"worker": [first.pk, second.pk]})
    assert firm_class.enrolments.count() == 2
    one, two = firm_class.sessions.order_by("number")
    enrolment = Enrolment.objects.get(worker=first)
    for session in (one, two):
        client.post(
            url("session_attendance", trainingclass_pk=firm_class.pk, trainingsession_pk=session.pk),
            {"enrolment": [enrolment.pk]},
        )
    client.post(
        url("session_attendance", trainingclass_pk=firm_class.pk, trainingsession_pk=one.pk),
        {"enrolment": [enrolment.pk, Enrolment.objects.get(worker=second).pk]},
    )
    response = client.post(
        url("class_complete", trainingclass_pk=firm_class.pk), {"all": "1", "completed_on": "2025-03-04"}, follow=True
    )
    body = page(response)
    assert "已为1名学员办理结业" in body and "李四1人参训学时未达到结业要求" in body
    enrolment.refresh_from_db()
    assert enrolment.completed and enrolment.completed_on == date(2025, 3, 4)
    assert '<div class="fs-5" id="person-times">3</div>' in body
    book = workbook(client.get(url("class_detail", trainingclass_pk=firm_class.pk), {"export": "xlsx"}))
    cells = values(book)
    assert "张三" in cells and cells.count("✓") == 3 and first.id_masked in cells


def test_a_union_sees_its_workers_on_a_county_class_without_running_it(cast, client):
    item = training_class(cast.users["jiangyin"], cast.jiangyin)
    services.enrol(
        cast.users["jiangyin"], item, [worker(cast.jiangyin_firm, "本企业职工"), worker(cast.line_firm, "外企业职工")]
    )
    login(client, cast, "qiye")
    body = page(client.get(url("class_detail", trainingclass_pk=item.pk)))
    assert "本企业职工" in body and "外企业职工" not in body and "报名学员" not in body
    assert client.get(url("class_enrol", trainingclass_pk=item.pk)).status_code == 403


def test_session_dates_outside_the_class_are_refused_with_a_message(cast, client, firm_class):
    login(client, cast, "qiye")
    response = client.post(
        url("session_add", trainingclass_pk=firm_class.pk), {"held_on": "2026-01-01", "hours": "2"}, follow=True
    )
    assert "上课日期应在" in page(response)
    assert firm_class.sessions.count() == 2


# ---------------------------------------------------------------------------- attendance import


def sheet(rows, name="签到表.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.active.append(["培训签到表"])  # a title row above the header
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_attendance_is_imported_from_a_sign_in_sheet(cast, firm_class):
    union = cast.users["qiye"]
    first, second = worker(cast.jiangyin_firm, "王五"), worker(cast.jiangyin_firm, "赵六")
    services.enrol(union, firm_class, [first, second])
    one = firm_class.sessions.get(number=1)
    services.mark_present(union, one, [Enrolment.objects.get(worker=first)])
    number = full_id_number(first)
    rows = [
        ["身份证号", "姓名", "课次", "上课日期"],
        [number, "王五", 1, None],  # already recorded
        [f" {number[:6]} {number[6:]} ", "王五", None, date(2025, 3, 4)],
        [full_id_number(second).translate(str.maketrans("0123456789", "０１２３４５６７８９")), "赵六", 2, "2025.3.4"],
    ]
    batch = upload(union, importer_key(firm_class), sheet(rows))
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert batch.counts == {"created": 2, "updated": 0, "unchanged": 1}
    batch = commit(union, batch)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors
    assert Attendance.objects.count() == 3
    assert Enrolment.objects.get(worker=first).attended_hours == Decimal("6")


def test_a_sign_in_sheet_with_problems_is_reported_by_row_and_column_and_writes_nothing(cast, firm_class):
    union = cast.users["qiye"]
    person = worker(cast.jiangyin_firm, "王五")
    services.enrol(union, firm_class, [person])
    stranger = worker(cast.jiangyin_firm, "路人")
    number = full_id_number(person)
    rows = [
        ["身份证号", "姓名", "课次", "上课日期"],
        [number, "王五", 1, None],
        [number, "王五", 1, None],  # the same row twice
        [full_id_number(stranger), "路人", 1, None],  # not on the roster
        [number, "王小五", 2, None],  # wrong name
        [number, "王五", 9, None],  # no such session
        [number[:17] + ("0" if number[17] != "0" else "1"), "王五", 2, None],  # bad check digit
        [number, "王五", None, None],  # no session at all
        [3.2e17, "王五", 2, None],  # stored as a number
    ]
    batch = upload(union, importer_key(firm_class), sheet(rows))
    assert batch.status == ImportBatch.Status.INVALID
    found = {(error["row"], error["column"]) for error in batch.errors}
    assert found == {
        (4, "id_number"),
        (5, "id_number"),
        (6, "name"),
        (7, "number"),
        (8, "id_number"),
        (9, "number"),
        (10, "id_number"),
    }
    assert not Attendance.objects.exists()


def test_only_the_organiser_may_import_a_classes_attendance(cast):
    item = training_class(cast.users["jiangyin"], cast.jiangyin)
    services.add_session(cast.users["jiangyin"], item, held_on=date(2025, 3, 3), hours=Decimal("2"))
    batch = upload(cast.users["qiye"], importer_key(item), sheet([["身份证号", "课次"], [id_number(1), 1]]))
    assert batch.status == ImportBatch.Status.INVALID
    assert "只有主办方可以登记出勤" in batch.errors[0]["message"]


# ---------------------------------------------------------------------------- education upgrades


def test_an_upgrade_is_recorded_paid_and_graduated_through_the_pages(cast, client):
    person = worker(cast.jiangyin_firm, "孙七")
    login(client, cast, "qiye")
    assert "孙七" in page(client.get(url("upgrade_create"), {"q": "孙"}))
    response = client.post(
        url("upgrade_create") + f"?worker={person.pk}",
        {
            "school": "江阴职业技术学院",
            "programme": "数控技术",
            "level": "college",
            "started_on": "2024-09-01",
            "expected_on": "2027-07-01",
        },
    )
    study = EducationUpgrade.objects.get(worker=person)
    assert response.url == url("upgrade_detail", educationupgrade_pk=study.pk)
    assert study.enterprise == cast.jiangyin_firm
    for amount, day in (("1500", "2024-10-08"), ("2000.50", "2025-03-01")):
        client.post(
            url("upgrade_pay", educationupgrade_pk=study.pk),
            {"amount": amount, "paid_on": day, "payer": cast.jiangyin_firm.pk, "note": "助学金"},
        )
    bad = client.post(
        url("upgrade_pay", educationupgrade_pk=study.pk),
        {"amount": "100", "paid_on": "2020-01-01", "payer": cast.jiangyin_firm.pk},
    )
    assert bad.status_code == 400 and "不能早于入学日期" in bad.content.decode()
    assert '<strong id="paid-total">3500.50</strong>' in page(
        client.get(url("upgrade_detail", educationupgrade_pk=study.pk))
    )
    client.post(url("upgrade_graduate", educationupgrade_pk=study.pk), {"on": "2025-07-01"})
    study.refresh_from_db()
    assert study.status == "graduated"
    total = page(client.get(url("payments"), {"from": "2025-01-01"}))
    assert "<strong>2000.50</strong>" in total
    book = workbook(client.get(url("payments"), {"export": "xlsx"}))
    assert 3500.5 in values(book)
    assert "孙七" in values(workbook(client.get(url("upgrades"), {"export": "xlsx"})))


def test_upgrade_detail_is_not_found_outside_scope(cast, client):
    person = worker(cast.jiangyin_firm)
    study = services.save_upgrade(
        cast.users["qiye"],
        EducationUpgrade(
            worker=person,
            school="学院",
            programme="专业",
            level="college",
            started_on=date(2024, 9, 1),
            expected_on=date(2027, 7, 1),
        ),
    )
    login(client, cast, "gaoyou")
    assert client.get(url("upgrade_detail", educationupgrade_pk=study.pk)).status_code == 404
    login(client, cast, "jiangyin")
    assert "学院" in page(client.get(url("upgrade_detail", educationupgrade_pk=study.pk)))


def test_the_api_lists_classes_in_scope_with_their_counts(cast, client, firm_class):
    union = cast.users["qiye"]
    services.enrol(union, firm_class, [worker(cast.jiangyin_firm)])
    services.mark_present(union, firm_class.sessions.first(), firm_class.enrolments.all())
    login(client, cast, "jiangyin")
    data = client.get("/api/v1/trainings/").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [(r["title"], r["enrolled"], r["person_times"]) for r in rows] == [(firm_class.title, 1, 1)]
    login(client, cast, "gaoyou")
    data = client.get("/api/v1/trainings/").json()
    assert not (data["results"] if isinstance(data, dict) else data)


def test_list_and_roster_pages_take_a_fixed_number_of_queries(cast, client, firm_class):
    services.enrol(cast.users["qiye"], firm_class, [worker(cast.jiangyin_firm) for _ in range(3)])
    login(client, cast, "qiye")

    def queries(name, **kwargs):
        with CaptureQueriesContext(connection) as captured:
            page(client.get(url(name, **kwargs)))
        return len(captured)

    before = (queries("classes"), queries("class_detail", trainingclass_pk=firm_class.pk))
    services.enrol(cast.users["qiye"], firm_class, [worker(cast.jiangyin_firm) for _ in range(5)])
    training_class(cast.users["qiye"], cast.jiangyin_firm)
    assert (queries("classes"), queries("class_detail", trainingclass_pk=firm_class.pk)) == before

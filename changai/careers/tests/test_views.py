import io
from datetime import date
from unittest import mock

import openpyxl
import pytest
from django.urls import reverse

from changai.careers.models import CareerMove, TitleApplication
from changai.certificates.models import EngineeringTitle, Level
from changai.training.tests.factories import certificate, worker
from changai.workers.models import Sequence, Worker

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TODAY = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def fixed_today():
    with mock.patch("changai.careers.services.today", return_value=TODAY):
        yield


def url(name, **kwargs):
    return reverse(f"careers:{name}", kwargs=kwargs)


def login(client, cast, name):
    client.force_login(cast.users[name])
    return client


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def cells(response) -> list:
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [cell.value for row in book.active.iter_rows() for cell in row]


def test_a_union_records_a_frontline_promotion_through_the_pages(cast, client):
    person = worker(cast.jiangyin_firm, "周八", grade="技能二级")
    login(client, cast, "qiye")
    assert "周八" in page(client.get(url("move_create"), {"q": "周"}))
    form = page(client.get(url("move_create"), {"worker": person.pk}))
    assert "转入管理序列将记为“一线职工晋升管理岗位”" in form
    response = client.post(
        url("move_create"),
        {
            "worker": person.pk,
            "to_sequence": "management",
            "to_grade": "班组长",
            "effective_on": "2025-06-01",
            "approving_body": "公司人力资源部",
            "document": "人字〔2025〕12号",
        },
        follow=True,
    )
    body = page(response)
    assert "记为一线职工晋升管理岗位" in body and "其中一线职工晋升管理岗位 <strong>1</strong>" in body
    assert Worker.objects.get(pk=person.pk).sequence == Sequence.MANAGEMENT
    exported = cells(client.get(url("moves"), {"export": "xlsx", "frontline": "1"}))
    assert "周八" in exported and person.id_masked in exported


def test_a_wrong_move_is_shown_on_the_form_and_changes_nothing(cast, client):
    person = worker(cast.jiangyin_firm, grade="技能二级")
    login(client, cast, "qiye")
    response = client.post(
        url("move_create"),
        {
            "worker": person.pk,
            "to_sequence": "skills",
            "to_grade": "技能二级",
            "effective_on": "2025-06-01",
            "approving_body": "人力资源部",
        },
    )
    assert "与现岗位相同" in page(response)
    assert not CareerMove.objects.exists()


def test_moves_are_listed_per_enterprise_and_hidden_from_outsiders(cast, client):
    person = worker(cast.jiangyin_firm, "吴九")
    login(client, cast, "qiye")
    client.post(
        url("move_create"),
        {
            "worker": person.pk,
            "to_sequence": "technical",
            "to_grade": "技术员",
            "effective_on": "2025-06-01",
            "approving_body": "人力资源部",
        },
    )
    login(client, cast, "jiangyin")
    assert "吴九" in page(client.get(url("moves"), {"enterprise": cast.jiangyin_firm.pk}))
    assert "吴九" not in page(client.get(url("moves"), {"enterprise": cast.line_firm.pk}))
    login(client, cast, "gaoyou")
    assert "吴九" not in page(client.get(url("moves")))
    assert client.get(url("move_create"), {"worker": person.pk}).content.decode().count("吴九") == 0


def test_the_eligibility_list_and_its_workbook(cast, client):
    ready = worker(cast.jiangyin_firm, "郑十")
    certificate(ready, Level.TECHNICIAN, date(2021, 3, 1))
    waiting = worker(cast.jiangyin_firm, "冯十一")
    certificate(waiting, Level.SENIOR, date(2024, 3, 1))
    login(client, cast, "qiye")
    body = page(client.get(url("eligibility")))
    assert "郑十" in body and "工程师" in body and "冯十一" not in body
    assert "冯十一" in page(client.get(url("eligibility"), {"show": "soon"}))
    exported = cells(client.get(url("eligibility"), {"export": "xlsx"}))
    assert (
        "郑十" in exported
        and "工程师" in exported
        and date(2021, 3, 1) in [value.date() if hasattr(value, "date") else value for value in exported]
    )
    login(client, cast, "gaoyou")
    assert "郑十" not in page(client.get(url("eligibility")))


def test_an_application_is_filed_by_the_union_and_decided_by_the_office(cast, client):
    person = worker(cast.jiangyin_firm, "陈十二")
    certificate(person, Level.SENIOR, date(2020, 3, 1))
    login(client, cast, "qiye")
    form = page(client.get(url("application_create"), {"worker": person.pk}))
    assert "现可申报<strong>助理工程师</strong>" in form
    response = client.post(
        url("application_create"),
        {"worker": person.pk, "target_rank": "5", "body": "评审委员会", "submitted_on": "2025-06-01"},
    )
    assert "需取得技师（二级）及以上等级证书满3年" in page(response)
    client.post(
        url("application_create"),
        {
            "worker": person.pk,
            "target_rank": "4",
            "specialty": "机械工程",
            "body": "评审委员会",
            "submitted_on": "2025-06-01",
        },
    )
    application = TitleApplication.objects.get()
    assert client.get(url("application_decide", titleapplication_pk=application.pk)).status_code == 403
    login(client, cast, "jiangyin")
    response = client.post(
        url("application_decide", titleapplication_pk=application.pk),
        {"passed": "1", "decided_on": "2025-06-20", "note": "同意"},
        follow=True,
    )
    assert "取得助理工程师职称" in page(response)
    title = EngineeringTitle.objects.get(worker=person)
    assert title.via_title_bridge and title.specialty == "机械工程"
    assert "评审通过 <strong>1</strong>" in page(client.get(url("applications")))
    assert "陈十二" in cells(client.get(url("applications"), {"export": "xlsx"}))
    login(client, cast, "gaoyou")
    assert client.get(url("application_decide", titleapplication_pk=application.pk)).status_code == 404


def test_the_api_lists_moves_and_applications_in_scope(cast, client):
    person = worker(cast.jiangyin_firm, "褚十三")
    login(client, cast, "qiye")
    client.post(
        url("move_create"),
        {
            "worker": person.pk,
            "to_sequence": "management",
            "to_grade": "班组长",
            "effective_on": "2025-06-01",
            "approving_body": "人力资源部",
        },
    )
    data = client.get("/api/v1/career-moves/").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [(r["worker_name"], r["worker_id_number"], r["frontline_promotion"]) for r in rows] == [
        ("褚十三", person.id_masked, True)
    ]
    login(client, cast, "gaoyou")
    data = client.get("/api/v1/career-moves/").json()
    assert not (data["results"] if isinstance(data, dict) else data)

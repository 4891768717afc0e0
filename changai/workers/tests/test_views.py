import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from changai.workers import pii
from changai.workers.models import FullNumberView, Occupation, Worker
from changai.workers.tests.factories import id_number, worker_at


def url(name, **kwargs):
    return reverse(f"workers:{name}", kwargs=kwargs)


@pytest.fixture
def ledger(cast):
    lathe = Occupation.objects.get(name="车工")
    workers = [
        worker_at(cast.jiangyin_firm, "张三", occupation=lathe, education="bachelor"),
        worker_at(cast.jiangyin_firm, "李四", frontline=False, sequence="technical"),
        worker_at(cast.gaoyou_firm, "高邮王五"),
    ]
    return cast, workers


def login(client, cast, username):
    client.force_login(cast.users[username])
    return client


def test_the_ledger_shows_masked_numbers_within_scope(client, ledger):
    cast, (zhang, li, gaoyou) = ledger
    body = login(client, cast, "jiangyin").get(url("list")).content.decode()
    assert "张三" in body and "李四" in body and "高邮王五" not in body
    assert zhang.id_masked in body and pii.decrypt(zhang.id_cipher) not in body
    assert "139****5678" in body


def test_search_by_name_occupation_and_exact_identity_number(client, ledger):
    cast, (zhang, li, _) = ledger
    client = login(client, cast, "qiye")
    assert "李四" not in client.get(url("list"), {"q": "车工"}).content.decode()
    number = pii.decrypt(li.id_cipher)
    body = client.get(url("list"), {"q": number.lower()}).content.decode()
    assert "李四" in body and "张三" not in body
    assert "张三" not in client.get(url("list"), {"q": number[:10]}).content.decode()  # no partial number search
    body = client.get(url("list"), {"frontline": "0"}).content.decode()
    assert "李四" in body and "张三" not in body
    assert "李四" not in client.get(url("list"), {"education": "bachelor"}).content.decode()
    assert "张三" not in client.get(url("list"), {"sequence": "technical"}).content.decode()


def test_detail_is_404_outside_scope(client, ledger):
    cast, (_, _, gaoyou) = ledger
    assert login(client, cast, "jiangyin").get(url("detail", worker_pk=gaoyou.pk)).status_code == 404


def test_reveal_shows_the_full_number_once_and_logs_it(client, ledger):
    cast, (zhang, _, _) = ledger
    number = pii.decrypt(zhang.id_cipher)
    client = login(client, cast, "qiye")
    page = client.get(url("detail", worker_pk=zhang.pk)).content.decode()
    assert "显示完整号码" in page and number not in page
    assert client.get(url("reveal", worker_pk=zhang.pk)).status_code == 405
    response = client.post(url("reveal", worker_pk=zhang.pk))
    body = response.content.decode()
    assert number in body and "13912345678" in body and response["Cache-Control"] == "no-store"
    view = FullNumberView.objects.get()
    assert (view.worker, view.channel, view.field, view.ip) == (zhang, "page", "both", "127.0.0.1")


def test_offices_cannot_reveal_but_read_the_log(client, ledger):
    cast, (zhang, _, _) = ledger
    office = login(client, cast, "jiangyin")
    assert "显示完整号码" not in office.get(url("detail", worker_pk=zhang.pk)).content.decode()
    assert office.post(url("reveal", worker_pk=zhang.pk)).status_code == 403
    FullNumberView.objects.create(
        user=cast.users["qiye"], worker=zhang, enterprise=cast.jiangyin_firm, field="both", channel="page"
    )
    body = office.get(url("full_views")).content.decode()
    assert "张三" in body and zhang.id_masked in body
    client.force_login(cast.users["qiye"])
    assert client.get(url("full_views")).status_code == 403
    client.force_login(cast.users["gaoyou"])
    assert "张三" not in client.get(url("full_views")).content.decode()


def _sheet(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook["职工台账"].iter_rows(values_only=True))


def test_export_is_masked_for_offices_and_full_and_logged_for_the_union(client, ledger):
    cast, (zhang, li, _) = ledger
    office = login(client, cast, "jiangyin")
    rows = _sheet(office.get(url("list"), {"export": "xlsx"}))
    assert rows[0][:3] == ("*姓名", "*身份证号", "手机号")
    assert {row[1] for row in rows[1:]} == {zhang.id_masked, li.id_masked}
    assert FullNumberView.objects.count() == 0
    client.force_login(cast.users["qiye"])
    rows = _sheet(client.get(url("list"), {"export": "xlsx", "q": "张三"}))
    assert rows[1][:3] == ("张三", pii.decrypt(zhang.id_cipher), "13912345678")
    view = FullNumberView.objects.get()
    assert (view.channel, view.rows, view.enterprise, view.worker) == ("export", 1, cast.jiangyin_firm, None)


def test_the_prefilled_template_imports_back(client, ledger):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from changai.core import import_services

    cast, _ = ledger
    client = login(client, cast, "qiye")
    response = client.get(url("template"))
    batch = import_services.upload(
        cast.users["qiye"], "workers.workers", SimpleUploadedFile("t.xlsx", response.content)
    )
    assert batch.status == "ready", batch.errors
    assert batch.counts == {"created": 0, "updated": 2, "unchanged": 0}
    assert import_services.commit(cast.users["qiye"], batch).counts == {"created": 0, "updated": 0, "unchanged": 2}


def test_add_edit_move_and_leave_through_the_pages(client, cast):
    client = login(client, cast, "qiye")
    number = id_number(date(1990, 7, 1))
    bad = client.post(
        url("create"),
        {
            "enterprise": cast.jiangyin_firm.pk,
            "name": "赵六",
            "id_number": number[:-1] + "0" if number[-1] != "0" else number[:-1] + "1",
            "sequence": "skills",
        },
    )
    assert "校验位不正确" in bad.content.decode()
    response = client.post(
        url("create"),
        {
            "enterprise": cast.jiangyin_firm.pk,
            "name": "赵六",
            "id_number": number,
            "phone": "13800000000",
            "sequence": "skills",
            "hired_on": "2021-04-01",
            "frontline": "on",
        },
    )
    worker = Worker.objects.get(name="赵六")
    assert response.status_code == 302 and worker.hired_on == date(2021, 4, 1)
    response = client.post(
        url("edit", worker_pk=worker.pk),
        {
            "name": "赵六",
            "id_number": "",
            "phone": "",
            "sequence": "technical",
            "grade": "T3",
            "hired_on": "2021-04-01",
        },
    )
    worker.refresh_from_db()
    assert response.status_code == 302 and (worker.sequence, worker.grade, worker.phone_masked) == (
        "technical",
        "T3",
        "138****0000",
    )
    assert pii.decrypt(worker.id_cipher) == number
    # qiye keeps one enterprise: nowhere to move to
    assert "没有其他企业可调入" in client.get(url("move", worker_pk=worker.pk)).content.decode()
    response = client.post(url("leave", worker_pk=worker.pk), {"on": "2021-03-01"})
    assert "不能早于入职日期" in response.content.decode()
    response = client.post(url("leave", worker_pk=worker.pk), {"on": "2024-05-31", "reason": "辞职"})
    assert response.status_code == 302
    assert "辞职" in client.get(url("former")).content.decode()
    assert client.get(url("detail", worker_pk=worker.pk)).status_code == 404  # no longer on this ledger


def test_offices_cannot_edit(client, ledger):
    cast, (zhang, _, _) = ledger
    office = login(client, cast, "jiangyin")
    assert office.get(url("edit", worker_pk=zhang.pk)).status_code == 403
    assert office.get(url("create")).status_code == 403
    assert office.post(url("leave", worker_pk=zhang.pk), {"on": "2024-01-01"}).status_code == 403


def test_occupation_catalogue_search(client, cast):
    client = login(client, cast, "jiangyin")
    body = client.get(url("occupations"), {"q": "焊"}).content.decode()
    assert "6-18-02-04" in body and "车工" not in body
    assert "车工" in client.get(url("occupations"), {"q": "6-18-01"}).content.decode()


def test_empty_ledger_invites_to_add(client, cast):
    body = login(client, cast, "qiye").get(url("list")).content.decode()
    assert "台账中还没有职工" in body and "批量导入" in body

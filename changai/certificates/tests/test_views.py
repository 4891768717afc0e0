import io
from datetime import date, timedelta
from unittest import mock

import openpyxl
import pytest
from django.urls import reverse

from changai.certificates import services
from changai.certificates.models import Certificate, Level, RatingBatch, Route, SelfRatingAuthorisation

from .factories import authorise, certificate, occupation, worker

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TODAY = date(2024, 7, 1)


@pytest.fixture(autouse=True)
def fixed_today():
    with mock.patch("changai.certificates.services.today", return_value=TODAY):
        yield


def url(name, **kwargs):
    return reverse(f"certificates:{name}", kwargs=kwargs)


def login(client, cast, name):
    client.force_login(cast.users[name])
    return client


def page(response) -> str:
    return response.content.decode()


def sheet_values(response) -> list:
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]


@pytest.fixture
def ledger(cast):
    zhang = worker(cast.jiangyin_firm, name="张建国")
    li = worker(cast.jiangyin_firm, name="李秀英", occupation_name="焊工")
    far = worker(cast.gaoyou_firm, name="高邮职工")
    certificate(zhang, Level.SENIOR, number="S-ZHANG-1", issued_on=date(2022, 3, 1))
    certificate(
        li,
        Level.INTERMEDIATE,
        "焊工",
        number="S-LI-1",
        issued_on=date(2021, 3, 1),
        expires_on=TODAY + timedelta(days=30),
    )
    certificate(far, Level.TECHNICIAN, number="S-FAR-1", issued_on=date(2023, 3, 1))
    return {"zhang": zhang, "li": li, "far": far}


def test_the_list_shows_the_scope_and_searches_by_name_number_and_id(client, cast, ledger):
    login(client, cast, "jiangyin")
    body = page(client.get(url("list")))
    assert "张建国" in body and "李秀英" in body and "高邮职工" not in body
    assert ledger["zhang"].full_id_number not in body and ledger["zhang"].id_masked in body
    assert "李秀英" not in page(client.get(url("list"), {"q": "张建"}))
    by_id = page(client.get(url("list"), {"q": ledger["li"].full_id_number}))
    assert "李秀英" in by_id and "张建国" not in by_id
    assert "张建国" in page(client.get(url("list"), {"q": "s-zhang"}))
    # Another county's worker cannot be found by identity number either.
    assert "高邮职工" not in page(client.get(url("list"), {"q": ledger["far"].full_id_number}))


def test_the_list_filters_and_exports_masked(client, cast, ledger):
    login(client, cast, "jiangyin")
    welder = occupation("焊工")
    body = page(client.get(url("list"), {"occupation": welder.pk}))
    assert "李秀英" in body and "张建国" not in body
    assert "张建国" in page(client.get(url("list"), {"level": Level.SENIOR, "route": Route.SOCIAL, "year": 2022}))
    assert "还没有登记" not in page(client.get(url("list"), {"year": 2019})) and "没有符合条件的证书" in page(
        client.get(url("list"), {"year": 2019})
    )
    rows = sheet_values(client.get(url("list"), {"export": "xlsx"}))
    assert rows[0][:3] == ["姓名", "身份证号（脱敏）", "现工作单位"]
    names = {row[0] for row in rows[1:]}
    assert names == {"张建国", "李秀英"}
    assert all("*" in row[1] for row in rows[1:])


def test_expiring_and_expired_tabs(client, cast, ledger):
    old = certificate(
        ledger["zhang"], Level.JUNIOR, "电工", number="S-OLD", issued_on=date(2015, 1, 1), expires_on=date(2020, 1, 1)
    )
    login(client, cast, "qiye")
    soon = page(client.get(url("expiring")))
    assert "S-LI-1" in soon and "还有30天" in soon and "S-OLD" not in soon
    expired = page(client.get(url("expiring"), {"tab": "expired"}))
    assert old.number in expired and "S-LI-1" not in expired
    rows = sheet_values(client.get(url("expiring"), {"tab": "expired", "export": "xlsx"}))
    assert [row[7] for row in rows[1:]] == ["S-OLD"]


def test_a_certificate_is_entered_for_a_worker_and_a_self_rating_outside_the_filing_is_refused(client, cast, ledger):
    authorise(cast.jiangyin_firm, "车工", Level.SENIOR)
    zhang = ledger["zhang"]
    login(client, cast, "qiye")
    form = page(client.get(url("create", worker_pk=zhang.pk)))
    assert "录入技能等级证书" in form
    data = {
        "occupation": occupation("车工").pk,
        "level": Level.TECHNICIAN,
        "route": Route.SELF_RATING,
        "number": "ZP-2024-9",
        "issued_on": "2024-06-01",
    }
    refused = client.post(url("create", worker_pk=zhang.pk), data)
    assert refused.status_code == 200
    assert "自主评价备案最高等级为高级工，不能评定技师" in page(refused)
    assert not Certificate.objects.filter(number="ZP-2024-9").exists()
    response = client.post(url("create", worker_pk=zhang.pk), {**data, "level": Level.SENIOR})
    assert response.status_code == 302
    issued = Certificate.objects.get(number="ZP-2024-9")
    assert issued.rating_enterprise == cast.jiangyin_firm and issued.created_by == cast.users["qiye"]
    skills = page(client.get(url("worker", worker_pk=zhang.pk)))
    assert "ZP-2024-9" in skills and "高级工（三级）" in skills


def test_readers_see_but_do_not_enter_and_outsiders_get_404(client, cast, ledger):
    zhang = ledger["zhang"]
    cert = zhang.certificates.get()
    login(client, cast, "lingdao")
    assert client.get(url("worker", worker_pk=zhang.pk)).status_code == 200
    assert client.get(url("create", worker_pk=zhang.pk)).status_code == 403
    assert client.post(url("revoke", certificate_pk=cert.pk), {"reason": "x", "on": "2024-07-01"}).status_code == 403
    login(client, cast, "gaoyou")
    assert client.get(url("worker", worker_pk=zhang.pk)).status_code == 404
    assert client.get(url("detail", certificate_pk=cert.pk)).status_code == 404
    assert client.get(url("create", worker_pk=zhang.pk)).status_code == 404


def test_revoking_a_certificate(client, cast, ledger):
    cert = ledger["zhang"].certificates.get()
    login(client, cast, "qiye")
    assert "撤销证书" in page(client.get(url("detail", certificate_pk=cert.pk)))
    missing = client.post(url("revoke", certificate_pk=cert.pk), {"reason": "", "on": "2024-07-01"})
    assert missing.status_code == 400
    response = client.post(url("revoke", certificate_pk=cert.pk), {"reason": "录入错误", "on": "2024-07-01"})
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.revoked and cert.revoke_reason == "录入错误"
    assert "已撤销" in page(client.get(url("detail", certificate_pk=cert.pk)))


def test_titles_are_entered_and_edited_per_worker(client, cast, ledger):
    zhang = ledger["zhang"]
    login(client, cast, "qiye")
    data = {
        "rank": 5,
        "specialty": "机械制造",
        "awarded_on": "2023-12-01",
        "issuer": "无锡市人社局",
        "via_title_bridge": "on",
    }
    assert client.post(url("title_create", worker_pk=zhang.pk), data).status_code == 302
    again = client.post(url("title_create", worker_pk=zhang.pk), data)
    assert "已登记过工程师职称" in page(again)
    title = zhang.titles.get()
    assert title.via_title_bridge
    response = client.post(url("title_edit", engineeringtitle_pk=title.pk), {**data, "rank": 6})
    assert response.status_code == 302
    assert "高级工程师" in page(client.get(url("worker", worker_pk=zhang.pk)))


def test_find_a_worker_by_name_or_identity_number(client, cast, ledger):
    login(client, cast, "qiye")
    assert "张建国" in page(client.get(url("find_worker"), {"q": "建国"}))
    assert "张建国" in page(client.get(url("find_worker"), {"q": ledger["zhang"].full_id_number.lower()}))
    assert "没有找到" in page(client.get(url("find_worker"), {"q": ledger["far"].full_id_number}))


def test_offices_record_authorisations_and_enterprises_read_them(client, cast):
    login(client, cast, "jiangyin")
    data = {
        "enterprise": cast.jiangyin_firm.pk,
        "occupation": occupation("车工").pk,
        "max_level": Level.TECHNICIAN,
        "valid_from": "2024-01-01",
        "valid_to": "2026-12-31",
        "document": "澄人社备〔2024〕5号",
        "granted_by": "江阴市人社局",
    }
    assert client.post(url("authorisation_create"), {**data, "enterprise": cast.gaoyou_firm.pk}).status_code == 200
    assert client.post(url("authorisation_create"), data).status_code == 302
    authorisation = SelfRatingAuthorisation.objects.get()
    assert authorisation.created_by == cast.users["jiangyin"]
    response = client.post(url("authorisation_end", authorisation_pk=authorisation.pk), {"on": "2025-06-30"})
    assert response.status_code == 302
    authorisation.refresh_from_db()
    assert authorisation.valid_to == date(2025, 6, 30)

    login(client, cast, "qiye")
    body = page(client.get(url("authorisation_list")))
    assert "澄人社备〔2024〕5号" in body and "登记自主评价备案" not in body
    assert client.get(url("authorisation_create")).status_code == 403
    assert client.get(url("authorisation_edit", authorisation_pk=authorisation.pk)).status_code == 403
    login(client, cast, "gaoyou")
    assert "澄人社备" not in page(client.get(url("authorisation_list")))
    assert client.get(url("authorisation_edit", authorisation_pk=authorisation.pk)).status_code == 404


def test_an_enterprise_runs_a_rating_batch_through_the_pages(client, cast, ledger):
    authorise(cast.jiangyin_firm, "车工", Level.SENIOR)
    zhang, li = ledger["zhang"], ledger["li"]
    login(client, cast, "qiye")
    response = client.post(
        url("batch_create"), {"title": "2024年车工自主评价", "assessed_on": "2024-06-10", "pass_mark": "60"}
    )
    batch = RatingBatch.objects.get()
    assert response.status_code == 302 and batch.enterprise == cast.jiangyin_firm
    picker = page(client.get(url("candidates_add", ratingbatch_pk=batch.pk), {"q": "张"}))
    assert "张建国" in picker and "李秀英" not in picker and "高邮职工" not in picker
    data = {"occupation": occupation("车工").pk, "level": Level.SENIOR, "workers": [zhang.pk, li.pk]}
    assert client.post(url("candidates_add", ratingbatch_pk=batch.pk), data).status_code == 302
    candidates = services.numbered_candidates(batch)
    assert [c.worker for c in candidates] == [zhang, li]
    scores = {}
    for c in candidates:
        scores.update({f"theory_{c.pk}": "85", f"practice_{c.pk}": "90", f"result_{c.pk}": "", f"number_{c.pk}": ""})
    bad = client.post(url("batch_results", ratingbatch_pk=batch.pk), {**scores, f"theory_{candidates[0].pk}": "150"})
    assert bad.status_code == 400
    assert client.post(url("batch_results", ratingbatch_pk=batch.pk), scores).status_code == 302
    batch.refresh_from_db()
    assert batch.status == RatingBatch.Status.ASSESSED
    detail = page(client.get(url("batch_detail", ratingbatch_pk=batch.pk)))
    assert "批量发证（2名合格考生）" in detail

    # The filing does not cover 李秀英's occupation? It does (车工); but narrow it to make one fall outside.
    SelfRatingAuthorisation.objects.update(max_level=Level.INTERMEDIATE)
    issue = {"issued_on": "2024-06-20", "expires_on": "", "issuer": "", "number_prefix": "JY2024"}
    refused = client.post(url("batch_issue", ratingbatch_pk=batch.pk), issue)
    assert refused.status_code == 400
    body = page(refused)
    assert "本批次未发放任何证书" in body and "序号1 张建国" in body and "序号2 李秀英" in body
    assert not Certificate.objects.filter(batch=batch).exists()
    SelfRatingAuthorisation.objects.update(max_level=Level.SENIOR)
    assert client.post(url("batch_issue", ratingbatch_pk=batch.pk), issue).status_code == 302
    assert sorted(Certificate.objects.filter(batch=batch).values_list("number", flat=True)) == [
        "JY20240001",
        "JY20240002",
    ]
    rows = sheet_values(client.get(url("batch_detail", ratingbatch_pk=batch.pk), {"export": "xlsx"}))
    assert rows[3][1] == "张建国" and rows[3][9] == "JY20240001"

    login(client, cast, "gaoyou")
    assert client.get(url("batch_detail", ratingbatch_pk=batch.pk)).status_code == 404
    assert "2024年车工自主评价" not in page(client.get(url("batch_list")))


def test_empty_states(client, cast):
    login(client, cast, "qiye")
    assert "还没有登记技能等级证书" in page(client.get(url("list")))
    assert "还没有自主评价批次" in page(client.get(url("batch_list")))
    assert "还没有登记企业自主评价备案" in page(client.get(url("authorisation_list")))
    assert "没有到期的证书" in page(client.get(url("expiring")))


def test_a_result_that_follows_the_scores_changes_with_them(client, cast, ledger):
    zhang = ledger["zhang"]
    batch = services.create_batch(cast.users["qiye"], cast.jiangyin_firm, title="第二批", assessed_on=date(2024, 6, 10))
    services.add_candidates(cast.users["qiye"], batch, [zhang], occupation=occupation("车工"), level=Level.SENIOR)
    candidate = batch.candidates.get()
    login(client, cast, "qiye")
    fields = {f"theory_{candidate.pk}": "80", f"practice_{candidate.pk}": "80", f"number_{candidate.pk}": ""}
    client.post(url("batch_results", ratingbatch_pk=batch.pk), {**fields, f"result_{candidate.pk}": ""})
    candidate.refresh_from_db()
    assert candidate.result == "passed"
    detail = page(client.get(url("batch_detail", ratingbatch_pk=batch.pk)))
    assert '<option value="" selected>按成绩判定</option>' in detail
    client.post(
        url("batch_results", ratingbatch_pk=batch.pk),
        {**fields, f"theory_{candidate.pk}": "40", f"result_{candidate.pk}": ""},
    )
    candidate.refresh_from_db()
    assert candidate.result == "failed"

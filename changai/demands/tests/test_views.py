import io
from datetime import date, timedelta
from unittest import mock

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from changai.core.import_services import commit, upload
from changai.core.imports import build_template, get_importer
from changai.core.models import ImportBatch
from changai.demands import services, views
from changai.demands.models import Assignment, Category, Demand, DemandBox

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROUTED_ON = date(2024, 9, 27)  # answers due 16 October 2024 (10 working days over the National Day break)
CONTACT = "13800001111"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def on(day):
    return mock.patch("changai.demands.services.today", return_value=day)


def url(name, **kwargs):
    return reverse(f"demands:{name}", kwargs=kwargs)


def login(client, cast, name):
    client.force_login(cast.users[name])
    return client


def page(response) -> str:
    return response.content.decode()


def workbook(response):
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def cells(book) -> list:
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def category(code="pay"):
    return Category.objects.get(code=code)


def raised(cast, title="高级工技能津贴没有落实", **kwargs):
    return services.raise_demand(
        cast.users["qiye"],
        cast.jiangyin_firm,
        title=title,
        content="取得高级工证书的职工尚未领取技能津贴",
        category=category(),
        **kwargs,
    )


def routed(cast, day=ROUTED_ON, **kwargs):
    demand = raised(cast, **kwargs)
    with on(day):
        services.route(cast.users["jiangyin"], demand, cast.hrss)
    return demand


def phone_demand(cast, contact=CONTACT):
    return services.raise_demand(
        None,
        cast.jiangyin_firm,
        title="加班费计算有误",
        content="加班费按基本工资计算，没有按实际工资计算",
        category=category("rights"),
        channel="phone",
        anonymous=True,
        contact=contact,
    )


# ---------------------------------------------------------------------------- the whole round


def test_a_demand_goes_from_the_enterprise_to_the_unit_and_back_through_the_pages(cast, client):
    login(client, cast, "qiye")
    form = page(client.get(url("create")))
    assert "江阴测试机械有限公司" in form and "高邮" not in form
    response = client.post(
        url("create"),
        {
            "org": cast.jiangyin_firm.pk,
            "category": category().pk,
            "title": "高级工技能津贴没有落实",
            "content": "车间取得高级工证书的职工尚未按政策领取每月技能津贴",
            "contact": CONTACT,
        },
    )
    demand = Demand.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", demand_pk=demand.pk)
    assert demand.raised_by == cast.users["qiye"] and demand.channel == "web" and demand.status == "new"

    login(client, cast, "jiangyin")
    triage = page(client.get(url("list"), {"tab": "triage"}))
    assert demand.number in triage and "待分办" in triage
    detail = page(client.get(url("detail", demand_pk=demand.pk)))
    assert "省人力资源社会保障厅" in detail and 'action="' + url("route", demand_pk=demand.pk) in detail
    assert CONTACT in detail  # the handling office keeps the contact for follow-up
    response = client.post(url("route", demand_pk=demand.pk), {"lead": cast.hrss.pk, "co_units": [cast.zhutang.pk]})
    assert response.status_code == 302
    demand.refresh_from_db()
    lead = demand.assignments.get(role="lead")
    assert demand.status == "routed" and lead.unit == cast.hrss
    assert demand.assignments.get(role="co").unit == cast.zhutang
    assert demand.number not in page(client.get(url("list"), {"tab": "triage"}))

    login(client, cast, "renshe")
    assert demand.number in page(client.get(url("list"), {"tab": "mine"}))
    detail = page(client.get(url("detail", demand_pk=demand.pk)))
    assert "签收" in detail and CONTACT not in detail
    assert client.post(url("acknowledge", demand_pk=demand.pk)).status_code == 302
    response = client.post(
        url("answer", demand_pk=demand.pk),
        {"text": "已督促企业按月发放技能津贴", "policy_basis": "苏人社发〔2023〕12号"},
    )
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.status == "answered"
    plan_date = services.today() + timedelta(days=30)
    response = client.post(
        url("plan", demand_pk=demand.pk), {"plan_text": "下月起补发", "plan_date": plan_date.isoformat()}
    )
    assert response.status_code == 302
    response = client.post(url("implemented", demand_pk=demand.pk), {"note": "已补发三个月津贴"})
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.status == "implementing" and demand.implementation_reported_at

    login(client, cast, "qiye")
    detail = page(client.get(url("detail", demand_pk=demand.pk)))
    assert "确认已落实" in detail and "苏人社发〔2023〕12号" in detail
    assert client.post(url("confirm", demand_pk=demand.pk)).status_code == 302
    response = client.post(url("rate", demand_pk=demand.pk), {"rating": "satisfied", "comment": "落实到位"})
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.status == "closed" and demand.rating == "satisfied" and not demand.confirmed_by_office
    timeline = page(client.get(url("detail", demand_pk=demand.pk))).split('id="timeline"')[1]
    steps = [
        "通过网页填报提出诉求",
        "分办至省人力资源社会保障厅",
        "省人力资源社会保障厅签收",
        "省人力资源社会保障厅答复",
        "省人力资源社会保障厅承诺",
        "报告已落实",
        "提出人确认",
        "评价：满意",
    ]
    positions = [timeline.index(step) for step in steps]
    assert positions == sorted(positions)

    login(client, cast, "jiangyin")
    ledger = page(client.get(url("ledger")))
    assert "省人力资源社会保障厅" in ledger and "100.0%" in ledger
    listed = page(client.get(url("list"), {"unit": cast.hrss.pk, "stage": "on_time"}))
    assert demand.number in listed
    assert demand.number not in page(client.get(url("list"), {"unit": cast.hrss.pk, "stage": "overdue"}))
    rows = list(workbook(client.get(url("ledger"), {"export": "xlsx"})).active.iter_rows(values_only=True))
    hrss_row = next(row for row in rows if row[1] == "省人力资源社会保障厅")
    assert hrss_row[0] == 1 and hrss_row[2] == 1 and hrss_row[5] == 1 and hrss_row[11] == 100.0


def test_a_unit_asks_for_an_extension_and_the_office_decides(cast, client):
    demand = routed(cast)
    login(client, cast, "renshe")
    with on(date(2024, 10, 10)):
        response = client.post(
            url("extension", demand_pk=demand.pk), {"until": "2024-10-25", "reason": "需会同财政部门测算"}
        )
        assert response.status_code == 302
        again = client.post(url("extension", demand_pk=demand.pk), {"until": "2024-10-30", "reason": "再延"})
        assert "只能申请一次" in page(again)
        login(client, cast, "jiangyin")
        assert "需会同财政部门测算" in page(client.get(url("detail", demand_pk=demand.pk)))
        client.post(url("extension_decide", demand_pk=demand.pk), {"approve": "1"})
    lead = demand.assignments.get()
    assert lead.extension_approved and lead.due == date(2024, 10, 25)


def test_a_late_assignment_is_marked_and_filtered(cast, client):
    late = routed(cast)
    fresh = raised(cast, title="希望组织叉车司机培训")
    login(client, cast, "jiangyin")
    with on(date(2024, 10, 18)):
        listed = page(client.get(url("list"), {"overdue": "1"}))
        assert late.number in listed and fresh.number not in listed and "逾期" in listed
        assert "逾期" in page(client.get(url("detail", demand_pk=late.pk)))


def test_a_returned_demand_goes_back_to_triage(cast, client):
    demand = routed(cast)
    login(client, cast, "renshe")
    response = client.post(url("return", demand_pk=demand.pk), {"reason": ""})
    assert response.status_code == 200 and "field-error" in page(response)
    client.post(url("return", demand_pk=demand.pk), {"reason": "不属于本部门职责，建议分办财政部门"})
    demand.refresh_from_db()
    assert demand.status == "new" and demand.returned
    assert client.get(url("detail", demand_pk=demand.pk)).status_code == 200  # the record of what it handled stays
    login(client, cast, "jiangyin")
    assert demand.number in page(client.get(url("list"), {"tab": "triage"}))


def test_the_office_merges_a_duplicate_it_is_shown(cast, client):
    first = raised(cast, title="高级工技能津贴未按月发放")
    second = raised(cast, title="高级工的技能津贴一直没发")
    login(client, cast, "jiangyin")
    detail = page(client.get(url("detail", demand_pk=second.pk)))
    assert first.number in detail and "本诉求并入此条" in detail
    response = client.post(url("merge", demand_pk=second.pk), {"into": first.pk})
    assert response["Location"] == url("detail", demand_pk=first.pk)
    second.refresh_from_db()
    assert second.status == "merged" and second.merged_into == first


def test_an_unsatisfied_raiser_leads_to_a_reopening_and_a_callback(cast, client):
    demand = routed(cast, day=services.today())
    lead = demand.assignments.get()
    services.answer(cast.users["renshe"], lead, "答复")
    services.commit_plan(cast.users["renshe"], demand, "计划", services.today() + timedelta(days=10))
    services.report_implemented(cast.users["renshe"], demand, "已落实")
    login(client, cast, "qiye")
    client.post(url("confirm", demand_pk=demand.pk))
    client.post(url("rate", demand_pk=demand.pk), {"rating": "unsatisfied", "comment": "只补发了一个月"})
    login(client, cast, "jiangyin")
    client.post(url("callback", demand_pk=demand.pk), {"satisfied": "0", "note": "职工反映只补发了一个月"})
    assert demand.callbacks.get().note == "职工反映只补发了一个月"
    assert client.post(url("reopen", demand_pk=demand.pk)).status_code == 302
    demand.refresh_from_db()
    assert demand.status == "routed" and demand.reopen_count == 1


def test_the_office_confirms_for_a_silent_raiser(cast, client):
    demand = routed(cast, day=services.today())
    services.answer(cast.users["renshe"], demand.assignments.get(), "答复")
    services.commit_plan(cast.users["renshe"], demand, "计划", services.today() + timedelta(days=10))
    services.report_implemented(cast.users["renshe"], demand, "已落实")
    login(client, cast, "jiangyin")
    assert "代提出人确认落实" in page(client.get(url("detail", demand_pk=demand.pk)))
    client.post(url("confirm", demand_pk=demand.pk))
    demand.refresh_from_db()
    assert demand.status == "implemented" and demand.confirmed_by_office


# ---------------------------------------------------------------------------- who sees what


def test_outsiders_get_404_and_units_cannot_route(cast, client):
    demand = raised(cast)
    login(client, cast, "gaoyou")
    assert client.get(url("detail", demand_pk=demand.pk)).status_code == 404
    assert demand.number not in page(client.get(url("list")))
    login(client, cast, "renshe")
    assert client.get(url("detail", demand_pk=demand.pk)).status_code == 404  # not routed to it yet
    assert client.post(url("route", demand_pk=demand.pk), {"lead": cast.hrss.pk}).status_code == 403
    login(client, cast, "qiye")
    detail = page(client.get(url("detail", demand_pk=demand.pk)))
    assert 'action="' + url("route", demand_pk=demand.pk) not in detail
    assert client.post(url("route", demand_pk=demand.pk), {"lead": cast.hrss.pk}).status_code == 403
    assert client.get(url("ledger")).status_code == 403
    assert client.get(reverse("home")).status_code == 200


def test_an_anonymous_contact_stays_with_the_office(cast, client):
    demand = phone_demand(cast)
    with on(ROUTED_ON):
        services.route(cast.users["jiangyin"], demand, cast.hrss)
    login(client, cast, "renshe")
    detail = page(client.get(url("detail", demand_pk=demand.pk)))
    assert "加班费计算有误" in detail and "匿名" in detail and CONTACT not in detail
    assert CONTACT not in str(cells(workbook(client.get(url("list"), {"export": "xlsx"}))))
    login(client, cast, "jiangyin")
    assert CONTACT in page(client.get(url("detail", demand_pk=demand.pk)))
    book = workbook(client.get(url("list"), {"export": "xlsx"}))
    values = cells(book)
    assert "加班费计算有误" in values and "匿名" in values and CONTACT not in str(values)
    assert "联系方式" not in str(values)


def test_the_menu_offers_the_demands(cast, client):
    login(client, cast, "renshe")
    assert url("list") in page(client.get(reverse("home")))


# ---------------------------------------------------------------------------- the phone page


@pytest.fixture
def box(cast):
    return DemandBox.objects.create(org=cast.jiangyin_firm)


def phone_post(client, box, ip="10.0.0.1", **fields):
    data = {"category": category("rights").pk, "title": "加班费计算有误", "content": "加班费按基本工资计算", **fields}
    return client.post(url("phone", token=box.token), data, REMOTE_ADDR=ip)


def test_a_worker_raises_a_demand_from_the_phone_without_an_account(cast, client, box):
    form = client.get(url("phone", token=box.token))
    assert form.status_code == 200 and "江阴测试机械有限公司" in page(form)
    response = phone_post(client, box, anonymous="on")
    assert response.status_code == 200 and "匿名提出时请留一个联系方式" in page(response)
    assert not Demand.objects.exists()
    response = phone_post(client, box, anonymous="on", raiser_name="张三", contact=CONTACT)
    assert response["Location"] == url("phone_thanks", token=box.token)
    demand = Demand.objects.get()
    assert demand.channel == "phone" and demand.raised_by is None and demand.anonymous
    assert demand.raiser_name == "" and demand.contact == CONTACT and demand.org == cast.jiangyin_firm
    thanks = page(client.get(response["Location"]))
    assert demand.number in thanks
    assert client.get(url("phone", token="not-a-token")).status_code == 404


def test_the_phone_page_is_throttled(cast, client, box, monkeypatch):
    for _ in range(views.PHONE_PER_IP_PER_HOUR):
        assert phone_post(client, box).status_code == 302
    response = phone_post(client, box)
    assert response.status_code == 429 and "提交太频繁" in page(response)
    assert client.get(url("phone", token=box.token), REMOTE_ADDR="10.0.0.1").status_code == 429
    assert phone_post(client, box, ip="10.0.0.2").status_code == 302
    assert Demand.objects.count() == views.PHONE_PER_IP_PER_HOUR + 1

    monkeypatch.setattr(views, "PHONE_PER_BOX_PER_DAY", views.PHONE_PER_IP_PER_HOUR + 1)
    assert phone_post(client, box, ip="10.0.0.3").status_code == 429  # the enterprise's day is full
    other = DemandBox.objects.create(org=cast.line_firm)
    assert phone_post(client, other, ip="10.0.0.3").status_code == 302


def test_the_box_page_shows_the_link_and_the_code_and_can_change_them(cast, client):
    login(client, cast, "qiye")
    response = client.get(url("box_index"))
    assert response["Location"] == url("box", org_pk=cast.jiangyin_firm.pk)
    body = page(client.get(response["Location"]))
    box = DemandBox.objects.get(org=cast.jiangyin_firm)
    assert url("phone", token=box.token) in body and len(box.token) >= 20
    if views.segno is not None:
        assert "<svg" in body
        svg = client.get(url("box", org_pk=cast.jiangyin_firm.pk), {"download": "svg"})
        assert svg["Content-Type"] == "image/svg+xml"
    old = box.token
    client.post(url("box", org_pk=cast.jiangyin_firm.pk))
    box.refresh_from_db()
    assert box.token != old
    assert client.get(url("phone", token=old)).status_code == 404
    assert client.get(url("box", org_pk=cast.gaoyou_firm.pk)).status_code == 404
    login(client, cast, "jiangyin")
    assert "江阴测试机械有限公司" in page(client.get(url("box_index"), {"q": "测试机械"}))


# ---------------------------------------------------------------------------- the sweep import

HEADER = ["涉及企业（名称或统一社会信用代码）", "类别", "标题", "内容", "提出人", "联系方式"]


def xlsx(rows, name="走访诉求.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_the_sweep_imports_demands_into_triage(cast, client):
    raised(cast, title="食堂就餐环境需要改善")
    rows = [
        HEADER,
        ["江阴测试机械有限公司", "工资待遇与津贴", "高级工技能津贴没有发放", "车间高级工未领津贴", "李四", CONTACT],
        ["江阴交控养护有限公司", "培训", "希望组织叉车司机培训", "仓储岗位需要叉车证", "", ""],
        ["江阴测试机械有限公司", "服务保障", "食堂就餐环境需要改善", "座位不够", "", ""],
    ]
    batch = upload(cast.users["jiangyin"], "demands.sweep", xlsx(rows))
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert batch.counts == {"created": 2, "updated": 0, "unchanged": 1}
    batch = commit(cast.users["jiangyin"], batch)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors
    imported = Demand.objects.get(title="高级工技能津贴没有发放")
    assert imported.channel == "import" and imported.status == "new" and imported.raiser_name == "李四"
    assert imported.contact == CONTACT and imported.category.code == "pay"
    assert Demand.objects.filter(channel="import").count() == 2
    login(client, cast, "jiangyin")
    assert client.get(reverse("imports:upload", kwargs={"importer_key": "demands.sweep"})).status_code == 200


def test_one_bad_row_writes_nothing(cast):
    rows = [
        HEADER,
        ["江阴测试机械有限公司", "工资待遇与津贴", "高级工技能津贴没有发放", "车间高级工未领津贴", "", ""],
        ["高邮秘密液压有限公司", "培训", "希望组织培训", "培训", "", ""],
        ["江阴测试机械有限公司", "不存在的类别", "标题", "内容", "", ""],
        ["江阴测试机械有限公司", "培训", "高级工技能津贴没有发放", "重复", "", ""],
    ]
    batch = upload(cast.users["jiangyin"], "demands.sweep", xlsx(rows))
    assert batch.status == ImportBatch.Status.INVALID
    errors = {(error["row"], error["column"]) for error in batch.errors}
    assert errors == {(3, "org"), (4, "category"), (5, "org")}
    assert "高邮秘密液压有限公司" in batch.errors[0]["message"]
    assert not Demand.objects.exists()


def test_the_template_offers_the_categories(cast):
    book = openpyxl.load_workbook(io.BytesIO(build_template(get_importer("demands.sweep"))))
    assert [cell.value for cell in book.worksheets[0][1]][:3] == [
        "*涉及企业（名称或统一社会信用代码）",
        "*类别",
        "*标题",
    ]
    assert any("工资待遇与津贴" in str(v.formula1) for v in book.worksheets[0].data_validations.dataValidation)


def test_units_see_only_their_assignments_in_the_list(cast, client):
    demand = routed(cast)
    login(client, cast, "renshe")
    assert demand.number in page(client.get(url("list")))
    assert Assignment.objects.filter(unit=cast.hrss).count() == 1

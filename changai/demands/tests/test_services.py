from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changai.demands import services
from changai.demands.models import Category, Demand

# The 2024 National Day break ran 1–7 October; Sunday 29 September and Saturday 12 October were worked.
ROUTED_ON = date(2024, 9, 27)


def on(day):
    return mock.patch("changai.demands.services.today", return_value=day)


def raise_one(cast, title="高级工认定后技能津贴没有落实", content="企业取得高级工证书的职工尚未按政策领取每月技能津贴"):
    return services.raise_demand(
        cast.users["qiye"], cast.jiangyin_firm, title=title, content=content, category=Category.objects.get(code="pay")
    )


def routed(cast, **kwargs):
    demand = raise_one(cast, **kwargs)
    with on(ROUTED_ON):
        services.route(cast.users["jiangyin"], demand, cast.hrss)
    return demand


def test_clocks_count_working_days_across_the_holiday(cast):
    demand = routed(cast)
    lead = demand.assignments.get()
    assert lead.ack_due == date(2024, 9, 30)  # Fri 27 + 2 working days: Sun 29 (worked), Mon 30
    assert lead.answer_due == date(2024, 10, 16)  # 10 working days, skipping 1–7 October, counting Sat 12


def test_each_category_has_its_own_clock(cast):
    Category.objects.filter(code="pay").update(answer_days=3)
    assert routed(cast).assignments.get().answer_due == date(2024, 10, 8)


def test_one_extension_per_demand_approved_before_the_deadline(cast):
    demand = routed(cast)
    lead = demand.assignments.get()
    with on(date(2024, 10, 10)):
        services.request_extension(cast.users["renshe"], lead, date(2024, 10, 25), "需会同财政部门测算")
        with pytest.raises(ValidationError, match="只能申请一次"):
            services.request_extension(cast.users["renshe"], lead, date(2024, 10, 30), "再延")
        services.decide_extension(cast.users["jiangyin"], lead, approve=True)
    lead.refresh_from_db()
    assert lead.due == date(2024, 10, 25)


def test_an_extension_cannot_be_asked_after_the_deadline(cast):
    lead = routed(cast).assignments.get()
    with on(date(2024, 10, 17)), pytest.raises(ValidationError, match="已超过答复期限"):
        services.request_extension(cast.users["renshe"], lead, date(2024, 10, 30), "太晚了")


def test_a_returned_demand_goes_back_to_triage(cast):
    demand = routed(cast)
    services.return_assignment(cast.users["renshe"], demand.assignments.get(), "不属于本部门职责，建议分办财政部门")
    demand.refresh_from_db()
    assert demand.status == "new" and demand.returned
    with pytest.raises(ValidationError, match="退回原因"):
        services.return_assignment(cast.users["renshe"], demand.assignments.get(), " ")


def test_a_late_answer_is_chased_then_circulated(cast):
    demand = routed(cast)
    with on(date(2024, 10, 16)):
        assert services.supervise()["chased"] == 0
    with on(date(2024, 10, 17)):
        assert services.supervise()["chased"] == 1
    with on(date(2024, 10, 21)):  # three working days late: not yet
        assert services.supervise()["circulated"] == 0
    with on(date(2024, 10, 22)):
        assert services.supervise()["circulated"] == 1
    kinds = list(demand.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["催办", "通报"]


def test_two_stage_closure_with_the_raisers_rating(cast):
    demand = routed(cast)
    lead = demand.assignments.get()
    services.answer(cast.users["renshe"], lead, "已督促企业按月发放技能津贴", "苏人社发〔2023〕号")
    demand.refresh_from_db()
    assert demand.status == "answered"
    services.commit_plan(cast.users["renshe"], demand, "11月起补发", date(2024, 11, 30))
    services.report_implemented(cast.users["renshe"], demand, "已补发三个月津贴")
    with pytest.raises(PermissionDenied):
        services.confirm_implemented(cast.users["renshe"], demand)
    services.confirm_implemented(cast.users["qiye"], demand)
    services.rate(cast.users["qiye"], demand, "satisfied", "落实到位")
    demand.refresh_from_db()
    assert demand.status == "closed" and demand.rating == "satisfied" and not demand.confirmed_by_office


def test_a_silent_raiser_is_confirmed_by_the_office_after_five_working_days(cast):
    demand = routed(cast)
    services.answer(cast.users["renshe"], demand.assignments.get(), "答复")
    services.commit_plan(cast.users["renshe"], demand, "计划", date(2024, 11, 30))
    services.report_implemented(cast.users["renshe"], demand, "已落实")
    reported = demand.events.last().at.date()
    from changai.core.workdays import add_working_days

    with on(add_working_days(reported, 4)):
        assert services.supervise()["confirmed"] == 0
    with on(add_working_days(reported, 5)):
        assert services.supervise()["confirmed"] == 1
    demand.refresh_from_db()
    assert demand.status == "implemented" and demand.confirmed_by_office


def test_an_unsatisfied_rating_reopens_once_by_the_office(cast):
    demand = routed(cast)
    services.answer(cast.users["renshe"], demand.assignments.get(), "答复")
    services.commit_plan(cast.users["renshe"], demand, "计划", date(2024, 11, 30))
    services.report_implemented(cast.users["renshe"], demand, "已落实")
    services.confirm_implemented(cast.users["qiye"], demand)
    services.rate(cast.users["qiye"], demand, "unsatisfied", "只补发了一个月")
    with pytest.raises(PermissionDenied):
        services.reopen(cast.users["renshe"], demand)
    services.reopen(cast.users["jiangyin"], demand)
    demand.refresh_from_db()
    assert demand.status == "routed" and demand.reopen_count == 1
    with pytest.raises(ValidationError):
        services.reopen(cast.users["jiangyin"], demand)


def test_duplicates_find_paraphrases_and_not_unrelated_demands(cast):
    first = raise_one(cast, "高级工技能津贴未按月发放", "我们车间取得高级工证书的师傅们，企业一直没有按月发放技能津贴")
    raise_one(cast, "食堂就餐环境需要改善", "职工食堂座位不够，夏天没有空调，希望工会协调改善就餐条件")
    raise_one(cast, "希望组织叉车司机培训", "仓储物流岗位职工希望参加叉车操作证培训，提高持证上岗比例")
    paraphrase = raise_one(cast, "取得高级工证书后津贴没发", "厂里考了高级工的工人，到现在每个月的技能津贴还没有发")
    found = [d for d, _ in services.similar_open_demands(paraphrase)]
    assert found == [first]


def test_merging_keeps_both_raisers_informed(cast):
    first = raise_one(cast)
    second = raise_one(cast, "技能津贴没有发放", "高级工的技能津贴一直没发")
    services.merge(cast.users["jiangyin"], second, first)
    second.refresh_from_db()
    assert second.status == "merged" and second.merged_into == first


def test_member_units_see_only_what_is_routed_to_them(cast):
    demand = raise_one(cast)
    assert not Demand.objects.visible_to(cast.users["renshe"]).exists()
    with on(ROUTED_ON):
        services.route(cast.users["jiangyin"], demand, cast.hrss)
    assert list(Demand.objects.visible_to(cast.users["renshe"])) == [demand]
    assert not Demand.objects.visible_to(cast.users["gaoyou"]).exists()


def test_an_anonymous_workers_contact_stays_with_the_office(cast):
    demand = services.raise_demand(
        None,
        cast.jiangyin_firm,
        title="加班费计算有误",
        content="加班费按基本工资计算",
        category=Category.objects.get(code="rights"),
        channel="phone",
        anonymous=True,
        contact="13800001111",
    )
    assert demand.raiser_label == "匿名"
    assert services.can_see_contact(cast.users["jiangyin"], demand)
    with on(ROUTED_ON):
        services.route(cast.users["jiangyin"], demand, cast.hrss)
    assert not services.can_see_contact(cast.users["renshe"], demand)


def test_outsiders_cannot_route_or_answer(cast):
    demand = raise_one(cast)
    with pytest.raises(PermissionDenied):
        services.route(cast.users["gaoyou"], demand, cast.hrss)
    with on(ROUTED_ON):
        services.route(cast.users["jiangyin"], demand, cast.hrss)
    with pytest.raises(PermissionDenied):
        services.answer(cast.users["gaoyou"], demand.assignments.get(), "越权答复")


def test_the_ledger_counts_on_time_answers_and_satisfaction(cast):
    demand = routed(cast)
    late = routed(cast, title="培训补贴申领难", content="职业技能培训补贴申领材料繁琐")
    services.answer(cast.users["renshe"], demand.assignments.get(), "已答复")
    rows = services.ledger(Demand.objects.all(), on=date(2024, 10, 20))
    row = rows[0]
    assert (row.unit, row.received, row.answered, row.overdue_now) == (cast.hrss, 2, 1, 1)
    assert late.assignments.get().answered_at is None


def test_a_phone_worker_follows_confirms_and_rates_through_the_private_link(cast, client):
    demand = services.raise_demand(
        None,
        cast.jiangyin_firm,
        title="加班费计算有误",
        content="按基本工资计算加班费",
        category=Category.objects.get(code="rights"),
        channel="phone",
        contact="13800002222",
    )
    assert demand.follow_token and len(demand.follow_token) >= 20
    assert client.get("/demands/t/wrong-token/").status_code == 404
    page = client.get(f"/demands/t/{demand.follow_token}/").content.decode()
    assert demand.title in page and "13800002222" not in page
    with on(ROUTED_ON):
        services.route(cast.users["jiangyin"], demand, cast.hrss)
    services.answer(cast.users["renshe"], demand.assignments.get(), "已答复")
    services.commit_plan(cast.users["renshe"], demand, "计划", date(2024, 11, 30))
    services.report_implemented(cast.users["renshe"], demand, "已落实")
    client.post(f"/demands/t/{demand.follow_token}/", {"action": "confirm"})
    client.post(f"/demands/t/{demand.follow_token}/", {"action": "rate", "rating": "basic"})
    demand.refresh_from_db()
    assert demand.status == "closed" and demand.rating == "basic"


def test_offices_set_the_clock_of_each_category(cast, client):
    client.force_login(cast.users["jiangyin"])
    assert client.get("/demands/categories/").status_code == 200
    assert client.post("/demands/categories/", {"code": "x", "name": "x"}).status_code == 403
    client.force_login(cast.users["sheng"])
    pay = Category.objects.get(code="pay")
    response = client.post(
        f"/demands/categories/{pay.pk}/edit/",
        {
            "name": "工资待遇",
            "pillar": "rights",
            "ack_days": 1,
            "answer_days": 5,
            "sort": 20,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert routed(cast).assignments.get().answer_due == date(2024, 10, 10)
    bad = client.post(
        f"/demands/categories/{pay.pk}/edit/",
        {
            "name": "工资待遇",
            "pillar": "rights",
            "ack_days": 9,
            "answer_days": 5,
            "sort": 20,
        },
    )
    assert "签收时限不能长于答复时限" in bad.content.decode()


def test_attachments_are_checked_and_served_only_within_scope(cast, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError, match="内容与扩展名不符"):
        services.raise_demand(
            cast.users["qiye"],
            cast.jiangyin_firm,
            title="附件伪装",
            content="内容",
            category=Category.objects.get(code="pay"),
            files=[SimpleUploadedFile("证明.pdf", b"<html>not a pdf</html>")],
        )
    assert not Demand.objects.filter(title="附件伪装").exists()  # nothing half-written
    demand = services.raise_demand(
        cast.users["qiye"],
        cast.jiangyin_firm,
        title="工资条",
        content="附工资条",
        category=Category.objects.get(code="pay"),
        files=[SimpleUploadedFile("工资条.pdf", b"%PDF-1.4 payslip")],
    )
    attachment = demand.files.get()
    url = f"/demands/{demand.pk}/files/{attachment.pk}/"
    client.force_login(cast.users["jiangyin"])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(cast.users["gaoyou"])
    assert client.get(url).status_code == 404


def test_the_callback_sample_is_reproducible_and_shows_visits(cast, client):
    demand = routed(cast)
    services.answer(cast.users["renshe"], demand.assignments.get(), "答复")
    services.commit_plan(cast.users["renshe"], demand, "计划", date(2024, 11, 30))
    services.report_implemented(cast.users["renshe"], demand, "已落实")
    services.confirm_implemented(cast.users["qiye"], demand)
    services.rate(cast.users["qiye"], demand, "satisfied")
    assert services.callback_sample(Demand.objects.all(), seed=7) == services.callback_sample(
        Demand.objects.all(), seed=7
    )
    client.force_login(cast.users["jiangyin"])
    assert "待回访" in client.get("/demands/callbacks/").content.decode()
    services.record_callback(cast.users["jiangyin"], demand, satisfied=True, note="电话回访，职工满意")
    assert "已回访" in client.get("/demands/callbacks/").content.decode()
    client.force_login(cast.users["renshe"])
    assert client.get("/demands/callbacks/").status_code == 403

from datetime import date
from io import BytesIO
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from changai.core.models import Notification
from changai.supervision import services
from changai.supervision.models import Rectification, SpotCheck
from changai.worklists.models import ItemEvent, PlanItem

from .factories import finding, on, plan_with_items, query_count, spot_check


def _detail(check):
    return reverse("supervision:spotcheck_detail", kwargs={"spotcheck_pk": check.pk})


# ---------------------------------------------------------------------------- sampling


@pytest.mark.parametrize(
    ("population", "pct", "expected"),
    [(10, 30, 3), (10, 25, 3), (30, 10, 3), (7, 1, 1), (7, 100, 7), (3, 34, 2), (60, 20, 12), (61, 20, 13)],
)
def test_it_samples_the_ceiling_of_the_percentage(population, pct, expected):
    assert services.sample_size(population, pct) == expected
    assert len(services.pick(list(range(1, population + 1)), pct, seed=1)) == expected


def test_the_same_seed_draws_the_same_items_whatever_the_order_given():
    population = list(range(100, 160))
    first = services.pick(population, 20, seed=2026)
    assert services.pick(list(reversed(population)), 20, seed=2026) == first
    assert len(set(first)) == 12 and set(first) <= set(population)
    assert services.pick(population, 20, seed=2027) != first


def test_it_draws_a_sample_and_records_the_seed_which_reproduces_it(cast):
    check, items = spot_check(cast, count=10, pct=30, seed=42)
    sampled = check.sampled()
    assert len(sampled) == 3 and check.seed == 42 and check.period == "2024Q2"
    assert check.population == sorted(i.pk for i in items)
    assert services.reproduce_sample(check) == sampled
    expected = services.pick([i.pk for i in items], 30, 42)
    assert [i.pk for i in sampled] == expected
    event = ItemEvent.objects.get(item=sampled[0], kind="spotcheck")
    assert "2024年第2季度季抽查" in event.text and "10项中抽取3项" in event.text
    assert not ItemEvent.objects.filter(kind="spotcheck").exclude(item__in=sampled).exists()


def test_a_generated_seed_is_stored_and_still_reproduces_after_items_change(cast):
    plan, items = plan_with_items(cast, 12)
    user = cast.users["jiangyin"]
    with mock.patch("changai.supervision.services.secrets.randbelow", return_value=987654) as randbelow:
        check = services.draw_sample(user, plan, "2024Q3", 25, user)
    randbelow.assert_called_once()
    assert SpotCheck.objects.get(pk=check.pk).seed == 987654
    drawn = check.sampled()
    PlanItem.objects.filter(pk=items[0].pk).update(status=PlanItem.Status.DONE)
    assert services.reproduce_sample(SpotCheck.objects.get(pk=check.pk)) == drawn


def test_only_active_items_are_sampled(cast):
    plan, items = plan_with_items(cast, 4)
    PlanItem.objects.filter(pk__in=[items[0].pk, items[1].pk]).update(status=PlanItem.Status.DONE)
    user = cast.users["jiangyin"]
    check = services.draw_sample(user, plan, "2024Q1", 100, user, seed=1)
    assert {i.pk for i in check.sampled()} == {items[2].pk, items[3].pk}


def test_sampling_rejects_bad_input_with_chinese_errors(cast):
    plan, _ = plan_with_items(cast, 3)
    user = cast.users["jiangyin"]
    cases = [
        ({"period": "2024-2"}, "period", "2026Q2"),
        ({"period": "2025Q1"}, "period", "计划年度"),
        ({"period": "2024M04"}, "period", "格式"),
        ({"pct": 0}, "sample_pct", "1到100"),
        ({"pct": 101}, "sample_pct", "1到100"),
        ({"seed": -1}, "seed", "非负整数"),
        ({"checker": cast.users["gaoyou"]}, "checker", "检查人"),
    ]
    for change, field, text in cases:
        args = {"period": "2024Q2", "pct": 20, "checker": user, "seed": 3, **change}
        with pytest.raises(ValidationError) as exc:
            services.draw_sample(user, plan, args["period"], args["pct"], args["checker"], seed=args["seed"])
        assert text in " ".join(exc.value.message_dict[field]), change


def test_a_quarter_is_drawn_once_per_plan(cast):
    check, _ = spot_check(cast)
    user = cast.users["jiangyin"]
    with pytest.raises(ValidationError, match="不能重复抽取"):
        services.draw_sample(user, check.plan, "2024Q2", 50, user, seed=1)


def test_a_plan_without_active_items_cannot_be_sampled(cast):
    plan, items = plan_with_items(cast, 1)
    PlanItem.objects.filter(pk=items[0].pk).update(status=PlanItem.Status.CANCELLED)
    user = cast.users["jiangyin"]
    with pytest.raises(ValidationError, match="没有推进中的任务"):
        services.draw_sample(user, plan, "2024Q2", 50, user)


@pytest.mark.parametrize("who", ["gaoyou", "lingdao", "renshe", "zhutang"])
def test_only_the_plans_managers_may_draw(cast, who):
    plan, _ = plan_with_items(cast, 3)
    with pytest.raises(PermissionDenied):
        services.draw_sample(cast.users[who], plan, "2024Q2", 50, cast.users[who])


def test_the_office_above_may_draw(cast):
    plan, _ = plan_with_items(cast, 3)
    check = services.draw_sample(cast.users["wuxi"], plan, "2024Q2", 50, cast.users["wuxi"], seed=5)
    assert len(check.sampled()) == 2


# ---------------------------------------------------------------------------- findings and rectifications


def test_findings_are_recorded_only_on_sampled_items(cast):
    check, items = spot_check(cast, count=10, pct=10)
    user = cast.users["jiangyin"]
    outside = next(i for i in items if i not in check.sampled())
    with pytest.raises(ValidationError, match="只能对本次抽中的任务"):
        services.record_finding(user, check, outside, "问题", "minor")
    with pytest.raises(ValidationError, match="请填写发现的问题"):
        services.record_finding(user, check, check.sampled()[0], "  ", "minor")
    with pytest.raises(PermissionDenied):
        services.record_finding(cast.users["lingdao"], check, check.sampled()[0], "问题", "minor")
    found = services.record_finding(user, check, check.sampled()[0], "进度报送不及时", "serious")
    event = ItemEvent.objects.filter(item=found.item, kind="spotcheck").last()
    assert event.text == "2024Q2季抽查发现问题（严重）：进度报送不及时"


def test_a_rectification_is_ordered_notified_and_completed_by_the_responsible_unit(cast):
    with on(date(2024, 5, 10)):
        found = finding(cast)
        rectification = services.order_rectification(
            cast.users["jiangyin"], found, task="补齐佐证材料", unit=cast.zhutang, deadline=date(2024, 6, 30)
        )
    assert Notification.objects.filter(user=cast.users["zhutang"], title__startswith="整改通知").exists()
    assert ItemEvent.objects.filter(item=found.item, kind="rectification", text__contains="责任单位祝塘镇").exists()
    with pytest.raises(PermissionDenied):
        services.complete_rectification(cast.users["qiye"], rectification, "已补齐")
    with on(date(2024, 7, 2)):
        with pytest.raises(ValidationError, match="请填写整改情况"):
            services.complete_rectification(cast.users["zhutang"], rectification, "")
        services.complete_rectification(cast.users["zhutang"], rectification, "已补齐全部台账")
    rectification.refresh_from_db()
    assert rectification.status == "done" and rectification.done_by == cast.users["zhutang"]
    assert ItemEvent.objects.filter(item=found.item, text="祝塘镇完成整改（逾期完成）：已补齐全部台账").exists()
    with pytest.raises(ValidationError, match="已完成"):
        services.complete_rectification(cast.users["jiangyin"], rectification, "再次")


def test_rectification_orders_are_checked(cast):
    user = cast.users["jiangyin"]
    with on(date(2024, 5, 10)):
        check, items = spot_check(cast, count=3, pct=100)
        found = services.record_finding(user, check, items[0], "未按月报送进展", "minor")
        with pytest.raises(ValidationError) as exc:
            services.order_rectification(user, found, task="整改", unit=cast.gaoyou_firm, deadline=date(2024, 6, 1))
        assert "责任单位" in exc.value.message_dict["unit"][0]
        with pytest.raises(ValidationError, match="不能早于今天"):
            services.order_rectification(user, found, task="整改", unit=cast.zhutang, deadline=date(2024, 5, 9))
        # The item's lead unit may be outside the office's tree (a provincial member unit).
        assert services.order_rectification(user, found, task="整改", unit=cast.hrss, deadline=date(2024, 6, 1))


def test_overdue_rectifications_are_listed(cast, client):
    user = cast.users["jiangyin"]
    with on(date(2024, 5, 10)):
        found = finding(cast)
        late = services.order_rectification(
            user, found, task="逾期的整改", unit=cast.zhutang, deadline=date(2024, 5, 20)
        )
        services.order_rectification(user, found, task="未到期的整改", unit=cast.zhutang, deadline=date(2024, 8, 1))
    with on(date(2024, 6, 1)):
        assert list(services.overdue_rectifications()) == [late]
        client.force_login(cast.users["zhutang"])
        html = client.get(reverse("supervision:rectification_list"), {"overdue": "1"}).content.decode()
    assert "逾期的整改" in html and "未到期的整改" not in html and "有1项整改已超过整改时限" in html


def test_a_member_unit_sees_and_completes_the_rectifications_ordered_to_it(cast, client):
    with on(date(2024, 5, 10)):
        found = finding(cast)
        ordered = services.order_rectification(
            cast.users["jiangyin"], found, task="落实技能认定补贴", unit=cast.hrss, deadline=date(2024, 6, 30)
        )
    client.force_login(cast.users["renshe"])
    assert "落实技能认定补贴" in client.get(reverse("supervision:rectification_list")).content.decode()
    assert client.get(_detail(found.spot_check)).status_code == 404
    url = reverse("supervision:rectification_complete", kwargs={"rectification_pk": ordered.pk})
    with on(date(2024, 6, 3)):
        response = client.post(url, {"note": "补贴已发放"})
    assert response.status_code == 302
    assert Rectification.objects.get(pk=ordered.pk).status == "done"


# ---------------------------------------------------------------------------- pages


def test_the_office_draws_a_sample_through_the_page(cast, client):
    plan, _ = plan_with_items(cast, 5)
    client.force_login(cast.users["jiangyin"])
    picker = client.get(reverse("supervision:spotcheck_create"), {"q": "重点"}).content.decode()
    assert str(plan) in picker
    url = reverse("supervision:spotcheck_create") + f"?plan={plan.pk}"
    response = client.post(url, {"period": "2024Q2", "sample_pct": 40, "checker": cast.users["jiangyin"].pk})
    check = SpotCheck.objects.get(plan=plan)
    assert response.status_code == 302 and response["Location"] == _detail(check)
    assert len(check.sampled()) == 2
    html = client.get(_detail(check)).content.decode()
    assert "按记录的种子复核一致" in html and str(check.seed) in html


def test_the_page_shows_service_errors_on_the_form(cast, client):
    check, _ = spot_check(cast)
    client.force_login(cast.users["jiangyin"])
    url = reverse("supervision:spotcheck_create") + f"?plan={check.plan.pk}"
    response = client.post(url, {"period": "2024Q2", "sample_pct": 40, "checker": cast.users["jiangyin"].pk})
    assert response.status_code == 200 and "同一季度不能重复抽取" in response.content.decode()


def test_findings_and_rectifications_through_the_pages(cast, client):
    check, _ = spot_check(cast)
    item = check.sampled()[0]
    client.force_login(cast.users["jiangyin"])
    url = reverse("supervision:finding_add", kwargs={"spotcheck_pk": check.pk})
    client.post(url, {"item": item.pk, "severity": "general", "text": "计划未细化到月"})
    found = check.findings.get()
    order_url = reverse("supervision:rectification_order", kwargs={"finding_pk": found.pk})
    assert client.get(order_url).status_code == 200
    with on(date(2024, 5, 1)):
        response = client.post(order_url, {"task": "细化月度安排", "unit": cast.zhutang.pk, "deadline": "2024-05-31"})
    assert response.status_code == 302
    html = client.get(_detail(check)).content.decode()
    assert "计划未细化到月" in html and "细化月度安排" in html


def test_read_only_users_get_403_and_outsiders_404(cast, client):
    check, _ = spot_check(cast)
    finding_url = reverse("supervision:finding_add", kwargs={"spotcheck_pk": check.pk})
    client.force_login(cast.users["lingdao"])
    assert client.get(_detail(check)).status_code == 200
    assert client.post(finding_url, {"text": "x"}).status_code == 403
    client.force_login(cast.users["gaoyou"])
    assert client.get(_detail(check)).status_code == 404
    assert client.post(finding_url, {"text": "x"}).status_code == 404
    assert client.get(reverse("supervision:spotcheck_create") + f"?plan={check.plan.pk}").status_code == 404


def test_the_list_is_scoped_exported_and_constant_in_queries(cast, client):
    check, _ = spot_check(cast)
    url = reverse("supervision:spotcheck_list")
    client.force_login(cast.users["gaoyou"])
    assert str(check.plan) not in client.get(url).content.decode()
    client.force_login(cast.users["jiangyin"])
    assert str(check.plan) in client.get(url).content.decode()
    before = query_count(client, url)
    user = cast.users["jiangyin"]
    services.draw_sample(user, check.plan, "2024Q3", 50, user, seed=1)
    services.draw_sample(user, check.plan, "2024Q4", 50, user, seed=2)
    assert query_count(client, url) == before
    response = client.get(_detail(check), {"export": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["C2"].value == check.sampled()[0].title and sheet.max_row == 4
    response = client.get(reverse("supervision:spotcheck_list"), {"export": "xlsx"})
    assert [
        row[2:5] for row in load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)
    ] == [
        ("2024Q4", 50, "2"),
        ("2024Q3", 50, "1"),
        ("2024Q2", 30, "42"),
    ]

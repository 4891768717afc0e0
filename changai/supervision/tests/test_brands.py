from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from changai.supervision import services
from changai.supervision.models import Brand, BrandCriterion, BrandEvaluation
from changai.worklists.models import ItemEvent, PlanItem
from changai.worklists.tests.factories import plan_with_item

from .factories import brand, on, query_count


def _all(score=1):
    return {c.pk: score for c in BrandCriterion.objects.filter(is_active=True)}


def _evaluate(cast, target, scores, **kwargs):
    with on(date(2024, 11, 20)):
        return services.evaluate_brand(cast.users["jiangyin"], target, scores, "载体鲜明，成效突出", **kwargs)


# ---------------------------------------------------------------------------- criteria


def test_the_default_standard_is_the_twelve_point_kandejian(db):
    criteria = list(BrandCriterion.objects.filter(is_active=True))
    assert len(criteria) == 12 and sum(c.points for c in criteria) == 12
    groups = [c.group for c in criteria]
    assert (groups.count("seen"), groups.count("gains"), groups.count("felt")) == (4, 2, 6)
    assert [c.name for c in criteria][:4] == ["有载体", "有典型人物", "有工作成效", "有活动阵地"]
    assert {"企业有收益", "职工有收获", "见党性", "见劳动精神", "见劳模精神", "见工匠精神"} <= {
        c.name for c in criteria
    }


def test_only_the_province_maintains_the_standard(cast, client):
    url = reverse("supervision:criterion_list")
    client.force_login(cast.users["jiangyin"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"group": "seen", "name": "有展示", "points": 2, "sort": 5}).status_code == 403
    client.force_login(cast.users["sheng"])
    response = client.post(url, {"group": "seen", "name": "有展示", "points": 2, "sort": 5, "is_active": "on"})
    assert response.status_code == 302
    assert BrandCriterion.objects.get(name="有展示").points == 2
    first = BrandCriterion.objects.get(name="有载体")
    edit = reverse("supervision:criterion_edit", kwargs={"criterion_pk": first.pk})
    client.post(edit, {"group": "seen", "name": "有载体", "points": 1, "sort": 10})  # is_active unticked
    assert not BrandCriterion.objects.get(pk=first.pk).is_active
    with pytest.raises(PermissionDenied):
        services.save_criterion(cast.users["jiangyin"], first)


# ---------------------------------------------------------------------------- promotion


def test_it_promotes_an_item_to_a_brand_once(cast):
    made = brand(cast)
    assert made.item.brand == made and made.promoted_by == cast.users["jiangyin"]
    assert ItemEvent.objects.filter(item=made.item, kind="brand", text="升级为品牌“技能强企”").exists()
    with pytest.raises(ValidationError, match="一个任务只能对应一个品牌"):
        services.promote_to_brand(cast.users["jiangyin"], made.item, "另一个名字")


def test_promotion_is_checked(cast):
    _, item = plan_with_item(cast, cadence=())
    with pytest.raises(ValidationError, match="请填写品牌名称"):
        services.promote_to_brand(cast.users["jiangyin"], item, "  ")
    for who in ("gaoyou", "lingdao", "renshe", "zhutang"):  # outsider, read-only, lead unit, town below
        with pytest.raises(PermissionDenied):
            services.promote_to_brand(cast.users[who], item, "品牌")
    PlanItem.objects.filter(pk=item.pk).update(status=PlanItem.Status.CANCELLED)
    with pytest.raises(ValidationError, match="已取消"):
        services.promote_to_brand(cast.users["jiangyin"], PlanItem.objects.get(pk=item.pk), "品牌")


# ---------------------------------------------------------------------------- evaluation


def test_the_total_is_the_sum_of_the_scores(cast):
    made = brand(cast)
    scores = _all(1)
    half = BrandCriterion.objects.get(name="见工匠精神").pk
    scores[half] = "0.5"
    scores[BrandCriterion.objects.get(name="企业有收益").pk] = 0
    evaluation = _evaluate(cast, made, scores)
    assert evaluation.total == Decimal("10.5") and evaluation.max_total == 12
    assert evaluation.scores.count() == 12 and evaluation.date == date(2024, 11, 20)
    assert ItemEvent.objects.filter(item=made.item, text="品牌“技能强企”评价得分10.5分（满分12分）").exists()


def test_every_active_criterion_must_be_scored_within_its_points(cast):
    made = brand(cast)
    carrier = BrandCriterion.objects.get(name="有载体")
    missing = _all()
    del missing[carrier.pk]
    with pytest.raises(ValidationError) as exc:
        _evaluate(cast, made, missing)
    assert exc.value.message_dict[f"score_{carrier.pk}"] == ["请为“有载体”打分。"]
    for bad, message in [(2, "应在0到1分之间"), (-1, "应在0到1分之间"), ("好", "不是有效的数字"), ("0.25", "一位小数")]:
        with pytest.raises(ValidationError) as exc:
            _evaluate(cast, made, {**_all(), carrier.pk: bad})
        assert message in exc.value.message_dict[f"score_{carrier.pk}"][0]
    with pytest.raises(ValidationError, match="不存在或已停用"):
        _evaluate(cast, made, {**_all(), 999999: 1})
    assert not BrandEvaluation.objects.exists()


def test_inactive_criteria_are_not_scored_and_points_are_configurable(cast):
    made = brand(cast)
    BrandCriterion.objects.filter(group="felt").update(is_active=False)
    BrandCriterion.objects.filter(name="有工作成效").update(points=3)
    scores = _all(1)
    scores[BrandCriterion.objects.get(name="有工作成效").pk] = 3
    evaluation = _evaluate(cast, made, scores)
    assert (evaluation.total, evaluation.max_total) == (8, 8)


def test_only_the_plans_managers_evaluate(cast):
    made = brand(cast)
    with pytest.raises(PermissionDenied):
        services.evaluate_brand(cast.users["gaoyou"], made, _all(), "")
    with pytest.raises(PermissionDenied):
        services.evaluate_brand(cast.users["renshe"], made, _all(), "")


# ---------------------------------------------------------------------------- pages


def test_the_ranking_orders_brands_by_their_latest_score(cast, client):
    first, second, unscored = brand(cast, name="甲品牌"), brand(cast, name="乙品牌"), brand(cast, name="丙品牌")
    with on(date(2024, 6, 1)):
        services.evaluate_brand(cast.users["jiangyin"], first, _all(1), "")
    with on(date(2024, 11, 1)):
        services.evaluate_brand(cast.users["jiangyin"], first, _all(0), "")  # the latest counts
        services.evaluate_brand(cast.users["jiangyin"], second, _all(1), "")
    assert [b.name for b in services.ranked(Brand.objects.all())] == ["乙品牌", "甲品牌", "丙品牌"]
    client.force_login(cast.users["jiangyin"])
    url = reverse("supervision:brand_list")
    html = client.get(url).content.decode()
    assert html.index("乙品牌") < html.index("甲品牌") < html.index("丙品牌") and "未评价" in html
    sheet = load_workbook(BytesIO(client.get(url, {"export": "xlsx"}).content)).active
    assert [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        (1, "乙品牌"),
        (2, "甲品牌"),
        (None, "丙品牌"),
    ]
    assert sheet["H2"].value == "12" and unscored.evaluations.count() == 0


def test_the_brand_list_costs_the_same_queries_for_more_brands(cast, client):
    client.force_login(cast.users["jiangyin"])
    brand(cast, name="甲品牌")
    before = query_count(client, reverse("supervision:brand_list"))
    for name in ("乙品牌", "丙品牌", "丁品牌"):
        with on(date(2024, 6, 1)):
            services.evaluate_brand(cast.users["jiangyin"], brand(cast, name=name), _all(1), "")
    assert query_count(client, reverse("supervision:brand_list")) == before


def test_brand_pages_are_scoped(cast, client):
    made = brand(cast)
    detail = reverse("supervision:brand_detail", kwargs={"brand_pk": made.pk})
    evaluate = reverse("supervision:brand_evaluate", kwargs={"brand_pk": made.pk})
    client.force_login(cast.users["renshe"])  # the item's lead unit sees its brand
    assert client.get(detail).status_code == 200
    assert client.get(evaluate).status_code == 403
    client.force_login(cast.users["lingdao"])
    assert client.get(detail).status_code == 200 and client.get(evaluate).status_code == 403
    client.force_login(cast.users["gaoyou"])
    assert client.get(detail).status_code == 404 and client.get(evaluate).status_code == 404
    assert made.name not in client.get(reverse("supervision:brand_list")).content.decode()


def test_a_brand_is_named_and_evaluated_through_the_pages(cast, client):
    _, item = plan_with_item(cast, cadence=())
    client.force_login(cast.users["jiangyin"])
    assert item.title in client.get(reverse("supervision:brand_create")).content.decode()
    response = client.post(reverse("supervision:brand_create") + f"?item={item.pk}", {"name": "技能江阴"})
    made = Brand.objects.get(item=item)
    assert response["Location"] == reverse("supervision:brand_detail", kwargs={"brand_pk": made.pk})
    evaluate = reverse("supervision:brand_evaluate", kwargs={"brand_pk": made.pk})
    data = {f"score_{pk}": 1 for pk in _all()}
    carrier = BrandCriterion.objects.get(name="有载体").pk
    with on(date(2024, 11, 20)):
        response = client.post(evaluate, {**data, f"score_{carrier}": "", "date": "2024-11-20"})
        assert response.status_code == 200 and "field-error" in response.content.decode()
        response = client.post(evaluate, {**data, "date": "2024-11-20", "comment": "好"})
    assert response.status_code == 302 and made.evaluations.get().total == 12
    assert "12" in client.get(reverse("supervision:brand_detail", kwargs={"brand_pk": made.pk})).content.decode()

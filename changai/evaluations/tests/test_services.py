from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from changai.core.models import Notification
from changai.core.periods import Period
from changai.evaluations import services
from changai.evaluations.models import Score
from changai.indicators.registry import get_computed
from changai.worklists import services as worklists
from changai.worklists.tests.factories import plan_with_item

from .factories import at, on, scorecard, town

MANUAL = {"name": "产改工作台账", "kind": "manual", "points": 10}
OVERDUE = {"name": "督查节点按时报送", "kind": "overdue_checkpoints", "points": 10, "per_unit_deduction": 2}


def score_of(card, org, rule_name) -> Score:
    return Score.objects.get(assessee__scorecard=card, assessee__org=org, rule__name=rule_name)


# ---------------------------------------------------------------------------- automatic marks


def test_it_deducts_for_each_checkpoint_reported_late_or_not_at_all(cast):
    zhutang = cast.users["zhutang"]
    zhutang.memberships.update(valid_from=date(2024, 1, 1))  # reports are stamped in 2024 below
    with on(date(2024, 1, 2)):
        _, item = plan_with_item(cast, cadence=("quarterly",), lead=cast.zhutang)
    due = {c.period: c.due_on for c in item.checkpoints.all()}
    with at(due["2024Q1"]):
        worklists.submit_progress(zhutang, item, percent=20, narrative="一季度按时报送")
    with at(due["2024Q2"] + timedelta(days=5)):
        worklists.submit_progress(zhutang, item, percent=40, narrative="二季度补报")
    # Q3 is never reported; Q4 is not due yet.
    with on(due["2024Q3"] + timedelta(days=10)):
        card = scorecard(cast, rules=[OVERDUE], open_it=True)
    score = score_of(card, cast.zhutang, OVERDUE["name"])
    assert score.auto_score == Decimal("6")  # 10 − 2 × (one late + one missing)
    numbers = dict(score.evidence["numbers"])
    assert numbers == {"已到期节点": "3", "逾期报送": "1", "未报送": "1", "扣分": "4"}
    notes = [record["note"] for record in score.evidence["records"]]
    assert len(notes) == 2 and "逾期报送" in notes[0] and notes[1].endswith("未报送")
    assert (
        "2024Q2" in score.evidence["records"][0]["text"] and "推进技能等级认定" in score.evidence["records"][0]["text"]
    )


def test_deductions_stop_at_zero_and_only_count_the_assessees_own_items(cast):
    with on(date(2024, 1, 2)):
        plan_with_item(cast, cadence=("monthly",), lead=cast.zhutang)
        plan_with_item(cast, cadence=("monthly",))  # led by the province's HR department, not assessed here
    with on(date(2024, 12, 20)):
        card = scorecard(cast, rules=[OVERDUE], open_it=True)
    score = score_of(card, cast.zhutang, OVERDUE["name"])
    assert score.auto_score == 0
    assert dict(score.evidence["numbers"])["未报送"] == "11"  # January to November are due and missing
    assert dict(score.evidence["numbers"])["扣分"] == "10"


def test_items_completed_gives_points_times_the_share_done(cast):
    with on(date(2024, 1, 2)):
        _, done = plan_with_item(cast, cadence=(), lead=cast.zhutang)
        plan_with_item(cast, cadence=(), lead=cast.zhutang, number="2", title="建设职工之家")
    with on(date(2024, 6, 1)):
        worklists.submit_progress(cast.users["zhutang"], done, percent=100, narrative="已完成")
        card = scorecard(cast, rules=[{"name": "任务完成", "kind": "items_completed", "points": 5}], open_it=True)
    score = score_of(card, cast.zhutang, "任务完成")
    assert score.auto_score == Decimal("2.5")
    assert "完成率50%" in score.evidence["summary"]


def test_brand_bonus_counts_brands_promoted_in_the_year_up_to_the_cap(cast):
    pytest.importorskip("changai.supervision")
    from django.apps import apps

    brand = apps.get_model("supervision", "Brand")
    with on(date(2024, 1, 2)):
        items = [plan_with_item(cast, cadence=(), lead=cast.zhutang, number=str(n))[1] for n in range(1, 5)]
    promoted = [datetime(2024, 3, 1), datetime(2024, 9, 1), datetime(2024, 11, 1), datetime(2025, 1, 10)]
    for number, (item, when) in enumerate(zip(items, promoted, strict=True), start=1):
        brand.objects.create(item=item, name=f"祝塘品牌{number}", promoted_at=timezone.make_aware(when))
    rule = {"name": "产改品牌", "kind": "brand_bonus", "points": "0.5", "cap": "1.2"}
    with on(date(2025, 1, 20)):
        card = scorecard(cast, rules=[rule], open_it=True)
    score = score_of(card, cast.zhutang, "产改品牌")
    assert score.auto_score == Decimal("1.2")  # three 2024 brands × 0.5, capped at 1.2
    assert dict(score.evidence["numbers"])["品牌"] == "3"
    assert [r["text"] for r in score.evidence["records"]] == ["祝塘品牌1", "祝塘品牌2", "祝塘品牌3"]


def test_a_brand_bonus_needs_a_cap(cast):
    card = scorecard(cast)
    with pytest.raises(ValidationError, match="加分上限"):
        services.add_rule(cast.users["jiangyin"], card, name="品牌", kind="brand_bonus", points=1)


# ---------------------------------------------------------------------------- self and reviewer marks


@pytest.fixture
def open_card(cast):
    with on(date(2024, 12, 20)):
        return scorecard(cast, rules=[MANUAL, OVERDUE], open_it=True)


def test_only_the_assessees_members_enter_self_scores_within_the_rules_points(cast, open_card):
    score = score_of(open_card, cast.zhutang, MANUAL["name"])
    services.enter_self_score(cast.users["zhutang"], score, "8.5", "台账齐全")
    assert Score.objects.get(pk=score.pk).self_score == Decimal("8.5")
    with pytest.raises(ValidationError, match="应在0到10分之间"):
        services.enter_self_score(cast.users["zhutang"], score, "11")
    with pytest.raises(ValidationError, match="有效的分值"):
        services.enter_self_score(cast.users["zhutang"], score, "八分")
    for outsider in ("jiangyin", "qiye", "renshe"):
        with pytest.raises(PermissionDenied, match="只有被考核单位"):
            services.enter_self_score(cast.users[outsider], score, "9")


def test_only_the_office_reviews_and_must_explain_a_mark_that_differs_from_the_self_score(cast, open_card):
    score = score_of(open_card, cast.zhutang, MANUAL["name"])
    services.enter_self_score(cast.users["zhutang"], score, "9", "")
    for not_office in ("zhutang", "wuxi", "lingdao", "gaoyou"):
        with pytest.raises(PermissionDenied, match="只有考核单位可以评分"):
            services.review_score(cast.users[not_office], score, "9")
    with pytest.raises(ValidationError) as exc:
        services.review_score(cast.users["jiangyin"], score, "7")
    assert exc.value.message_dict["comment"] == [
        "评分（7分）与自评分（9分）不一致，请填写评分说明，写明扣分或加分理由。"
    ]
    services.review_score(cast.users["jiangyin"], score, "7", "缺少二季度台账")
    score.refresh_from_db()
    assert (score.reviewer_score, score.reviewed_by) == (Decimal("7"), cast.users["jiangyin"])
    with pytest.raises(ValidationError, match="不能再修改自评分"):
        services.enter_self_score(cast.users["zhutang"], score, "10")


def test_a_mark_equal_to_the_self_score_needs_no_comment(cast, open_card):
    score = score_of(open_card, cast.zhutang, MANUAL["name"])
    services.enter_self_score(cast.users["zhutang"], score, "9")
    services.review_score(cast.users["jiangyin"], score, "9.00")
    assert Score.objects.get(pk=score.pk).reviewer_score == 9


def test_nothing_is_scored_before_opening_or_after_closing(cast):
    card = scorecard(cast, rules=[MANUAL])
    score = score_of(card, cast.zhutang, MANUAL["name"])
    with pytest.raises(ValidationError, match="考核尚未开始，暂不能自评"):
        services.enter_self_score(cast.users["zhutang"], score, "5")
    with on(date(2024, 12, 20)):
        services.open_scorecard(cast.users["jiangyin"], card)
        services.close_scorecard(cast.users["jiangyin"], card)
    with pytest.raises(ValidationError, match="考核已结束，评分已锁定"):
        services.review_score(cast.users["jiangyin"], score, "5")
    with pytest.raises(ValidationError, match="得分已锁定"):
        services.compute_auto_scores(card)
    with pytest.raises(ValidationError, match="不能再修改评分细则"):
        services.add_rule(cast.users["jiangyin"], card, name="新增", points=1)


def test_opening_tells_the_assessees_members_to_score_themselves(cast, django_capture_on_commit_callbacks):
    card = scorecard(cast, rules=[MANUAL])
    with on(date(2024, 12, 20)), django_capture_on_commit_callbacks(execute=True):
        services.open_scorecard(cast.users["jiangyin"], card)
    note = Notification.objects.get(user=cast.users["zhutang"])
    assert "乡镇产改工作考核已开始" in note.title and note.link.startswith("/evaluations/assessees/")


def test_setup_is_the_offices_alone(cast):
    with pytest.raises(PermissionDenied):
        services.create_scorecard(cast.users["wuxi"], cast.jiangyin, year=2024, title="考核", max_points=3)
    with pytest.raises(PermissionDenied):
        services.create_scorecard(cast.users["zhutang"], cast.zhutang, year=2024, title="考核", max_points=3)
    card = scorecard(cast)
    with pytest.raises(PermissionDenied):
        services.add_rule(cast.users["wuxi"], card, **MANUAL)
    with pytest.raises(ValidationError, match="不在江阴市的管辖范围内"):
        services.add_assessees(cast.users["jiangyin"], card, [cast.tangzhuang])


def test_candidates_are_the_offices_towns_or_its_own_member_units(cast):
    from changai.orgs.models import Kind
    from changai.orgs.tests.factories import add_org

    add_org(cast.jiangyin, name="江阴市人社局", code="MU-320281-hr", kind=Kind.MEMBER_UNIT)
    card = scorecard(cast, assessees=[])
    assert [o.name for o in services.assessee_candidates(card, Kind.TOWN)] == ["祝塘镇"]
    assert [o.name for o in services.assessee_candidates(card, Kind.MEMBER_UNIT)] == ["江阴市人社局"]


# ---------------------------------------------------------------------------- totals and ranking


def test_the_total_uses_reviewer_marks_else_automatic_ones_scaled_to_the_scorecards_points(cast, open_card):
    manual = score_of(open_card, cast.zhutang, MANUAL["name"])
    services.review_score(cast.users["jiangyin"], manual, "6")
    overdue = score_of(open_card, cast.zhutang, OVERDUE["name"])
    assert overdue.auto_score == 10  # no items, nothing overdue
    assessee = manual.assessee
    assert services.total(assessee) == Decimal("2.4")  # (6 + 10) / 20 × 3
    services.review_score(cast.users["jiangyin"], overdue, "4")
    assert services.total(assessee) == Decimal("1.5")


def test_equal_totals_share_a_rank(cast):
    towns = [cast.zhutang, town(cast, "青阳镇", "320281105"), town(cast, "徐霞客镇", "320281106")]
    towns.append(town(cast, "华士镇", "320281107"))
    with on(date(2024, 12, 20)):
        card = scorecard(cast, rules=[MANUAL], assessees=towns, open_it=True)
    for org, mark in zip(towns, ["8", "9", "8", "5"], strict=True):
        services.review_score(cast.users["jiangyin"], score_of(card, org, MANUAL["name"]), mark)
    rows = services.ranking(card)
    assert [(row.rank, row.assessee.org.name, row.totals.total) for row in rows] == [
        (1, "青阳镇", Decimal("2.7")),
        (2, "祝塘镇", Decimal("2.4")),
        (2, "徐霞客镇", Decimal("2.4")),
        (4, "华士镇", Decimal("1.5")),
    ]


def test_the_average_score_rate_counts_closed_scorecards_in_the_subtree(cast):
    towns = [cast.zhutang, town(cast, "青阳镇", "320281105")]
    with on(date(2024, 12, 20)):
        card = scorecard(cast, rules=[MANUAL], assessees=towns, open_it=True)
    for org, mark in zip(towns, ["8", "5"], strict=True):
        services.review_score(cast.users["jiangyin"], score_of(card, org, MANUAL["name"]), mark)
    compute = get_computed("assessment_score_rate").compute
    orgs = [cast.jiangyin, cast.zhutang, cast.gaoyou]
    assert compute(Period.parse("2024"), orgs) == {}  # still open
    with on(date(2024, 12, 20)):
        services.close_scorecard(cast.users["jiangyin"], card)
    rates = compute(Period.parse("2024"), orgs)
    assert rates == {cast.jiangyin.pk: Decimal("65.00"), cast.zhutang.pk: Decimal("80.00")}
    assert compute(Period.parse("2024Q4"), orgs) == {}

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from changai.evaluations import services
from changai.evaluations.models import Assessee, Score, Scorecard

from .factories import on, scorecard, town

MANUAL = {"name": "产改工作台账", "kind": "manual", "points": 10}
OVERDUE = {"name": "督查节点按时报送", "kind": "overdue_checkpoints", "points": 10, "per_unit_deduction": 2}


def url(name, **kwargs):
    return reverse(f"evaluations:{name}", kwargs=kwargs)


@pytest.fixture
def card(cast):
    with on(date(2024, 12, 20)):
        return scorecard(cast, rules=[MANUAL, OVERDUE], open_it=True)


def zhutang_score(card, rule=MANUAL["name"]) -> Score:
    return Score.objects.get(assessee__scorecard=card, assessee__org__name="祝塘镇", rule__name=rule)


def test_the_office_sets_up_and_opens_an_assessment_through_the_pages(cast, client):
    town(cast, "青阳镇", "320281105")
    client.force_login(cast.users["jiangyin"])
    assert "新建考核" in client.get(url("list")).content.decode()
    response = client.post(
        url("create"), {"org": cast.jiangyin.pk, "year": 2024, "title": "乡镇产改工作考核", "max_points": "3"}
    )
    card = Scorecard.objects.get()
    assert response.url == url("detail", scorecard_pk=card.pk)
    client.post(url("rule_add", scorecard_pk=card.pk), {"name": "台账", "kind": "manual", "points": "10"})
    bad = client.post(
        url("rule_add", scorecard_pk=card.pk),
        {"name": "逾期", "kind": "overdue_checkpoints", "points": "5"},
        follow=True,
    )
    assert "逾期报送扣分须填写每次扣分" in bad.content.decode()
    brand = {"name": "品牌", "kind": "brand_bonus", "points": "0.5", "cap": "1", "description": "看得见标准"}
    client.post(url("rule_add", scorecard_pk=card.pk), brand)
    client.post(url("rule_add", scorecard_pk=card.pk), {"name": "完成率", "kind": "items_completed", "points": "5"})
    assert list(card.rules.values_list("name", flat=True)) == ["台账", "品牌", "完成率"]
    client.post(url("assessees_add", scorecard_pk=card.pk), {"kind": "town"})
    assert sorted(card.assessees.values_list("org__name", flat=True)) == ["祝塘镇", "青阳镇"]
    with on(date(2024, 12, 20)):
        page = client.post(url("open", scorecard_pk=card.pk), follow=True).content.decode()
    assert "已开始评分" in page and "青阳镇" in page and "评分中" in page
    assert Score.objects.filter(assessee__scorecard=card).count() == 6
    assert "最多1分" in page and "看得见标准" in page


def test_the_assessee_scores_itself_and_the_office_reviews_on_the_assessee_page(cast, client, card):
    score = zhutang_score(card)
    page_url = url("assessee_detail", assessee_pk=score.assessee_id)
    client.force_login(cast.users["zhutang"])
    page = client.get(page_url).content.decode()
    assert "保存自评" in page and "保存评分" not in page
    assert "牵头任务0项" in page  # the evidence of the automatic rule
    client.post(url("self_score", score_pk=score.pk), {"value": "9", "comment": "台账齐全"})
    assert Score.objects.get(pk=score.pk).self_score == 9

    client.force_login(cast.users["jiangyin"])
    page = client.get(page_url).content.decode()
    assert "保存评分" in page and "保存自评" not in page and "台账齐全" in page
    response = client.post(url("review", score_pk=score.pk), {"value": "7", "comment": ""}, follow=True)
    assert "与自评分（9分）不一致，请填写评分说明" in response.content.decode()
    client.post(url("review", score_pk=score.pk), {"value": "7", "comment": "缺二季度台账"})
    assert Score.objects.get(pk=score.pk).reviewer_score == 7
    detail = client.get(url("detail", scorecard_pk=card.pk)).content.decode()
    assert "2.55" in detail  # (7 + 10) / 20 × 3


def test_readers_see_but_may_not_mark(cast, client, card):
    score = zhutang_score(card)
    client.force_login(cast.users["lingdao"])
    assert client.get(url("detail", scorecard_pk=card.pk)).status_code == 200
    assert "保存评分" not in client.get(url("assessee_detail", assessee_pk=score.assessee_id)).content.decode()
    assert client.post(url("review", score_pk=score.pk), {"value": "1"}).status_code == 403
    assert client.post(url("close", scorecard_pk=card.pk)).status_code == 403
    client.force_login(cast.users["wuxi"])  # the city above sees the ranking but is not the office
    assert client.get(url("ranking", scorecard_pk=card.pk)).status_code == 200
    assert client.post(url("review", score_pk=score.pk), {"value": "1"}).status_code == 403
    assert Score.objects.get(pk=score.pk).reviewer_score is None


def test_outsiders_get_404(cast, client, card):
    score = zhutang_score(card)
    client.force_login(cast.users["gaoyou"])
    assert client.get(url("detail", scorecard_pk=card.pk)).status_code == 404
    assert client.get(url("assessee_detail", assessee_pk=score.assessee_id)).status_code == 404
    assert client.get(url("ranking", scorecard_pk=card.pk)).status_code == 404
    assert client.post(url("self_score", score_pk=score.pk), {"value": "1"}).status_code == 404
    assert "乡镇产改工作考核" not in client.get(url("list")).content.decode()


def test_an_assessee_sees_only_its_own_row_and_no_ranking(cast, client):
    qingyang = town(cast, "青阳镇", "320281105")
    with on(date(2024, 12, 20)):
        card = scorecard(cast, rules=[MANUAL], assessees=[cast.zhutang, qingyang], open_it=True)
    other = Assessee.objects.get(scorecard=card, org=qingyang)
    client.force_login(cast.users["zhutang"])
    detail = client.get(url("detail", scorecard_pk=card.pk)).content.decode()
    assert "祝塘镇" in detail and "青阳镇" not in detail
    assert client.get(url("assessee_detail", assessee_pk=other.pk)).status_code == 404
    assert client.get(url("ranking", scorecard_pk=card.pk)).status_code == 403
    assert "本单位得分" in client.get(url("list")).content.decode()


def test_a_draft_is_hidden_from_the_assessees(cast, client):
    card = scorecard(cast, rules=[MANUAL])
    client.force_login(cast.users["zhutang"])
    assert client.get(url("detail", scorecard_pk=card.pk)).status_code == 404


def test_the_ranking_exports_a_row_per_assessee_with_a_column_per_rule(cast, client):
    towns = [cast.zhutang, town(cast, "青阳镇", "320281105"), town(cast, "华士镇", "320281107")]
    with on(date(2024, 12, 20)):
        card = scorecard(cast, rules=[MANUAL, OVERDUE], assessees=towns, open_it=True)
    for org, mark in zip(towns, ["8", "9", "8"], strict=True):
        score = Score.objects.get(assessee__scorecard=card, assessee__org=org, rule__name=MANUAL["name"])
        services.review_score(cast.users["jiangyin"], score, mark)
    client.force_login(cast.users["jiangyin"])
    page = client.get(url("ranking", scorecard_pk=card.pk)).content.decode()
    assert "得分排名" in page and "导出Excel" in page
    response = client.get(url("ranking", scorecard_pk=card.pk), {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0] == (
        "名次",
        "被考核单位",
        "产改工作台账（10分）",
        "督查节点按时报送（10分）",
        "细则合计",
        "自评合计",
        "最终得分（满分3分）",
    )
    assert rows[1:] == [
        (1, "青阳镇", 9, 10, 19, None, 2.85),
        (2, "祝塘镇", 8, 10, 18, None, 2.7),
        (2, "华士镇", 8, 10, 18, None, 2.7),
    ]


def test_the_detail_and_ranking_pages_take_the_same_queries_for_more_assessees(cast, client):
    client.force_login(cast.users["jiangyin"])
    with on(date(2024, 12, 20)):
        card = scorecard(cast, rules=[MANUAL, OVERDUE], open_it=True)
    pages = [url("detail", scorecard_pk=card.pk), url("ranking", scorecard_pk=card.pk)]

    def queries():
        counts = []
        for page in pages:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(page).status_code == 200
            counts.append(len(captured))
        return counts

    few = queries()
    more = [town(cast, f"测试镇{n}", f"3202819{n:02d}") for n in range(5)]
    card.status = Scorecard.Status.DRAFT  # in memory only: the stored scorecard stays open
    services.add_assessees(cast.users["jiangyin"], card, more)
    assert queries() == few

"""Figures computed from assessment results: only closed scorecards count, since open marks may still change."""

from decimal import Decimal

from changai.core.periods import YEAR
from changai.indicators.registry import register

CODE = "assessment_score_rate"


@register(
    CODE,
    "考核平均得分率",
    "%",
    "institutional",
    description="本年度已结束的产改考核中，辖区内被考核单位的最终得分占满分比例的平均值（各考核满分不同，按得分率比较）。"
    "仅按年度统计。",
)
def assessment_score_rate(period, orgs):
    from .models import Assessee, Score, Scorecard
    from .services import CENT, add_up

    if period.type != YEAR or not orgs:
        return {}
    assessees = list(
        Assessee.objects.filter(scorecard__year=period.year, scorecard__status=Scorecard.Status.CLOSED)
        .select_related("org", "scorecard")
        .order_by("pk")
    )
    if not assessees:
        return {}
    scorecards = {a.scorecard_id: a.scorecard for a in assessees}
    rules: dict[int, list] = {pk: [] for pk in scorecards}
    for scorecard in scorecards.values():
        rules[scorecard.pk] = list(scorecard.rules.all())
    scores: dict[int, list] = {}
    for score in Score.objects.filter(assessee__in=[a.pk for a in assessees]):
        scores.setdefault(score.assessee_id, []).append(score)
    rates = []
    for assessee in assessees:
        scorecard = assessee.scorecard
        final = add_up(scorecard, rules[scorecard.pk], scores.get(assessee.pk, [])).total
        rates.append((assessee.org.path, final * 100 / scorecard.max_points))
    result = {}
    for org in orgs:
        inside = [rate for path, rate in rates if path.startswith(org.path)]
        if inside:
            result[org.pk] = (sum(inside, Decimal(0)) / len(inside)).quantize(CENT)
    return result


def forget(year: int) -> None:
    """Drop the cached figures of a year, so they are computed afresh when read."""
    from changai.indicators.models import Rollup

    Rollup.objects.filter(indicator__code=CODE, period=str(year)).delete()

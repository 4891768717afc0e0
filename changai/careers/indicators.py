"""Career figures for any org's subtree and period, counted at the enterprise where the move or application was."""

from changai.indicators.registry import count_in_subtrees, register

from .models import CareerMove, TitleApplication

_QUALITY = "quality"
_PATH = "enterprise__path"


def _moves(period):
    return CareerMove.objects.filter(effective_on__range=(period.start, period.end))


@register(
    "careers_title_bridge_passes",
    "技能人才贯通评审通过人数",
    "人",
    _QUALITY,
    aggregation="sum",
    description="期内经技能人才与工程技术人才贯通评审取得工程技术职称的人数（按评审结果日期）。",
)
def title_bridge_passes(period, orgs):
    passed = TitleApplication.objects.filter(
        status=TitleApplication.Status.PASSED, decided_on__range=(period.start, period.end)
    )
    return count_in_subtrees(passed, orgs, path_field=_PATH)


@register(
    "careers_title_bridge_applications",
    "技能人才贯通评审申报人数",
    "人",
    _QUALITY,
    aggregation="sum",
    description="期内登记申报技能人才贯通评审的人次（按申报日期）。",
)
def title_bridge_applications(period, orgs):
    applied = TitleApplication.objects.filter(submitted_on__range=(period.start, period.end))
    return count_in_subtrees(applied, orgs, path_field=_PATH)


@register(
    "careers_frontline_promotions",
    "一线职工晋升管理岗位人数",
    "人",
    _QUALITY,
    aggregation="sum",
    description="期内生效的、一线职工从技能或技术序列晋升到管理序列的岗位变动数。",
)
def frontline_promotions(period, orgs):
    return count_in_subtrees(_moves(period).filter(frontline_promotion=True), orgs, path_field=_PATH)


@register(
    "careers_moves",
    "职工岗位变动次数",
    "个",
    _QUALITY,
    aggregation="sum",
    description="期内生效的职工岗位变动（纵向晋升和横向转换）次数。",
)
def moves(period, orgs):
    return count_in_subtrees(_moves(period), orgs, path_field=_PATH)


@register(
    "careers_vertical_promotions",
    "职工纵向晋升次数",
    "个",
    _QUALITY,
    aggregation="sum",
    description="期内生效的、同一岗位序列内的晋升次数。",
)
def vertical_promotions(period, orgs):
    return count_in_subtrees(_moves(period).filter(kind=CareerMove.Kind.VERTICAL), orgs, path_field=_PATH)

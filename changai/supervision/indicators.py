"""Figures of supervision: rectifications completed, brands named, joint meetings held."""

from changai.indicators.registry import as_of, count_in_subtrees, register

from .models import Brand, Meeting, Rectification

_INSTITUTIONAL = "institutional"


@register(
    "spot_check_rectified",
    "抽查问题完成整改数",
    "个",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内完成整改的季度抽查问题整改数，按抽查计划的制定单位统计。",
)
def spot_check_rectified(period, orgs):
    done = Rectification.objects.filter(
        status=Rectification.Status.DONE, done_at__date__range=(period.start, period.end)
    )
    return count_in_subtrees(done, orgs, path_field="finding__spot_check__plan__org__path")


@register(
    "brands_named",
    "产改品牌数",
    "个",
    _INSTITUTIONAL,
    description="截至期末由产改任务升级命名的品牌数，按任务所属计划的制定单位统计。",
)
def brands_named(period, orgs):
    named = Brand.objects.filter(promoted_at__date__lte=as_of(period))
    return count_in_subtrees(named, orgs, path_field="item__plan__org__path")


@register(
    "meetings_held",
    "召开联席会议（推进会）场次",
    "场",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内召开的产改联席会议和推进会次数，按召集单位统计。",
)
def meetings_held(period, orgs):
    held = Meeting.objects.filter(date__range=(period.start, period.end))
    return count_in_subtrees(held, orgs, path_field="org__path")

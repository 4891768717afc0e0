"""Figures of the work plans: items by status, light and pillar, checkpoint timeliness, notices."""

from decimal import Decimal

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from changai.indicators.models import Pillar
from changai.indicators.registry import as_of, count_in_subtrees, register

from .models import Checkpoint, Light, PlanItem, SupervisionNotice

_PATH = "plan__org__path"
_INSTITUTIONAL = "institutional"


def _items(period):
    return PlanItem.objects.filter(plan__year=period.year)


def _register_status(status):
    @register(
        f"plan_items_{status.value}",
        f"{status.label}任务数",
        "项",
        _INSTITUTIONAL,
        description=f"本年度工作计划中{status.label}的任务事项数。",
    )
    def items_in_status(period, orgs):
        return count_in_subtrees(_items(period).filter(status=status), orgs, path_field=_PATH)


for _status in PlanItem.Status:
    _register_status(_status)


@register("plan_items_red", "亮红灯任务数", "项", _INSTITUTIONAL, description="当前逾期（红灯）的推进中任务数。")
def items_red(period, orgs):
    active = _items(period).filter(status=PlanItem.Status.ACTIVE, light=Light.RED)
    return count_in_subtrees(active, orgs, path_field=_PATH)


def _register_pillar(pillar):
    @register(
        f"plan_items_{pillar.value}",
        f"{pillar.label}任务数",
        "项",
        _INSTITUTIONAL,
        description=f"本年度工作计划中属于“{pillar.label}”板块的任务事项数。",
    )
    def items_in_pillar(period, orgs):
        return count_in_subtrees(_items(period).filter(pillar=pillar), orgs, path_field=_PATH)


for _pillar in Pillar:
    _register_pillar(_pillar)


@register(
    "checkpoints_on_time_rate",
    "督查节点按时报送率",
    "%",
    _INSTITUTIONAL,
    description="截至期末已到期的督查节点中按时报送的比例。",
)
def checkpoints_on_time_rate(period, orgs):
    due = Checkpoint.objects.filter(item__plan__year=period.year, due_on__lte=as_of(period))
    path = "item__plan__org__path"
    totals = count_in_subtrees(due, orgs, path_field=path)
    on_time = count_in_subtrees(
        due.annotate(day=TruncDate("submitted_at")).filter(day__lte=F("due_on")), orgs, path_field=path
    )
    return {
        pk: (Decimal(on_time[pk] * 100) / totals[pk]).quantize(Decimal("0.1")) if totals[pk] else None for pk in totals
    }


@register("notices_issued", "下发督办单数", "个", _INSTITUTIONAL, aggregation="sum", description="期内下发的督办单数。")
def notices_issued(period, orgs):
    issued = SupervisionNotice.objects.filter(issued_at__date__range=(period.start, period.end))
    return count_in_subtrees(issued, orgs, path_field="item__plan__org__path")


@register(
    "notices_answered",
    "已答复督办单数",
    "个",
    _INSTITUTIONAL,
    aggregation="sum",
    description="期内下发且已答复的督办单数。",
)
def notices_answered(period, orgs):
    answered = SupervisionNotice.objects.filter(
        Q(status=SupervisionNotice.Status.ANSWERED), issued_at__date__range=(period.start, period.end)
    )
    return count_in_subtrees(answered, orgs, path_field="item__plan__org__path", aggregate=Count("pk"))

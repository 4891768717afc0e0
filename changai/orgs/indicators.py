"""Figures the org tree computes about itself."""

from django.db.models import Sum

from changai.indicators.registry import active_on, as_of, count_in_subtrees, register

from .models import Kind, Org

_INSTITUTIONAL = "institutional"


def _enterprises(period):
    return Org.objects.filter(active_on(as_of(period)), kind=Kind.ENTERPRISE)


@register("enterprises", "企业数", "家", _INSTITUTIONAL, description="期末在册的企业数（含下级）。")
def enterprises(period, orgs):
    return count_in_subtrees(_enterprises(period), orgs, path_field="path")


@register("enterprises_with_union", "已建工会企业数", "家", _INSTITUTIONAL, description="期末已建立工会的企业数。")
def enterprises_with_union(period, orgs):
    return count_in_subtrees(_enterprises(period).filter(has_union=True), orgs, path_field="path")


@register("enterprise_workers", "企业职工人数", "人", _INSTITUTIONAL, description="期末在册企业登记的职工人数合计。")
def enterprise_workers(period, orgs):
    return count_in_subtrees(_enterprises(period), orgs, path_field="path", aggregate=Sum("headcount"))


@register("pilot_enterprises", "试点企业数", "家", _INSTITUTIONAL, description="期末被列为各级产改试点的企业数。")
def pilot_enterprises(period, orgs):
    return count_in_subtrees(_enterprises(period).exclude(pilot_level=""), orgs, path_field="path")

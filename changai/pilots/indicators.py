"""Figures computed from pilot records, counted in each org's subtree as of the period end."""

from datetime import date

from django.db.models import Count, Q

from changai.indicators.registry import as_of, count_in_subtrees, register
from changai.orgs.models import Org, PilotLevel

from .models import PilotProject, PilotUnit

_INSTITUTIONAL = "institutional"
_DISTINCT_ORGS = Count("org", distinct=True)
CODES: list[str] = []


def _register(code, name, unit, description):
    CODES.append(code)
    return register(code, name, unit, _INSTITUTIONAL, description=description)


def pilots_in_force(day: date):
    """Pilots approved by `day` and not withdrawn by then (demonstrations named from them included)."""
    return PilotUnit.objects.filter(approved_on__lte=day).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))


def _register_level(level):
    @_register(
        f"pilot_units_{level.value}",
        f"{level.label}单位数",
        "家",
        f"期末在册的{level.label}单位数（已批准、未撤销，含已命名示范的），一家单位按1家计。",
    )
    def pilot_units_at_level(period, orgs):
        units = pilots_in_force(as_of(period)).filter(level=level)
        return count_in_subtrees(units, orgs, path_field="org__path", aggregate=_DISTINCT_ORGS)


for _level in PilotLevel:
    _register_level(_level)


@_register("pilot_units_total", "各级试点单位数", "家", "期末在册的各级试点单位数，一家获多级试点按1家计。")
def pilot_units_total(period, orgs):
    units = pilots_in_force(as_of(period))
    return count_in_subtrees(units, orgs, path_field="org__path", aggregate=_DISTINCT_ORGS)


@_register(
    "pilot_demonstrations_named", "已命名示范单位数", "家", "截至期末由试点验收后命名为产改示范企业、示范园区的单位数。"
)
def pilot_demonstrations_named(period, orgs):
    named = PilotUnit.objects.filter(demonstration_on__lte=as_of(period))
    return count_in_subtrees(named, orgs, path_field="org__path", aggregate=_DISTINCT_ORGS)


def _projects(day: date):
    in_force = pilots_in_force(day).values("pk")
    return PilotProject.objects.filter(pilot__in=in_force, start_date__lte=day).exclude(
        status=PilotProject.Status.STOPPED
    )


@_register("pilot_projects", "试点项目数", "项", "期末在册试点单位已开始、未终止的试点项目数。")
def pilot_projects(period, orgs):
    return count_in_subtrees(_projects(as_of(period)), orgs, path_field="pilot__org__path")


@_register(
    "pilot_projects_on_track",
    "按进度推进的试点项目数",
    "项",
    "试点项目中已完成，或当前进度不低于已过时间占比（开始日期至完成时限）的项目数。",
)
def pilot_projects_on_track(period, orgs):
    day = as_of(period)
    on_track = [project.pk for project in _projects(day).only(*_TRACK_FIELDS) if project.is_on_track(day)]
    return count_in_subtrees(PilotProject.objects.filter(pk__in=on_track), orgs, path_field="pilot__org__path")


_TRACK_FIELDS = ["pk", "start_date", "deadline", "progress", "status"]


def forget(org: Org) -> None:
    """Drop the cached pilot figures of `org` and the orgs above it, so they are computed afresh when read."""
    from changai.indicators.models import Rollup

    chain = [*Org.objects.get_ancestors(org), org]
    Rollup.objects.filter(indicator__code__in=CODES, org__in=chain).delete()

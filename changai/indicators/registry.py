"""Indicators that apps compute from their own records, registered in each app's `ready()`.

An app declares, e.g. in `changai/orgs/indicators.py`:

    @register("enterprises", "企业数", "家", Pillar.INSTITUTIONAL)
    def enterprises(period, orgs):
        return count_in_subtrees(Org.objects.filter(kind="enterprise"), orgs, path_field="path")

and the catalogue, rollups, dashboards and bulletins pick it up without importing the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from changai.core.periods import Period

Compute = Callable[[Period, Sequence], dict[int, Decimal | int]]


@dataclass(frozen=True)
class ComputedIndicator:
    code: str
    name: str
    unit: str
    pillar: str
    compute: Compute
    aggregation: str = "latest"
    description: str = ""


_REGISTRY: dict[str, ComputedIndicator] = {}


def register(code: str, name: str, unit: str, pillar: str, *, aggregation: str = "latest", description: str = ""):
    """Register `func(period, orgs) -> {org_id: value}` as the computation of a platform indicator."""

    def decorator(func: Compute) -> Compute:
        _REGISTRY[code] = ComputedIndicator(code, name, unit, pillar, func, aggregation, description)
        return func

    return decorator


def computed_indicators() -> list[ComputedIndicator]:
    return list(_REGISTRY.values())


def get_computed(code: str) -> ComputedIndicator | None:
    return _REGISTRY.get(code)


def as_of(period: Period) -> date:
    """The day a stock figure is counted on: the period's end, or today while the period runs."""
    return min(period.end, timezone.localdate())


def count_in_subtrees(queryset, orgs: Sequence, *, path_field: str, aggregate=None) -> dict[int, int]:
    """For each org, aggregate the queryset's rows that sit in its subtree: one query per tree depth."""
    from changai.orgs.models import Org

    aggregate = aggregate or Count("pk")
    result = {org.pk: 0 for org in orgs}
    by_depth: dict[int, dict[str, int]] = {}
    for org in orgs:
        by_depth.setdefault(org.depth, {})[org.path] = org.pk
    for depth, paths in by_depth.items():
        width = Org.steplen * depth
        rows = (
            queryset.order_by()
            .annotate(_prefix=Substr(path_field, 1, width))
            .filter(_prefix__in=list(paths))
            .values("_prefix")
            .annotate(_value=aggregate)
        )
        for row in rows:
            result[paths[row["_prefix"]]] = row["_value"] or 0
    return result


def active_on(day: date, prefix: str = "") -> Q:
    """Orgs open on `day`: opened by then (or undated) and not yet closed."""
    p = f"{prefix}__" if prefix else ""
    opened = Q(**{f"{p}opened_on__isnull": True}) | Q(**{f"{p}opened_on__lte": day})
    open_still = Q(**{f"{p}closed_on__isnull": True, f"{p}is_active": True}) | Q(**{f"{p}closed_on__gt": day})
    return opened & open_still


def sync_catalogue(**kwargs) -> None:
    """Keep a catalogue row for every registered indicator (run after migrate)."""
    from .models import Indicator, Source

    for item in _REGISTRY.values():
        Indicator.objects.update_or_create(
            code=item.code,
            defaults={
                "name": item.name,
                "unit": item.unit,
                "pillar": item.pillar,
                "aggregation": item.aggregation,
                "source": Source.COMPUTED,
                "description": item.description,
            },
        )

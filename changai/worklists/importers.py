"""Importing a plan's items from a workbook: one importer per plan, keyed `plan:<plan pk>`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from changai.core.imports import Column, Importer, RowError, RowErrors, in_chunks, register_importer_factory
from changai.indicators.models import Pillar
from changai.orgs.models import Kind, Org

from . import services
from .forms import unit_queryset
from .models import Plan, PlanItem
from .services import update_item

PREFIX = "plan"
SEPARATORS = re.compile(r"[、,，;；\n]+")
# Optional columns left blank keep what an existing item already has.
KEEP_WHEN_BLANK = ("target_value", "starts_on", "evidence_required")

COLUMNS = [
    Column(
        "number", "序号", required=True, max_length=12, width=8, help="在本计划内唯一；序号已存在的任务按本行更新。"
    ),
    Column("title", "任务", required=True, max_length=200, width=40, aliases=("任务内容", "工作任务", "任务名称")),
    Column("pillar", "所属板块", required=True, kind="choice", choices=Pillar.choices, width=12, aliases=("板块",)),
    Column(
        "lead_unit",
        "牵头单位",
        required=True,
        max_length=120,
        width=24,
        help="本级或下级单位、上级成员单位的准确名称或代码；重名时请填写代码。",
        aliases=("责任单位", "牵头部门"),
    ),
    Column(
        "supporting_units",
        "配合单位",
        width=30,
        help="可填多个，用顿号“、”或逗号分隔。",
        aliases=("配合部门", "协同单位"),
    ),
    Column("target", "目标", required=True, max_length=300, width=36, aliases=("目标任务", "工作目标")),
    Column("target_value", "量化目标值", kind="decimal", width=12, help="可量化的目标填数字。"),
    Column("starts_on", "开始日期", kind="date", width=14, help="不填则为计划年度的1月1日。"),
    Column("deadline", "完成时限", required=True, kind="date", width=14, aliases=("完成时间", "截止日期")),
    Column("evidence_required", "佐证材料要求", max_length=300, width=30, aliases=("佐证材料",)),
]


def importer_key(plan: Plan) -> str:
    return f"{PREFIX}:{plan.pk}"


def _name_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


def _code_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()


def split_units(text: str | None) -> list[str]:
    return [part.strip() for part in SEPARATORS.split(text or "") if part.strip()]


@dataclass
class UnitLookup:
    """Finds an org among the units a plan may task, by code, credit code or exact name."""

    by_code: dict[str, Org] = field(default_factory=dict)
    by_name: dict[str, list[Org]] = field(default_factory=dict)

    def add(self, org: Org) -> None:
        for code in (org.code, org.credit_code):
            if code:
                self.by_code[_code_key(code)] = org
        self.by_name.setdefault(_name_key(org.name), []).append(org)

    def resolve(self, reference: str) -> Org:
        """The org; raises ValueError with a message for the user."""
        org = self.by_code.get(_code_key(reference))
        if org:
            return org
        found = self.by_name.get(_name_key(reference), [])
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(f"有{len(found)}个名为“{reference}”的单位，请改填单位代码")
        raise ValueError(f"“{reference}”不是本计划可选的单位（本级及下级单位，或上级成员单位），请核对名称或代码")


@dataclass
class PlanContext:
    plan: Plan | None
    allowed: bool
    units: UnitLookup
    items: dict[str, PlanItem]


class PlanItemsImporter(Importer):
    plan_pk: int
    title = "工作计划任务导入"
    permission = "worklists.add_planitem"
    key_columns = ("number",)
    columns = COLUMNS
    description = (
        "每行一项任务，按序号新建或更新本计划的任务；新任务按计划的督查节点生成报送节点。"
        "已有任务只更新填写了的选填列，空白的选填单元格不会清除原有内容。"
    )

    def prepare(self, rows):
        plan = Plan.objects.select_related("org").filter(pk=self.plan_pk).first()
        allowed = plan is not None and self.user.has_perm(self.permission) and services.can_manage_plan(self.user, plan)
        if not allowed:
            return PlanContext(plan, False, UnitLookup(), {})
        return PlanContext(plan, True, self._units(plan, rows), self._items(plan))

    def _units(self, plan: Plan, rows) -> UnitLookup:
        references = set()
        for row in rows:
            references.update(split_units(row.get("lead_unit")))
            references.update(split_units(row.get("supporting_units")))
        allowed = unit_queryset(self.user, plan, enterprises=True)
        lookup = UnitLookup()
        for org in allowed.exclude(kind=Kind.ENTERPRISE):
            lookup.add(org)
        codes = {_code_key(reference) for reference in references}
        for chunk in in_chunks(sorted(references | codes)):
            for org in allowed.filter(kind=Kind.ENTERPRISE).filter(
                Q(name__in=chunk) | Q(code__in=chunk) | Q(credit_code__in=chunk)
            ):
                lookup.add(org)
        return lookup

    def _items(self, plan: Plan) -> dict[str, PlanItem]:
        items = plan.items.select_related("lead_unit").prefetch_related("supporting_units")
        return {item.number: item for item in items}

    def clean_row(self, values, context: PlanContext):
        if not context.allowed:
            raise RowError(None, "您无权向该工作计划导入任务。")
        errors, lead, supporting = [], None, []
        if values.get("lead_unit"):
            try:
                lead = context.units.resolve(values["lead_unit"])
            except ValueError as exc:
                errors.append(RowError("lead_unit", str(exc)))
        for reference in split_units(values.get("supporting_units")):
            try:
                unit = context.units.resolve(reference)
            except ValueError as exc:
                errors.append(RowError("supporting_units", str(exc)))
            else:
                if unit != lead and unit not in supporting:
                    supporting.append(unit)
        existing = context.items.get(values.get("number") or "")
        default_start = existing.starts_on if existing else date(context.plan.year, 1, 1)
        starts_on, deadline = values.get("starts_on") or default_start, values.get("deadline")
        if deadline and deadline < starts_on:
            errors.append(RowError("deadline", f"完成时限不能早于开始日期（{starts_on:%Y-%m-%d}）"))
        if errors:
            raise RowErrors(errors)
        return {**values, "lead_unit": lead, "supporting_units": supporting if values.get("supporting_units") else None}

    def plan(self, rows, context: PlanContext):
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for row in rows:
            existing = context.items.get(row["number"])
            if existing is None:
                counts["created"] += 1
            elif _changes(existing, row) or _supporting_changed(existing, row):
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        return counts

    def write(self, rows, context: PlanContext):
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for row in rows:
            existing = context.items.get(row["number"])
            if existing is None:
                fields = {key: row[key] for key in ("number", "title", "pillar", "lead_unit", "target", "deadline")}
                fields["target_value"] = row["target_value"]
                fields["evidence_required"] = row["evidence_required"] or ""
                fields["starts_on"] = row["starts_on"] or date(context.plan.year, 1, 1)
                services.add_item(self.user, context.plan, supporting_units=row["supporting_units"] or [], **fields)
                counts["created"] += 1
            elif update_item(self.user, existing, supporting_units=row["supporting_units"], **_changes(existing, row)):
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        return counts


def _changes(item: PlanItem, row: dict) -> dict:
    wanted = {key: row[key] for key in ("title", "pillar", "lead_unit", "target", "deadline")}
    wanted.update({key: row[key] for key in KEEP_WHEN_BLANK if row[key] not in (None, "")})
    return {key: value for key, value in wanted.items() if getattr(item, key) != value}


def _supporting_changed(item: PlanItem, row: dict) -> bool:
    if row["supporting_units"] is None:
        return False
    return {unit.pk for unit in row["supporting_units"]} != {unit.pk for unit in item.supporting_units.all()}


def build_importer(rest: str) -> type[Importer]:
    if not rest.isdigit() or not Plan.objects.filter(pk=int(rest)).exists():
        raise KeyError(rest)
    return type("PlanItemsImporterFor", (PlanItemsImporter,), {"key": f"{PREFIX}:{int(rest)}", "plan_pk": int(rest)})


register_importer_factory(PREFIX, build_importer)

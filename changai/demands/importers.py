"""Importing the demands gathered in a sweep (走访收集) from a workbook."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q

from changai.accounts.scope import scope_for
from changai.core.imports import Column, Importer, RowError, in_chunks, register_importer
from changai.orgs.models import Kind, Org

from . import services
from .models import Category, Demand


def _name_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


def _code_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()


def sweep_columns() -> list[Column]:
    categories = [(c.code, c.name) for c in Category.objects.filter(is_active=True)]
    return [
        Column(
            "org",
            "涉及企业（名称或统一社会信用代码）",
            required=True,
            max_length=120,
            width=30,
            help="您管辖范围内企业的准确名称或18位统一社会信用代码；重名时请填写信用代码。",
            aliases=("涉及企业", "企业", "企业名称", "统一社会信用代码"),
        ),
        Column("category", "类别", required=True, kind="choice", choices=categories, width=16),
        Column("title", "标题", required=True, max_length=120, width=30, help="同一企业的诉求标题不要重复。"),
        Column("content", "内容", required=True, width=50, aliases=("诉求内容",)),
        Column("raiser_name", "提出人", max_length=40, width=12, aliases=("提出人姓名",)),
        Column(
            "contact",
            "联系方式",
            max_length=60,
            width=16,
            help="仅承办的产改办可见，用于回访。",
            aliases=("联系电话", "手机号"),
        ),
    ]


class _SweepColumns:
    """The columns, read when used: the category drop-down follows the categories configured."""

    def __get__(self, instance, owner):
        columns = sweep_columns()
        if instance is not None:
            instance.__dict__["columns"] = columns  # once per import run
        return columns


@dataclass
class SweepContext:
    by_code: dict[str, Org] = field(default_factory=dict)
    by_name: dict[str, list[Org]] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    existing: set[tuple[int, str]] = field(default_factory=set)

    def add(self, org: Org) -> None:
        for code in (org.credit_code, org.code):
            if code:
                self.by_code[_code_key(code)] = org
        if org not in self.by_name.setdefault(_name_key(org.name), []):
            self.by_name[_name_key(org.name)].append(org)

    def resolve(self, reference: str) -> Org:
        org = self.by_code.get(_code_key(reference))
        if org:
            return org
        found = self.by_name.get(_name_key(reference), [])
        if len(found) == 1:
            return found[0]
        if found:
            raise RowError("org", f"有{len(found)}家名为“{reference}”的企业，请改填统一社会信用代码")
        raise RowError("org", f"在您的管辖范围内没有找到企业“{reference}”，请核对名称或统一社会信用代码")


@register_importer
class SweepImporter(Importer):
    key = "demands.sweep"
    title = "走访诉求导入"
    permission = "demands.add_demand"
    key_columns = ("org", "title")
    columns = _SweepColumns()
    description = (
        "每行一条走访中收集的诉求，导入后进入待分办。同一企业已有同样标题的诉求不会重复导入；有任何一行出错都不会写入。"
    )

    def prepare(self, rows):
        context = SweepContext(categories={c.code: c for c in Category.objects.all()})
        if not self.user.has_perm(self.permission):
            return context
        references = {row["org"] for row in rows if row.get("org")}
        keys = {_code_key(reference) for reference in references}
        allowed = Org.objects.filter(
            scope_for(self.user).q(""), path__startswith=self.org.path, kind=Kind.ENTERPRISE, is_active=True
        )
        for chunk in in_chunks(sorted(references | keys)):
            for org in allowed.filter(Q(name__in=chunk) | Q(credit_code__in=chunk) | Q(code__in=chunk)):
                context.add(org)
        orgs = {org.pk for found in context.by_name.values() for org in found}
        for chunk in in_chunks(sorted(orgs)):
            context.existing.update(Demand.objects.filter(org__in=chunk).values_list("org_id", "title"))
        return context

    def clean_row(self, values, context: SweepContext):
        if not self.user.has_perm(self.permission):
            raise RowError(None, "您无权导入诉求。")
        org = context.resolve(values["org"]) if values.get("org") else None
        if org is not None and not scope_for(self.user).contains(org):
            raise RowError("org", f"“{values['org']}”不在您的管辖范围内")
        category = context.categories.get(values.get("category") or "")
        return {**values, "org": org, "category": category}

    def natural_key(self, row):
        org = row.get("org")
        key = _code_key(org) if isinstance(org, str) else org
        title = (row.get("title") or "").strip()
        return (key, title) if key and title else None

    def _is_new(self, row, context: SweepContext) -> bool:
        return (row["org"].pk, row["title"].strip()) not in context.existing

    def plan(self, rows, context: SweepContext):
        created = sum(1 for row in rows if self._is_new(row, context))
        return {"created": created, "updated": 0, "unchanged": len(rows) - created}

    def write(self, rows, context: SweepContext):
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for row in rows:
            if not self._is_new(row, context):
                counts["unchanged"] += 1
                continue
            services.raise_demand(
                self.user,
                row["org"],
                title=row["title"],
                content=row["content"],
                category=row["category"],
                channel=Demand.Channel.IMPORT,
                raiser_name=row["raiser_name"] or "",
                contact=row["contact"] or "",
            )
            context.existing.add((row["org"].pk, row["title"].strip()))
            counts["created"] += 1
        return counts

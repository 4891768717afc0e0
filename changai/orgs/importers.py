"""Importers of the orgs app: the enterprise directory and the official division (town) list."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from stdnum.cn import uscc
from treebeard.exceptions import PathOverflow

from changai.accounts.scope import Scope, scope_for
from changai.core.imports import (
    Column,
    Importer,
    RowError,
    RowErrors,
    SkipRow,
    in_chunks,
    register_importer,
)

from .models import ALLOWED_CHILDREN, Industry, Kind, Org, Ownership, ParentHistory, Size
from .permissions import can_add_child, can_edit_org

OUT_OF_SCOPE = "范围外"
PLACE_KINDS = (Kind.TOWN, Kind.PARK)


# ---------------------------------------------------------------------------- bulk tree writes


def create_under_parents(groups: dict[int, list[Org]], user) -> list[Org]:
    """Insert unsaved nodes as the last children of their parents (parent pk -> nodes), in bulk.

    treebeard adds one node at a time (several queries each); here paths are computed from each
    parent's last child, all nodes go in with bulk INSERTs and the parents' numchild with bulk UPDATEs.
    """
    parents = _locked(groups)
    nodes, parent_of = [], []
    for parent_pk, children in groups.items():
        parent = parents[parent_pk]
        _assign_paths(parent, children)
        parent.numchild += len(children)
        nodes.extend(children)
        parent_of.extend([parent] * len(children))
    created = Org.objects.bulk_create(nodes, batch_size=500)
    _ensure_ids(created)
    Org.objects.bulk_update(list(parents.values()), ["numchild"], batch_size=500)
    _record_parents(created, parent_of, user)
    return created


def _locked(groups) -> dict[int, Org]:
    """The parents, freshly read and locked so concurrent imports cannot hand out the same paths."""
    parents = {}
    for chunk in in_chunks(groups):
        parents.update({org.pk: org for org in Org.objects.select_for_update().filter(pk__in=chunk)})
    return parents


def _assign_paths(parent: Org, children: list[Org]) -> None:
    depth = parent.depth + 1
    last_path = (
        Org.objects.filter(path__startswith=parent.path, depth=depth).order_by("-path").values_list("path", flat=True)
    ).first()
    step = Org._str2int(last_path[-Org.steplen :]) if last_path else 0
    if step + len(children) >= len(Org.alphabet) ** Org.steplen:
        raise PathOverflow(f"“{parent.name}”下的下级单位数量已达上限")
    for offset, node in enumerate(children, start=1):
        node.path = Org._get_path(parent.path, depth, step + offset)
        node.depth = depth
        node.numchild = 0


def _ensure_ids(created: list[Org]) -> None:
    if all(node.pk is not None for node in created):
        return
    # Backends that cannot return ids from a bulk INSERT.
    for chunk in in_chunks(created):
        ids = dict(Org.objects.filter(path__in=[node.path for node in chunk]).values_list("path", "pk"))
        for node in chunk:
            node.pk = ids[node.path]


def _record_parents(nodes: list[Org], parents: list[Org], user) -> None:
    today = timezone.localdate()
    recorded_by = user if getattr(user, "is_authenticated", False) else None
    ParentHistory.objects.bulk_create(
        [
            ParentHistory(org=node, parent=parent, valid_from=today, recorded_by=recorded_by)
            for node, parent in zip(nodes, parents, strict=True)
        ],
        batch_size=500,
    )


def _parent_path(org: Org) -> str:
    return org.path[: -Org.steplen]


@dataclass
class Area:
    """Where an import may write: the batch org's subtree, as far as the user can see it."""

    root: Org
    scope: Scope

    def contains(self, org: Org) -> bool:
        return org.path.startswith(self.root.path) and self.scope.contains(org)


def _area(importer: Importer) -> Area:
    return Area(root=importer.org, scope=scope_for(importer.user))


def _fetch(query_for_chunk, values) -> list[Org]:
    found = []
    for chunk in in_chunks(sorted(values)):
        found.extend(Org.objects.filter(query_for_chunk(chunk)))
    return found


# ---------------------------------------------------------------------------- enterprises

ENTERPRISE_FIELDS = [
    "name",
    "ownership",
    "industry",
    "size",
    "headcount",
    "has_union",
    "cluster",
    "address",
    "contact",
    "phone",
]


@dataclass
class EnterpriseContext:
    area: Area
    places_by_code: dict[str, Org]
    places_by_name: dict[str, list[Org]]
    existing: dict[str, Org]


def _place_reference(text: str) -> tuple[str, str]:
    """("code", "320281112") for a division code (12-digit NBS form accepted), else ("name", text)."""
    reference = unicodedata.normalize("NFKC", text or "").strip()
    if re.fullmatch(r"\d{12}", reference) and reference.endswith("000"):
        reference = reference[:9]
    if re.fullmatch(r"\d{6,9}", reference):
        return "code", reference
    return "name", (text or "").strip()


@register_importer
class EnterpriseImporter(Importer):
    key = "orgs.enterprises"
    title = "企业名录导入"
    permission = "orgs.add_org"
    key_columns = ("credit_code",)
    description = (
        "按统一社会信用代码新建或更新本辖区的企业。已登记的企业只更新填写了的列，空白单元格不会清除原有信息；"
        "调整企业隶属请在组织机构中办理。"
    )
    columns = [
        Column(
            "name",
            "企业名称",
            required=True,
            max_length=120,
            width=32,
            help="企业登记的全称。",
            aliases=("单位名称", "企业全称"),
        ),
        Column(
            "credit_code",
            "统一社会信用代码",
            required=True,
            kind="code",
            width=24,
            help="18位，按此代码判断新建还是更新。请把该列设为文本格式。",
            aliases=("信用代码", "社会信用代码", "统一信用代码"),
        ),
        Column(
            "place",
            "所属乡镇/园区",
            required=True,
            width=22,
            help="填写9位乡镇（街道）区划代码，或本辖区内乡镇、园区的准确名称；名称重复时请填写代码。",
            aliases=("所属乡镇", "所属乡镇（街道）", "所属镇（街道）", "乡镇/园区", "所属园区"),
        ),
        Column("ownership", "所有制", kind="choice", choices=Ownership.choices, width=12),
        Column(
            "industry",
            "行业门类",
            kind="choice",
            choices=Industry.choices,
            width=30,
            help="国民经济行业分类（GB/T 4754-2017）门类，可填名称或字母。",
        ),
        Column("size", "企业规模", kind="choice", choices=Size.choices, width=10),
        Column("headcount", "职工人数", kind="int", min_value=0, width=10, aliases=("职工数", "从业人数")),
        Column(
            "has_union",
            "是否建会",
            kind="bool",
            width=10,
            help="是否已建立工会：是/否。",
            aliases=("是否建立工会", "已建工会"),
        ),
        Column("cluster", "产业集群", max_length=60, width=16),
        Column("address", "地址", max_length=200, width=32),
        Column("contact", "联系人", max_length=40, width=10),
        Column("phone", "联系电话", max_length=20, width=16),
    ]

    def prepare(self, rows):
        references = [_place_reference(row["place"]) for row in rows if row.get("place")]
        codes = {value for kind, value in references if kind == "code"}
        names = {value for kind, value in references if kind == "name"}
        places = _fetch(lambda chunk: Q(kind__in=PLACE_KINDS, code__in=chunk), codes)
        places += _fetch(lambda chunk: Q(kind__in=PLACE_KINDS, name__in=chunk), names)
        by_name = defaultdict(list)
        for place in {place.pk: place for place in places}.values():
            by_name[place.name].append(place)
        credit_codes = {row["credit_code"] for row in rows if row.get("credit_code")}
        existing = _fetch(lambda chunk: Q(credit_code__in=chunk), credit_codes)
        return EnterpriseContext(
            area=_area(self),
            places_by_code={place.code: place for place in places if place.code},
            places_by_name=dict(by_name),
            existing={org.credit_code: org for org in existing},
        )

    def clean_row(self, values, context: EnterpriseContext):
        errors, place, existing = [], None, None
        if values["place"]:
            place = self._collect(errors, self._place, values["place"], context)
        if values["credit_code"]:
            existing = self._collect(errors, self._existing, values["credit_code"], context)
        if place and values["credit_code"] and not errors:
            self._collect(errors, self._check_placement, existing, place)
        if errors:
            raise RowErrors(errors)
        return {**values, "place": place, "existing": existing}

    @staticmethod
    def _collect(errors: list, check, *args):
        try:
            return check(*args)
        except RowError as error:
            errors.append(error)
            return None

    def _place(self, text: str, context: EnterpriseContext) -> Org:
        kind, reference = _place_reference(text)
        if kind == "code":
            place = context.places_by_code.get(reference)
            if place is None:
                raise RowError("place", f"没有区划代码为{reference}的乡镇/园区")
            if not context.area.contains(place):
                raise RowError("place", "不在您的管辖范围内")
        else:
            candidates = context.places_by_name.get(reference, [])
            visible = [place for place in candidates if context.area.contains(place)]
            if len(visible) > 1:
                raise RowError("place", "名称不唯一，请填写区划代码")
            if not visible:
                message = "不在您的管辖范围内" if candidates else f"没有名为“{reference}”的乡镇/园区"
                raise RowError("place", message)
            place = visible[0]
        if not place.is_active:
            raise RowError("place", f"“{place.name}”已撤销")
        return place

    def _existing(self, credit_code: str, context: EnterpriseContext) -> Org | None:
        if len(credit_code) != 18:
            raise RowError("credit_code", f"统一社会信用代码应为18位（现为{len(credit_code)}位）")
        if not uscc.is_valid(credit_code):
            raise RowError("credit_code", "统一社会信用代码无效（校验位错误）")
        existing = context.existing.get(credit_code)
        if existing is None:
            return None
        if existing.kind != Kind.ENTERPRISE:
            raise RowError("credit_code", f"该信用代码已被“{existing.name}”使用")
        if not context.area.contains(existing):
            raise RowError("credit_code", "该信用代码已登记在其他地区的企业")
        return existing

    def _check_placement(self, existing: Org | None, place: Org) -> None:
        if existing is None:
            if not can_add_child(self.user, place, Kind.ENTERPRISE):
                raise RowError("place", f"您无权在“{place.name}”下新建企业")
            return
        if _parent_path(existing) != place.path:
            raise RowError("place", "该企业已登记在其他乡镇/园区；调整隶属请在组织机构中办理")
        if not can_edit_org(self.user, existing):
            raise RowError("credit_code", "您无权修改该企业")

    @staticmethod
    def _changes(row: dict) -> dict:
        existing = row["existing"]
        return {
            name: row[name]
            for name in ENTERPRISE_FIELDS
            if row.get(name) not in (None, "") and getattr(existing, name) != row[name]
        }

    def plan(self, rows, context):
        new = sum(1 for row in rows if row["existing"] is None)
        updated = sum(1 for row in rows if row["existing"] is not None and self._changes(row))
        return {"created": new, "updated": updated, "unchanged": len(rows) - new - updated}

    def write(self, rows, context):
        groups: dict[int, list[Org]] = defaultdict(list)
        for row in rows:
            if row["existing"] is None:
                groups[row["place"].pk].append(self._new_enterprise(row))
        created = create_under_parents(groups, self.user)
        changed = self._apply_changes(rows)
        return {"created": len(created), "updated": len(changed), "unchanged": len(rows) - len(created) - len(changed)}

    @staticmethod
    def _new_enterprise(row: dict) -> Org:
        fields = {name: row.get(name) for name in ENTERPRISE_FIELDS}
        text_fields = {name: value or "" for name, value in fields.items() if name not in ("headcount", "has_union")}
        return Org(
            kind=Kind.ENTERPRISE,
            credit_code=row["credit_code"],
            headcount=fields["headcount"],
            has_union=bool(fields["has_union"]),
            **text_fields,
        )

    def _apply_changes(self, rows) -> list[Org]:
        now, changed = timezone.now(), []
        for row in rows:
            changes = self._changes(row) if row["existing"] is not None else {}
            if changes:
                for name, value in changes.items():
                    setattr(row["existing"], name, value)
                row["existing"].updated_at = now
                changed.append(row["existing"])
        Org.objects.bulk_update(changed, [*ENTERPRISE_FIELDS, "updated_at"], batch_size=500)
        return changed


# ---------------------------------------------------------------------------- divisions

LEVELS = [
    ("province", "省"),
    ("city", "设区市"),
    ("county", "县（市、区）"),
    ("zone", "县级功能区"),
    ("town", "乡镇/街道"),
    ("town_like", "类似乡级单位"),
]
UPPER_LEVELS = {"province", "city", "county"}
LEVEL_KIND = {"zone": Kind.PARK, "town": Kind.TOWN, "town_like": Kind.PARK}
LEVEL_CODE_LENGTH = {"zone": 6, "town": 9, "town_like": 9}
UPPER_SKIPPED = "县级以上区划（已存在，不导入）"


@dataclass
class DivisionContext:
    area: Area
    existing: dict[str, Org]
    sheet: dict[str, dict]  # code -> the first row with that code, for parents created by the same import


@register_importer
class DivisionImporter(Importer):
    key = "orgs.divisions"
    title = "行政区划导入"
    permission = "orgs.add_org"
    key_columns = ("code",)
    description = (
        "导入国家统计局统计用区划代码：乡镇/街道按代码新建或更名，县级功能区和类似乡级单位作为园区导入；"
        "省、市、县级行须已在系统中，不会改动；上级在您管辖范围以外的行跳过。"
    )
    columns = [
        Column(
            "code",
            "代码",
            required=True,
            kind="code",
            aliases=("code", "区划代码"),
            width=14,
            help="县级及以上6位，乡级9位（12位统计代码可去掉末尾000）。",
        ),
        Column("name", "名称", required=True, max_length=120, aliases=("name",), width=28),
        Column(
            "level",
            "级别",
            required=True,
            kind="choice",
            choices=LEVELS,
            aliases=("level",),
            width=14,
            help="province/city/county/zone/town/town_like，或对应的中文。",
        ),
        Column("parent_code", "上级代码", kind="code", aliases=("parent_code", "上级区划代码"), width=14),
    ]

    def prepare(self, rows):
        codes = {row[key] for row in rows for key in ("code", "parent_code") if row.get(key)}
        existing = _fetch(lambda chunk: Q(code__in=chunk), codes)
        sheet: dict[str, dict] = {}
        for row in rows:
            if row.get("code"):
                sheet.setdefault(row["code"], row)
        return DivisionContext(area=_area(self), existing={org.code: org for org in existing}, sheet=sheet)

    def clean_row(self, values, context: DivisionContext):
        level, code = values["level"], values["code"]
        if level is None or code is None:
            return values  # the bad or empty cell is already reported
        if level in UPPER_LEVELS:
            if code not in context.existing:
                raise RowError("code", "未知的县级以上区划代码")
            raise SkipRow(UPPER_SKIPPED)
        kind = LEVEL_KIND[level]
        self._check_code(code, level)
        parent_code = values.get("parent_code")
        if not parent_code:
            raise RowError("parent_code", "请填写上级代码")
        anchor = self._nearest_existing(parent_code, context)
        if anchor is None:
            raise RowError("parent_code", f"上级代码{parent_code}在系统和本表中都不存在")
        if not context.area.contains(anchor):
            raise SkipRow(OUT_OF_SCOPE)
        parent = context.existing.get(parent_code)
        self._check_parent_kind(parent, context.sheet.get(parent_code), kind)
        existing = context.existing.get(code)
        if existing is not None:
            self._check_existing(existing, parent, kind, context)
        elif not can_add_child(self.user, anchor, kind):
            raise RowError("code", f"您无权在“{anchor.name}”下新建{Kind(kind).label}")
        return {**values, "kind": kind, "existing": existing}

    @staticmethod
    def _check_code(code: str, level: str) -> None:
        length = LEVEL_CODE_LENGTH[level]
        if not re.fullmatch(rf"\d{{{length}}}", code):
            raise RowError("code", f"{dict(LEVELS)[level]}的代码应为{length}位数字")

    @staticmethod
    def _nearest_existing(code: str, context: DivisionContext) -> Org | None:
        """The parent if it exists, else the nearest existing ancestor of a parent created by this import."""
        for _ in range(5):
            if code in context.existing:
                return context.existing[code]
            row = context.sheet.get(code)
            if row is None or not row.get("parent_code"):
                return None
            code = row["parent_code"]
        return None

    @staticmethod
    def _check_parent_kind(parent: Org | None, parent_row: dict | None, kind: str) -> None:
        parent_kind = parent.kind if parent else LEVEL_KIND.get(parent_row["level"]) if parent_row else None
        if parent_kind is None or kind not in ALLOWED_CHILDREN[Kind(parent_kind)]:
            label = Kind(parent_kind).label if parent_kind else "该上级"
            raise RowError("parent_code", f"{label}下不能设立{Kind(kind).label}")

    def _check_existing(self, existing: Org, parent: Org | None, kind: str, context: DivisionContext) -> None:
        if existing.kind != kind:
            raise RowError("code", f"该代码已被“{existing.name}”（{existing.get_kind_display()}）使用")
        if not context.area.contains(existing):
            raise RowError("code", "该代码已登记在您管辖范围以外的单位")
        if parent is None or _parent_path(existing) != parent.path:
            raise RowError("parent_code", "该单位现有上级与所填上级代码不一致；调整隶属请在组织机构中办理")
        if not can_edit_org(self.user, existing):
            raise RowError("code", "您无权修改该单位")

    def plan(self, rows, context):
        new = sum(1 for row in rows if row["existing"] is None)
        renamed = sum(1 for row in rows if row["existing"] is not None and row["existing"].name != row["name"])
        return {"created": new, "updated": renamed, "unchanged": len(rows) - new - renamed}

    def write(self, rows, context):
        created = self._create(rows, dict(context.existing))
        renamed = self._rename(rows)
        return {"created": created, "updated": renamed, "unchanged": len(rows) - created - renamed}

    def _create(self, rows, known: dict[str, Org]) -> int:
        """Create new units level by level, so a zone exists before the towns filed under it."""
        pending = [row for row in rows if row["existing"] is None]
        created = 0
        while pending:
            ready = [row for row in pending if row["parent_code"] in known]
            if not ready:
                raise RuntimeError("Parents of the remaining rows were neither found nor created")
            groups: dict[int, list[Org]] = defaultdict(list)
            for row in ready:
                node = Org(name=row["name"], code=row["code"], kind=row["kind"])
                groups[known[row["parent_code"]].pk].append(node)
            for node in create_under_parents(groups, self.user):
                known[node.code] = node
                created += 1
            pending = [row for row in pending if row["code"] not in known]
        return created

    def _rename(self, rows) -> int:
        now, renamed = timezone.now(), []
        for row in rows:
            existing = row["existing"]
            if existing is not None and existing.name != row["name"]:
                existing.name, existing.updated_at = row["name"], now
                renamed.append(existing)
        Org.objects.bulk_update(renamed, ["name", "updated_at"], batch_size=500)
        return len(renamed)

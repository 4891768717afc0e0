"""Business rules of the organisation tree: create, edit, move, industry-line membership."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ALLOWED_CHILDREN, DIVISION_KINDS, Kind, LineMembership, Org, ParentHistory, current_line_memberships
from .permissions import can_add_child, can_edit_org, can_move_org

DIVISIONS_FILE = Path(__file__).parent / "data" / "jiangsu_divisions.csv"
_LEVEL_KIND = {"province": Kind.PROVINCE, "city": Kind.CITY, "county": Kind.COUNTY, "town": Kind.TOWN}

EDITABLE_FIELDS = [
    "name",
    "code",
    "credit_code",
    "ownership",
    "industry",
    "size",
    "headcount",
    "has_union",
    "cluster",
    "pilot_level",
    "unit_type",
    "address",
    "contact",
    "phone",
    "is_active",
    "opened_on",
    "closed_on",
]


def check_child_kind(parent: Org, kind: str) -> None:
    if kind not in ALLOWED_CHILDREN[Kind(parent.kind)]:
        raise ValidationError(
            "“%(parent)s”（%(parent_kind)s）下不能设立%(kind)s。",
            params={"parent": parent.name, "parent_kind": parent.get_kind_display(), "kind": Kind(kind).label},
        )


def _clean(org: Org) -> None:
    if org.credit_code:
        org.credit_code = org.credit_code.strip().upper()
    if org.code == "":
        org.code = None
    if org.credit_code == "":
        org.credit_code = None
    if org.kind == Kind.ENTERPRISE and not org.credit_code:
        raise ValidationError({"credit_code": "企业必须填写统一社会信用代码。"})
    if org.closed_on and org.opened_on and org.closed_on < org.opened_on:
        raise ValidationError({"closed_on": "撤销/注销日期不能早于设立日期。"})
    org.full_clean(exclude=["path", "depth", "numchild"])


@transaction.atomic
def create_org(user, parent: Org, **fields) -> Org:
    """Create an org under `parent`, within the user's scope."""
    kind = fields.get("kind")
    check_child_kind(parent, kind)
    if not can_add_child(user, parent, kind):
        raise PermissionDenied("您无权在该组织下新建此类组织。")
    node = Org(**fields)
    _clean(node)
    node = Org.objects.add_child(parent, instance=node)
    ParentHistory.objects.create(
        org=node, parent=parent, valid_from=node.opened_on or timezone.localdate(), recorded_by=_user_or_none(user)
    )
    return node


@transaction.atomic
def update_org(user, org: Org, **fields) -> Org:
    if not can_edit_org(user, org):
        raise PermissionDenied("您无权修改该组织。")
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not editable")
        setattr(org, name, value)
    if org.closed_on and org.is_active:
        org.is_active = False
    _clean(org)
    org.save()
    return org


@transaction.atomic
def move_org(user, org: Org, new_parent: Org, on: date | None = None) -> Org:
    """Move an org (and its subtree) under a new parent, keeping the old parent in its history."""
    on = on or timezone.localdate()
    old_parent = org.parent_org
    if old_parent and old_parent.pk == new_parent.pk:
        raise ValidationError("新的上级与当前上级相同。")
    if new_parent.path.startswith(org.path):
        raise ValidationError("不能把组织移到它自己或它的下级之下。")
    check_child_kind(new_parent, org.kind)
    if not can_move_org(user, org, new_parent):
        raise PermissionDenied("您无权进行此次调整。")
    ParentHistory.objects.filter(org=org, valid_to__isnull=True).update(valid_to=on)
    Org.objects.move(org, new_parent, pos="last-child")
    ParentHistory.objects.create(org=org, parent=new_parent, valid_from=on, recorded_by=_user_or_none(user))
    org.refresh_from_db()
    return org


@transaction.atomic
def join_line(line: Org, org: Org, parent: Org | None = None, valid_from: date | None = None) -> LineMembership:
    """Put an org into an industry line (e.g. a state group's subsidiary under 省部属企事业工会)."""
    if line.kind != Kind.INDUSTRY_LINE:
        raise ValidationError("只能加入产业系统。")
    if current_line_memberships().filter(line=line, org=org).exists():
        raise ValidationError("“%(org)s”已在“%(line)s”中。", params={"org": org.name, "line": line.name})
    return LineMembership.objects.create(
        line=line, org=org, parent=parent, valid_from=valid_from or timezone.localdate()
    )


@transaction.atomic
def leave_line(membership: LineMembership, on: date | None = None) -> LineMembership:
    membership.valid_to = on or timezone.localdate()
    membership.save(update_fields=["valid_to"])
    return membership


def line_members(line: Org, on: date | None = None):
    return Org.objects.filter(pk__in=current_line_memberships(on).filter(line=line).values("org_id"))


def subtree_counts(orgs) -> dict[int, dict[str, int]]:
    """For each org, how many towns/parks/enterprises sit in its subtree (one query per kind)."""
    from django.db.models import Count, Q

    counts: dict[int, dict[str, int]] = {}
    for org in orgs:
        row = Org.objects.filter(path__startswith=org.path, is_active=True).aggregate(
            towns=Count("pk", filter=Q(kind=Kind.TOWN)),
            parks=Count("pk", filter=Q(kind=Kind.PARK)),
            enterprises=Count("pk", filter=Q(kind=Kind.ENTERPRISE)),
        )
        counts[org.pk] = row
    return counts


def load_divisions(path: Path = DIVISIONS_FILE) -> int:
    """Create or rename the province, cities and counties from the project's own data file."""
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {org.code: org for org in Org.objects.filter(kind__in=DIVISION_KINDS)}
    created = 0
    for row in rows:
        kind = _LEVEL_KIND[row["kind"]]
        existing = by_code.get(row["code"])
        if existing:
            if existing.name != row["name"]:
                existing.name = row["name"]
                existing.save(update_fields=["name"])
            continue
        node = Org(name=row["name"], code=row["code"], kind=kind)
        if row["parent_code"]:
            node = Org.objects.add_child(by_code[row["parent_code"]], instance=node)
        else:
            node = Org.objects.add_root(instance=node)
        by_code[node.code] = node
        created += 1
    return created


def _user_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None

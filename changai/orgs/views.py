from functools import reduce
from operator import or_

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from changai.accounts.scope import root_orgs, scope_for
from changai.core.web import attach_errors as _attach_errors
from changai.core.web import xlsx_response as _xlsx_response

from . import services
from .exports import orgs_workbook
from .forms import ChildKindForm, MoveForm, OrgForm
from .models import Kind, LineMembership, Org
from .permissions import can_edit_org, can_move_org


def _org_for_user(request, org_pk):
    return get_object_or_404(Org.objects.visible_to(request.user), pk=org_pk)


def _with_counts(orgs):
    """Annotate each org with the number of enterprises below it, in one query per depth."""
    orgs = list(orgs)
    by_depth: dict[int, list[Org]] = {}
    for org in orgs:
        by_depth.setdefault(org.depth, []).append(org)
    for depth, group in by_depth.items():
        width = Org.steplen * depth
        rows = (
            Org.objects.filter(kind=Kind.ENTERPRISE, is_active=True, depth__gt=depth)
            .filter(reduce(or_, (Q(path__startswith=o.path) for o in group)))
            .order_by()  # the default ordering by path would split the groups
            .annotate(prefix=Substr("path", 1, width))
            .values("prefix")
            .annotate(n=Count("pk"))
        )
        counts = {row["prefix"]: row["n"] for row in rows}
        for org in group:
            org.enterprise_count = counts.get(org.path, 0)
    return orgs


def _ancestors_in_scope(user, org):
    scope = scope_for(user)
    return [a for a in Org.objects.get_ancestors(org) if scope.contains(a)]


@login_required
@permission_required("orgs.view_org", raise_exception=True)
def tree(request):
    roots = _with_counts(root_orgs(request.user))
    return render(request, "orgs/tree.html", {"roots": roots, "kinds_choices": Kind.choices, "nav_active": "orgs"})


@login_required
@permission_required("orgs.view_org", raise_exception=True)
def children(request, org_pk):
    org = _org_for_user(request, org_pk)
    kids = _with_counts(Org.objects.get_children(org).filter(is_active=True).order_by("kind", "code", "name")[:500])
    return render(request, "orgs/_children.html", {"org": org, "children": kids})


@login_required
@permission_required("orgs.view_org", raise_exception=True)
def search(request):
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    orgs = Org.objects.visible_to(request.user).search(query).order_by("path")
    if kind in Kind.values:
        orgs = orgs.filter(kind=kind)
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(orgs_workbook(orgs[:50000]), "组织名录.xlsx")
    page_obj = Paginator(orgs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/search.html",
        {"page_obj": page_obj, "query": query, "kind": kind, "kinds": Kind.choices, "nav_active": "orgs"},
    )


@login_required
@permission_required("orgs.view_org", raise_exception=True)
def detail(request, org_pk):
    org = _org_for_user(request, org_pk)
    kids = Org.objects.get_children(org).order_by("kind", "code", "name")
    page_obj = Paginator(kids, 50).get_page(request.GET.get("page"))
    page_obj.object_list = _with_counts(page_obj.object_list)
    context = {
        "org": org,
        "ancestors": _ancestors_in_scope(request.user, org),
        "page_obj": page_obj,
        "counts": services.subtree_counts([org])[org.pk],
        "people": org.memberships.active().select_related("user").order_by("role"),
        "line_memberships": LineMembership.objects.filter(org=org).select_related("line", "parent"),
        "line_members": LineMembership.objects.filter(line=org).select_related("org", "parent")
        if org.kind == Kind.INDUSTRY_LINE
        else None,
        "history": org.parent_history.select_related("parent"),
        "can_edit": can_edit_org(request.user, org),
        "can_move": can_edit_org(request.user, org) and can_move_org(request.user, org, org.parent_org or org),
        "child_kind_form": ChildKindForm(user=request.user, parent=org),
        "nav_active": "orgs",
    }
    return render(request, "orgs/detail.html", context)


@login_required
@permission_required("orgs.add_org", raise_exception=True)
def create_child(request, org_pk):
    parent = _org_for_user(request, org_pk)
    kind_form = ChildKindForm(request.GET or request.POST, user=request.user, parent=parent)
    if not kind_form.fields["kind"].choices:
        raise PermissionDenied("您无权在该组织下新建组织。")
    kind = request.POST.get("kind") or request.GET.get("kind") or kind_form.fields["kind"].choices[0][0]
    if kind not in dict(kind_form.fields["kind"].choices):
        raise PermissionDenied("您无权新建此类组织。")
    form = OrgForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_org(request.user, parent, kind=kind, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已新建“{org.name}”。")
            return redirect("orgs:detail", org_pk=org.pk)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "parent": parent, "kind_label": Kind(kind).label, "kind": kind, "nav_active": "orgs"},
    )


@login_required
@permission_required("orgs.change_org", raise_exception=True)
def edit(request, org_pk):
    org = _org_for_user(request, org_pk)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您无权修改该组织。")
    form = OrgForm(request.POST or None, instance=Org.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_org(request.user, org, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("orgs:detail", org_pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "org": org, "nav_active": "orgs"})


@login_required
@permission_required("orgs.change_org", raise_exception=True)
def move(request, org_pk):
    org = _org_for_user(request, org_pk)
    if not can_edit_org(request.user, org):
        raise PermissionDenied("您无权调整该组织。")
    form = MoveForm(request.POST or None, user=request.user, org=org, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.move_org(request.user, org, form.cleaned_data["new_parent"], form.cleaned_data["on"])
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已将“{org.name}”调整到“{form.cleaned_data['new_parent'].name}”下。")
            return redirect("orgs:detail", org_pk=org.pk)
    return render(request, "orgs/move.html", {"form": form, "org": org, "nav_active": "orgs"})

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_POST

from changai.core.web import attach_errors as _attach_errors
from changai.core.web import xlsx_response as _xlsx_response
from changai.orgs.models import Org

from . import services
from .exports import pilots_workbook, table_workbook
from .filters import PairingFilter, PilotFilter
from .forms import ApplyForm, PairingForm, PilotForm, PilotTypeForm, ProjectForm, TransitionForm
from .models import PILOT_KINDS, Pairing, PilotProject, PilotType, PilotUnit
from .permissions import (
    EDITABLE_STATUSES,
    PROJECT_STATUSES,
    can_add_pairing,
    can_add_project,
    can_apply,
    can_edit_pilot,
    can_edit_project,
)

_VIEW = "pilots.view_pilotunit"
_NAV = "pilots"
EXPORT_LIMIT = 50000
MAP_STATUSES = (
    PilotUnit.Status.APPROVED,
    PilotUnit.Status.RUNNING,
    PilotUnit.Status.ACCEPTANCE,
    PilotUnit.Status.DEMONSTRATION,
)


# ---------------------------------------------------------------------------- access helpers


def _pilot_for_user(request, pilot_pk) -> PilotUnit:
    pilots = PilotUnit.objects.visible_to(request.user).select_related("org", "pilot_type", "supervisor")
    return get_object_or_404(pilots, pk=pilot_pk)


def _project_for_user(request, project_pk) -> PilotProject:
    projects = PilotProject.objects.visible_to(request.user).select_related("pilot__org")
    return get_object_or_404(projects, pk=project_pk)


def _pairing_for_user(request, pairing_pk) -> Pairing:
    return get_object_or_404(
        Pairing.objects.visible_to(request.user).select_related("lead_org", "pilot"), pk=pairing_pk
    )


def _org_param(request, name) -> Org | None:
    value = request.GET.get(name) or request.POST.get(name)
    if not value:
        return None
    if not str(value).isdigit():
        raise Http404
    return get_object_or_404(Org.objects.visible_to(request.user), pk=value)


def _org_choices(request):
    """Orgs that can be a pilot or a pairing's lead, matching the search box (the first step of the forms)."""
    query = request.GET.get("q", "").strip()
    if not query:
        return query, []
    orgs = Org.objects.visible_to(request.user).search(query).filter(kind__in=PILOT_KINDS, is_active=True)
    return query, list(orgs.order_by("path")[:30])


# ---------------------------------------------------------------------------- pilots


@login_required
@permission_required(_VIEW, raise_exception=True)
def pilot_list(request):
    pilots = PilotUnit.objects.visible_to(request.user).select_related("org", "pilot_type", "supervisor")
    filterset = PilotFilter(request.GET or None, queryset=pilots)
    pilots = filterset.qs.order_by("-period_start", "-pk")
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(pilots_workbook(pilots[:EXPORT_LIMIT]), "试点单位名录.xlsx")
    page_obj = Paginator(pilots.annotate(project_count=Count("projects")), 30).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page_obj": page_obj, "nav_active": _NAV, "tab": "pilots"}
    return render(request, "pilots/list.html", context)


@login_required
@permission_required(_VIEW, raise_exception=True)
def pilot_detail(request, pilot_pk):
    pilot = _pilot_for_user(request, pilot_pk)
    projects = list(pilot.projects.select_related("plan_item"))
    for project in projects:
        project.expected = project.expected_progress()
        project.on_track = project.is_on_track()
    context = {
        "pilot": pilot,
        "events": pilot.events.select_related("actor"),
        "projects": projects,
        "pairings": Pairing.objects.visible_to(request.user).filter(pilot=pilot).prefetch_related("partners"),
        "transitions": services.available_transitions(request.user, pilot),
        "can_edit": can_edit_pilot(request.user, pilot) and pilot.status in EDITABLE_STATUSES,
        "can_add_project": can_add_project(request.user, pilot),
        "can_edit_projects": request.user.has_perm("pilots.change_pilotproject") and pilot.status in PROJECT_STATUSES,
        "can_add_pairing": can_add_pairing(request.user, pilot.org),
        "default_title": services.demonstration_title(pilot),
        "nav_active": _NAV,
    }
    return render(request, "pilots/detail.html", context)


@login_required
@permission_required("pilots.add_pilotunit", raise_exception=True)
def pilot_apply(request):
    org = _org_param(request, "org")
    if org is None:
        query, choices = _org_choices(request)
        context = {"query": query, "choices": choices, "nav_active": _NAV, "next": "pilots:apply", "param": "org"}
        return render(request, "pilots/pick_org.html", {**context, "title": "申报试点：选择试点单位"})
    if not can_apply(request.user, org):
        raise PermissionDenied("只能为管辖范围内的企业、园区或乡镇（街道）申报试点。")
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            pilot = services.apply_pilot(request.user, org, **data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已登记“{org.name}”的{pilot.get_level_display()}申报。")
            return redirect("pilots:detail", pilot_pk=pilot.pk)
    return render(request, "pilots/form.html", {"form": form, "org": org, "title": "申报试点", "nav_active": _NAV})


@login_required
@permission_required("pilots.change_pilotunit", raise_exception=True)
def pilot_edit(request, pilot_pk):
    pilot = _pilot_for_user(request, pilot_pk)
    if not can_edit_pilot(request.user, pilot):
        raise PermissionDenied("您无权修改该试点。")
    form = PilotForm(request.POST or None, instance=PilotUnit.objects.get(pk=pilot.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_pilot(request.user, pilot, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("pilots:detail", pilot_pk=pilot.pk)
    context = {"form": form, "org": pilot.org, "pilot": pilot, "title": "修改申报信息", "nav_active": _NAV}
    return render(request, "pilots/form.html", context)


@login_required
@permission_required(_VIEW, raise_exception=True)
@require_POST
def pilot_transition(request, pilot_pk):
    pilot = _pilot_for_user(request, pilot_pk)
    form = TransitionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["action"] not in services.TRANSITIONS:
        messages.error(request, "提交的内容有误，请重试。")
        return redirect("pilots:detail", pilot_pk=pilot.pk)
    action = form.cleaned_data["action"]
    try:
        services.perform(request.user, pilot, action, **form.service_kwargs())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已{services.TRANSITIONS[action].verb}。")
    return redirect("pilots:detail", pilot_pk=pilot.pk)


# ---------------------------------------------------------------------------- projects


@login_required
@permission_required("pilots.add_pilotproject", raise_exception=True)
def project_add(request, pilot_pk):
    pilot = _pilot_for_user(request, pilot_pk)
    if not can_add_project(request.user, pilot):
        raise PermissionDenied(f"试点当前状态为“{pilot.get_status_display()}”，不能添加项目。")
    initial = {"start_date": pilot.approved_on or pilot.period_start, "deadline": pilot.period_end}
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_project(request.user, pilot, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "已添加试点项目。")
            return redirect("pilots:detail", pilot_pk=pilot.pk)
    context = {"form": form, "org": pilot.org, "pilot": pilot, "title": "添加试点项目", "nav_active": _NAV}
    return render(request, "pilots/form.html", context)


@login_required
@permission_required("pilots.change_pilotproject", raise_exception=True)
def project_edit(request, project_pk):
    project = _project_for_user(request, project_pk)
    pilot = project.pilot
    if not can_edit_project(request.user, project):
        raise PermissionDenied(f"试点当前状态为“{pilot.get_status_display()}”，项目已不能修改。")
    form = ProjectForm(request.POST or None, instance=PilotProject.objects.get(pk=project.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(request.user, project, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "已更新试点项目。")
            return redirect("pilots:detail", pilot_pk=pilot.pk)
    context = {
        "form": form,
        "org": pilot.org,
        "pilot": pilot,
        "title": f"编辑项目“{project.title}”",
        "nav_active": _NAV,
    }
    return render(request, "pilots/form.html", context)


# ---------------------------------------------------------------------------- pairings


@login_required
@permission_required("pilots.view_pairing", raise_exception=True)
def pairing_list(request):
    pairings = Pairing.objects.visible_to(request.user).select_related("lead_org", "pilot")
    filterset = PairingFilter(request.GET or None, queryset=pairings)
    pairings = filterset.qs.annotate(partner_count=Count("partners")).order_by("-signed_on", "-pk")
    page_obj = Paginator(pairings, 30).get_page(request.GET.get("page"))
    context = {"page_obj": page_obj, "query": request.GET.get("q", ""), "nav_active": _NAV, "tab": "pairings"}
    return render(request, "pilots/pairing_list.html", context)


@login_required
@permission_required("pilots.view_pairing", raise_exception=True)
def pairing_detail(request, pairing_pk):
    pairing = _pairing_for_user(request, pairing_pk)
    context = {"pairing": pairing, "partners": pairing.partners.order_by("name"), "nav_active": _NAV}
    return render(request, "pilots/pairing_detail.html", context)


@login_required
@permission_required("pilots.add_pairing", raise_exception=True)
def pairing_create(request):
    lead = _org_param(request, "lead")
    if lead is None:
        query, choices = _org_choices(request)
        context = {"query": query, "choices": choices, "nav_active": _NAV, "next": "pilots:pairing_create"}
        return render(request, "pilots/pick_org.html", {**context, "param": "lead", "title": "登记结对：选择牵头单位"})
    if not can_add_pairing(request.user, lead):
        raise PermissionDenied("您无权为该单位登记结对。")
    initial = {}
    pilot_pk = request.GET.get("pilot", "")
    if pilot_pk.isdigit():
        initial["pilot"] = pilot_pk
    form = PairingForm(request.POST or None, user=request.user, lead_org=lead, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pairing = services.create_pairing(
                request.user,
                lead_org=lead,
                partners=data["all_partners"],
                title=data["title"],
                signed_on=data["signed_on"],
                valid_until=data["valid_until"],
                content=data["content"],
                pilot=data["pilot"],
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已登记结对“{pairing.title}”。")
            return redirect("pilots:pairing_detail", pairing_pk=pairing.pk)
    return render(request, "pilots/form.html", {"form": form, "org": lead, "title": "登记结对", "nav_active": _NAV})


# ---------------------------------------------------------------------------- map


def _map_pilots(request):
    pilots = PilotUnit.objects.visible_to(request.user)
    filterset = PilotFilter(request.GET or None, queryset=pilots)
    pilots = filterset.qs
    if not request.GET.get("status"):
        pilots = pilots.filter(status__in=MAP_STATUSES)
    return filterset, pilots


def _map_data(request) -> dict:
    _, pilots = _map_pilots(request)
    return {
        "title": "试点单位分布",
        "columns": services.MAP_COLUMNS,
        "rows": services.map_rows(pilots),
        "unit": "家",
        "indicator": "试点单位数",
    }


@login_required
@permission_required(_VIEW, raise_exception=True)
def pilot_map(request):
    filterset, _ = _map_pilots(request)
    data = _map_data(request)
    query = request.GET.copy()
    query["export"] = "xlsx"
    context = {
        "filter": filterset,
        "data": data,
        "config": {"geo": static("vendor/maps/jiangsu.json"), "data": data},
        "xlsx_url": f"{reverse('pilots:map_data')}?{query.urlencode()}",
        "nav_active": _NAV,
        "tab": "map",
    }
    return render(request, "pilots/map.html", context)


@login_required
@permission_required(_VIEW, raise_exception=True)
def map_data(request):
    data = _map_data(request)
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(table_workbook(data["title"], data["columns"], data["rows"]), "试点单位分布.xlsx")
    return JsonResponse(data)


# ---------------------------------------------------------------------------- pilot types


@login_required
@permission_required("pilots.view_pilottype", raise_exception=True)
def type_list(request):
    form = PilotTypeForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("pilots.add_pilottype"):
            raise PermissionDenied("您无权维护试点类型。")
        if form.is_valid():
            try:
                services.save_pilot_type(request.user, form.instance)
            except ValidationError as exc:
                _attach_errors(form, exc)
            else:
                messages.success(request, f"已新增试点类型“{form.instance.name}”。")
                return redirect("pilots:types")
    context = {"types": PilotType.objects.all(), "form": form, "nav_active": _NAV, "tab": "types"}
    return render(request, "pilots/types.html", context)


@login_required
@permission_required("pilots.change_pilottype", raise_exception=True)
def type_edit(request, type_pk):
    pilot_type = get_object_or_404(PilotType, pk=type_pk)
    form = PilotTypeForm(request.POST or None, instance=pilot_type)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_pilot_type(request.user, form.instance)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("pilots:types")
    return render(
        request, "pilots/form.html", {"form": form, "title": f"编辑试点类型“{pilot_type.name}”", "nav_active": _NAV}
    )

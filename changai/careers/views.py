from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from changai.core.web import attach_errors, xlsx_response
from changai.orgs.models import Kind, Org
from changai.workers.models import Sequence, Worker

from . import exports, services
from .forms import PICKER_LIMIT, RANK_FILTER, ApplicationForm, DecisionForm, MoveForm, search_workers
from .models import CareerMove, TitleApplication

PAGE_SIZE = 30
EXPORT_LIMIT = 20000
NAV = "careers"
SHOW_CHOICES = [("now", "现可申报"), ("soon", "一年内可申报")]


# ---------------------------------------------------------------------------- helpers


def _date_param(request, name: str) -> date | None:
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _export_query(filters: dict) -> str:
    return urlencode({**{k: v for k, v in filters.items() if v}, "export": "xlsx"})


def _enterprise_param(request) -> Org | None:
    pk = _int_param(request, "enterprise")
    if pk is None:
        return None
    return Org.objects.visible_to(request.user).filter(pk=pk, kind=Kind.ENTERPRISE).first()


def _chosen_worker(request) -> Worker | None:
    pk = request.GET.get("worker") or request.POST.get("worker") or ""
    if not pk.isdigit():
        return None
    workers = Worker.objects.visible_to(request.user).filter(enterprise__isnull=False)
    return workers.select_related("enterprise").filter(pk=int(pk)).first()


def _picker(request, purpose: str, back: str):
    query = request.GET.get("q", "").strip()
    results = list(search_workers(request.user, query).order_by("name")[:PICKER_LIMIT]) if query else []
    context = {"query": query, "results": results, "purpose": purpose, "back": back, "nav_active": NAV}
    return render(request, "careers/pick_worker.html", context)


# ---------------------------------------------------------------------------- career moves


@login_required
@permission_required("careers.view_careermove", raise_exception=True)
def move_list(request):
    moves = CareerMove.objects.visible_to(request.user).select_related("worker", "enterprise")
    enterprise, kind = _enterprise_param(request), request.GET.get("kind", "")
    query, frontline = request.GET.get("q", "").strip(), request.GET.get("frontline", "") == "1"
    worker_pk = _int_param(request, "worker")
    start, end = _date_param(request, "from"), _date_param(request, "to")
    if enterprise:
        moves = moves.filter(enterprise=enterprise)
    if worker_pk:
        moves = moves.filter(worker_id=worker_pk)
    if kind in CareerMove.Kind.values:
        moves = moves.filter(kind=kind)
    if frontline:
        moves = moves.filter(frontline_promotion=True)
    if query:
        moves = moves.filter(Q(worker__name__icontains=query) | Q(enterprise__name__icontains=query))
    if start:
        moves = moves.filter(effective_on__gte=start)
    if end:
        moves = moves.filter(effective_on__lte=end)
    filters = {
        "enterprise": enterprise.pk if enterprise else "",
        "worker": worker_pk or "",
        "kind": kind if kind in CareerMove.Kind.values else "",
        "frontline": "1" if frontline else "",
        "q": query,
        "from": start.isoformat() if start else "",
        "to": end.isoformat() if end else "",
    }
    if request.GET.get("export") == "xlsx":
        caption = f"岗位变动登记（{enterprise.name if enterprise else '管辖范围内全部企业'}）"
        workbook = exports.moves_workbook(moves[:EXPORT_LIMIT], caption)
        return xlsx_response(workbook, f"岗位变动_{services.today():%Y%m%d}.xlsx")
    totals = moves.aggregate(
        total=Count("pk"),
        vertical=Count("pk", filter=Q(kind=CareerMove.Kind.VERTICAL)),
        horizontal=Count("pk", filter=Q(kind=CareerMove.Kind.HORIZONTAL)),
        frontline=Count("pk", filter=Q(frontline_promotion=True)),
    )
    context = {
        "page_obj": Paginator(moves, PAGE_SIZE).get_page(request.GET.get("page")),
        "totals": totals,
        "filters": filters,
        "enterprise": enterprise,
        "filtered": any(filters.values()),
        "export_query": _export_query(filters),
        "kinds": CareerMove.Kind.choices,
        "nav_active": NAV,
        "tab": "moves",
    }
    return render(request, "careers/move_list.html", context)


@login_required
@permission_required("careers.add_careermove", raise_exception=True)
def move_create(request):
    worker = _chosen_worker(request)
    if worker is None:
        return _picker(request, "登记岗位变动", "careers:moves")
    form = MoveForm(request.POST or None, user=request.user, worker=worker)
    if request.method == "POST" and form.is_valid():
        try:
            move = services.record_move(request.user, worker, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            extra = "，记为一线职工晋升管理岗位" if move.frontline_promotion else ""
            messages.success(request, f"已登记{worker.name}的{move.get_kind_display()}{extra}，职工台账已更新。")
            return redirect(f"{reverse('careers:moves')}?enterprise={move.enterprise_id}")
    context = {
        "form": form,
        "worker": worker,
        "may_be_frontline_promotion": worker.frontline and worker.sequence != Sequence.MANAGEMENT,
        "nav_active": NAV,
    }
    return render(request, "careers/move_form.html", context)


# ---------------------------------------------------------------------------- the title bridge


@login_required
@permission_required("careers.view_titleapplication", raise_exception=True)
def eligibility(request):
    day = services.today()
    workers = Worker.objects.visible_to(request.user).filter(enterprise__isnull=False)
    enterprise, query = _enterprise_param(request), request.GET.get("q", "").strip()
    show = request.GET.get("show", "now")
    show = show if show in dict(SHOW_CHOICES) else "now"
    if enterprise:
        workers = workers.filter(enterprise=enterprise)
    if query:
        workers = workers.filter(Q(name__icontains=query) | Q(enterprise__name__icontains=query))
    rows = services.bridge_rows(workers, day, show=show)
    filters = {"enterprise": enterprise.pk if enterprise else "", "q": query, "show": show if show != "now" else ""}
    if request.GET.get("export") == "xlsx":
        standings = services.standings_for(rows[:EXPORT_LIMIT], day)
        label, where = dict(SHOW_CHOICES)[show], enterprise.name if enterprise else "管辖范围内全部企业"
        caption = f"技能人才贯通评审{label}名单（{where}，{day:%Y-%m-%d}）"
        return xlsx_response(exports.eligibility_workbook(standings, caption), f"贯通评审名单_{day:%Y%m%d}.xlsx")
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page_obj,
        "standings": services.standings_for(page_obj.object_list, day),
        "filters": filters,
        "show": show,
        "show_choices": SHOW_CHOICES,
        "enterprise": enterprise,
        "filtered": bool(enterprise or query),
        "export_query": _export_query(filters),
        "rules": [
            (services.QUALIFYING_LEVEL[rank].label, rank.label, services.YEARS_AT_LEVEL[rank])
            for rank in services.BRIDGE_RANKS
        ],
        "today": day,
        "nav_active": NAV,
        "tab": "eligibility",
    }
    return render(request, "careers/eligibility.html", context)


@login_required
@permission_required("careers.view_titleapplication", raise_exception=True)
def application_list(request):
    applications = TitleApplication.objects.visible_to(request.user).select_related("worker", "enterprise")
    enterprise, status = _enterprise_param(request), request.GET.get("status", "")
    rank, query = request.GET.get("rank", ""), request.GET.get("q", "").strip()
    if enterprise:
        applications = applications.filter(enterprise=enterprise)
    if status in TitleApplication.Status.values:
        applications = applications.filter(status=status)
    if rank in dict(RANK_FILTER):
        applications = applications.filter(target_rank=int(rank))
    if query:
        applications = applications.filter(
            Q(worker__name__icontains=query) | Q(enterprise__name__icontains=query) | Q(body__icontains=query)
        )
    filters = {
        "enterprise": enterprise.pk if enterprise else "",
        "status": status if status in TitleApplication.Status.values else "",
        "rank": rank if rank in dict(RANK_FILTER) else "",
        "q": query,
    }
    if request.GET.get("export") == "xlsx":
        caption = f"技能人才贯通评审申报（{enterprise.name if enterprise else '管辖范围内全部企业'}）"
        workbook = exports.applications_workbook(applications[:EXPORT_LIMIT], caption)
        return xlsx_response(workbook, f"贯通评审申报_{services.today():%Y%m%d}.xlsx")
    totals = applications.aggregate(
        total=Count("pk"),
        applied=Count("pk", filter=Q(status=TitleApplication.Status.APPLIED)),
        passed=Count("pk", filter=Q(status=TitleApplication.Status.PASSED)),
        failed=Count("pk", filter=Q(status=TitleApplication.Status.FAILED)),
    )
    context = {
        "page_obj": Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page")),
        "totals": totals,
        "filters": filters,
        "enterprise": enterprise,
        "filtered": any(filters.values()),
        "export_query": _export_query(filters),
        "statuses": TitleApplication.Status.choices,
        "ranks": RANK_FILTER,
        "can_decide": request.user.has_perm("careers.decide_titleapplication"),
        "nav_active": NAV,
        "tab": "applications",
    }
    return render(request, "careers/application_list.html", context)


@login_required
@permission_required("careers.add_titleapplication", raise_exception=True)
def application_create(request):
    worker = _chosen_worker(request)
    if worker is None:
        return _picker(request, "登记贯通评审申报", "careers:applications")
    standing = services.standing_of(worker)
    initial = {"submitted_on": services.today()}
    if standing and standing.target_rank:
        initial["target_rank"] = standing.target_rank
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.apply_for_title(request.user, worker, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"已登记{worker.name}申报{application.get_target_rank_display()}。")
            return redirect("careers:applications")
    context = {"form": form, "worker": worker, "standing": standing, "nav_active": NAV}
    return render(request, "careers/application_form.html", context)


@login_required
@permission_required("careers.decide_titleapplication", raise_exception=True)
def application_decide(request, titleapplication_pk):
    applications = TitleApplication.objects.visible_to(request.user).select_related("worker", "enterprise")
    application = get_object_or_404(applications, pk=titleapplication_pk)
    if not services.can_decide(request.user, application):
        raise PermissionDenied("您无权登记该申报的评审结果。")
    if application.status != TitleApplication.Status.APPLIED:
        messages.info(request, f"该申报已登记结果：{application.get_status_display()}。")
        return redirect("careers:applications")
    form = DecisionForm(request.POST or None, initial={"decided_on": services.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.decide(request.user, application, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if form.cleaned_data["passed"]:
                text = f"已登记{application.worker.name}评审通过，取得{application.get_target_rank_display()}职称。"
            else:
                text = f"已登记{application.worker.name}未通过评审。"
            messages.success(request, text)
            return redirect("careers:applications")
    context = {"form": form, "application": application, "nav_active": NAV}
    return render(request, "careers/application_decide.html", context)

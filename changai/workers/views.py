"""Pages of the worker ledger: list and search, detail with the talent timeline, add/edit, move, leave,
full numbers on request (logged), the log of full views, the occupation catalogue."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from changai.core.web import attach_errors, xlsx_response

from . import services
from .cleaning import normalise_id_number
from .exports import MAX_EXPORT_ROWS, ledger_workbook
from .forms import LeaveForm, MoveForm, WorkerForm, manageable_enterprises
from .models import Education, Employment, FullNumberView, Occupation, Sequence, Worker
from .timeline import timeline_for

PER_PAGE = 30
NAV = {"nav_active": "workers"}


def _worker_or_404(request, worker_pk) -> Worker:
    workers = Worker.objects.visible_to(request.user).select_related("enterprise", "occupation")
    return get_object_or_404(workers, pk=worker_pk)


def _require_manage(request, worker_or_enterprise) -> None:
    if not services.can_manage(request.user, worker_or_enterprise):
        raise PermissionDenied("您无权维护该企业的职工台账。")


# ---------------------------------------------------------------------------- the ledger


def _search(workers, query: str):
    """By name or occupation; a whole identity number is looked up by its keyed hash (exact match only)."""
    try:
        number = normalise_id_number(query)
    except ValidationError:
        number = None
    if number:
        return workers.filter(id_hash=services.id_hash_of(number))
    return workers.filter(
        Q(name__icontains=query) | Q(occupation__name__icontains=query) | Q(occupation__code__startswith=query)
    )


def _filters(request) -> dict:
    get = request.GET.get
    return {
        "q": get("q", "").strip(),
        "enterprise": get("enterprise", "").strip(),
        "frontline": get("frontline", "") if get("frontline", "") in ("1", "0") else "",
        "sequence": get("sequence", "") if get("sequence", "") in Sequence.values else "",
        "education": get("education", "") if get("education", "") in Education.values else "",
    }


def _filtered_workers(request, filters: dict):
    workers = Worker.objects.visible_to(request.user).select_related("enterprise", "occupation")
    if filters["q"]:
        workers = _search(workers, filters["q"])
    if filters["enterprise"]:
        workers = workers.filter(enterprise__name__icontains=filters["enterprise"])
    if filters["frontline"]:
        workers = workers.filter(frontline=filters["frontline"] == "1")
    if filters["sequence"]:
        workers = workers.filter(sequence=filters["sequence"])
    if filters["education"]:
        workers = workers.filter(education=filters["education"])
    return workers.order_by("enterprise_id", "name", "pk")


@login_required
@permission_required("workers.view_worker", raise_exception=True)
def worker_list(request):
    filters = _filters(request)
    workers = _filtered_workers(request, filters)
    if request.GET.get("export") == "xlsx":
        return _export(request, workers)
    page_obj = Paginator(workers, PER_PAGE).get_page(request.GET.get("page"))
    enterprises = manageable_enterprises(request.user)
    context = {
        "page_obj": page_obj,
        "filters": filters,
        "filtered": any(filters.values()),
        "export_query": urlencode({**{k: v for k, v in filters.items() if v}, "export": "xlsx"}),
        "sequences": Sequence.choices,
        "educations": Education.choices,
        "can_add": request.user.has_perm("workers.add_worker") and enterprises.exists(),
        "many_enterprises": len(enterprises[:2]) > 1,
        "full_export": request.user.has_perm(services.FULL_NUMBER_PERMISSION),
    }
    return render(request, "workers/worker_list.html", {**NAV, **context})


def _export(request, workers):
    """Masked for everyone; full for holders of the permission, logged once with the row count."""
    count = workers.count()
    if count > MAX_EXPORT_ROWS:
        messages.error(
            request, f"符合条件的职工有{count}人，超过一次导出的上限{MAX_EXPORT_ROWS}人，请按企业或条件筛选后分批导出。"
        )
        return redirect("workers:list")
    full = request.user.has_perm(services.FULL_NUMBER_PERMISSION)
    rows = list(workers)
    if full and rows:
        enterprises = {worker.enterprise_id for worker in rows}
        enterprise = rows[0].enterprise if len(enterprises) == 1 and rows else None
        services.log_full_view(
            request.user,
            field=FullNumberView.Field.BOTH,
            channel=FullNumberView.Channel.EXPORT,
            enterprise=enterprise,
            rows=len(rows),
            request=request,
        )
    suffix = "" if full else "_脱敏"
    return xlsx_response(ledger_workbook(rows, full=full), f"职工台账{suffix}_{services.today():%Y%m%d}.xlsx")


@login_required
@permission_required("workers.view_worker", raise_exception=True)
def former_list(request):
    """Stints that ended at enterprises in scope: who left or moved away, when."""
    query = request.GET.get("q", "").strip()
    stints = (
        Employment.objects.visible_to(request.user)
        .filter(left_on__isnull=False)
        .select_related("worker", "enterprise", "occupation")
        .order_by("-left_on", "pk")
    )
    if query:
        stints = stints.filter(Q(worker__name__icontains=query) | Q(enterprise__name__icontains=query))
    page_obj = Paginator(stints, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "workers/former_list.html", {**NAV, "page_obj": page_obj, "q": query})


# ---------------------------------------------------------------------------- one worker


def _detail_context(request, worker: Worker, **extra) -> dict:
    return {
        "worker": worker,
        "employments": worker.employments.select_related("enterprise", "occupation").order_by("-hired_on", "-pk"),
        "timeline": timeline_for(worker),
        "can_manage": services.can_manage(request.user, worker),
        "can_reveal": services.can_see_full_numbers(request.user, worker),
        **extra,
    }


@login_required
@permission_required("workers.view_worker", raise_exception=True)
def worker_detail(request, worker_pk):
    worker = _worker_or_404(request, worker_pk)
    return render(request, "workers/worker_detail.html", {**NAV, **_detail_context(request, worker)})


@login_required
@require_POST
def reveal(request, worker_pk):
    """Show this worker's full identity number and phone once, on this response only; the view is logged."""
    worker = _worker_or_404(request, worker_pk)
    if not services.can_see_full_numbers(request.user, worker):
        raise PermissionDenied("您无权查看完整号码。")
    number, phone = services.reveal_numbers(request.user, worker, FullNumberView.Channel.PAGE, request)
    context = _detail_context(request, worker, full_id_number=number, full_phone=phone, revealed=True)
    response = render(request, "workers/worker_detail.html", {**NAV, **context})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required("workers.add_worker", raise_exception=True)
def worker_create(request):
    enterprises = manageable_enterprises(request.user)
    if not enterprises.exists():
        raise PermissionDenied("您的范围内没有可登记职工的企业。")
    form = WorkerForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        enterprise = form.cleaned_data["enterprise"]
        try:
            worker = services.register_worker(enterprise, user=request.user, **form.service_fields())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"已登记职工{worker.name}。")
            return redirect("workers:detail", worker_pk=worker.pk)
    return render(request, "workers/worker_form.html", {**NAV, "form": form, "title": "登记职工"})


@login_required
def worker_edit(request, worker_pk):
    worker = _worker_or_404(request, worker_pk)
    _require_manage(request, worker)
    initial = {
        "name": worker.name,
        "education": worker.education,
        "political_status": worker.political_status,
        "occupation": worker.occupation_id,
        "frontline": worker.frontline,
        "hired_on": worker.hired_on,
        "sequence": worker.sequence,
        "grade": worker.grade,
    }
    form = WorkerForm(request.POST or None, worker=worker, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_worker(worker, user=request.user, **form.service_fields())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("workers:detail", worker_pk=worker.pk)
    return render(
        request, "workers/worker_form.html", {**NAV, "form": form, "worker": worker, "title": f"编辑：{worker.name}"}
    )


@login_required
def worker_move(request, worker_pk):
    worker = _worker_or_404(request, worker_pk)
    _require_manage(request, worker)
    form = MoveForm(request.POST or None, user=request.user, worker=worker)
    if request.method == "POST" and form.is_valid():
        enterprise = form.cleaned_data["enterprise"]
        try:
            services.move_worker(worker, enterprise, form.cleaned_data["on"], user=request.user, **form.job_fields())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"{worker.name}已调入{enterprise.name}。")
            return redirect("workers:detail", worker_pk=worker.pk)
    return render(request, "workers/worker_move.html", {**NAV, "form": form, "worker": worker})


@login_required
def worker_leave(request, worker_pk):
    worker = _worker_or_404(request, worker_pk)
    _require_manage(request, worker)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.leave_worker(
                worker, form.cleaned_data["on"], reason=form.cleaned_data["reason"], user=request.user
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"已为{worker.name}办理离职。")
            return redirect("workers:list")
    return render(request, "workers/worker_leave.html", {**NAV, "form": form, "worker": worker})


@login_required
@permission_required("workers.add_worker", raise_exception=True)
def template(request):
    """The import template filled with the ledger: full numbers (logged) for holders of the permission."""
    workers = Worker.objects.visible_to(request.user).select_related("enterprise", "occupation")
    if not request.user.has_perm(services.FULL_NUMBER_PERMISSION):
        workers = workers.none()
    return _export(request, workers.order_by("enterprise_id", "name", "pk"))


# ---------------------------------------------------------------------------- the log of full views


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@login_required
@permission_required("workers.view_fullnumberview", raise_exception=True)
def full_views(request):
    views = FullNumberView.objects.visible_to(request.user).select_related("user", "worker", "enterprise")
    query, start, end = (
        request.GET.get("q", "").strip(),
        _date(request.GET.get("from", "")),
        _date(request.GET.get("to", "")),
    )
    channel = request.GET.get("channel", "")
    if query:
        views = views.filter(
            Q(user__username__icontains=query)
            | Q(user__full_name__icontains=query)
            | Q(worker__name__icontains=query)
            | Q(enterprise__name__icontains=query)
        )
    if start:
        views = views.filter(viewed_at__date__gte=start)
    if end:
        views = views.filter(viewed_at__date__lte=end)
    if channel in FullNumberView.Channel.values:
        views = views.filter(channel=channel)
    filters = {
        "q": query,
        "from": start.isoformat() if start else "",
        "to": end.isoformat() if end else "",
        "channel": channel,
    }
    page_obj = Paginator(views, 50).get_page(request.GET.get("page"))
    context = {
        "page_obj": page_obj,
        "filters": filters,
        "filtered": any(filters.values()),
        "channels": FullNumberView.Channel.choices,
    }
    return render(request, "workers/full_views.html", {**NAV, **context})


# ---------------------------------------------------------------------------- occupations


@login_required
@permission_required("workers.view_occupation", raise_exception=True)
def occupation_list(request):
    query = request.GET.get("q", "").strip()
    occupations = Occupation.objects.all()
    if request.GET.get("all") != "1":
        occupations = occupations.filter(is_active=True)
    if query:
        occupations = occupations.filter(
            Q(name__icontains=query) | Q(code__startswith=query) | Q(category__icontains=query)
        )
    page_obj = Paginator(occupations.order_by("code"), 50).get_page(request.GET.get("page"))
    context = {"page_obj": page_obj, "q": query, "show_all": request.GET.get("all") == "1"}
    return render(request, "workers/occupation_list.html", {**NAV, **context})

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from changai.core import import_services
from changai.core.periods import Period
from changai.core.web import attach_errors as _attach_errors
from changai.core.web import xlsx_response as _xlsx_response
from changai.indicators.models import Pillar
from changai.orgs.models import Org

from . import services
from .exports import notices_workbook, plan_workbook
from .forms import AdoptForm, ImportFileForm, ItemForm, NoticeForm, PlanForm, ProgressForm, ReplyForm
from .importers import importer_key
from .models import Checkpoint, CheckpointKind, Light, Plan, PlanItem, Progress, SupervisionNotice

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIGHT_ORDER = Case(
    When(status=PlanItem.Status.ACTIVE, light=Light.RED, then=Value(0)),
    When(status=PlanItem.Status.ACTIVE, light=Light.YELLOW, then=Value(1)),
    When(status=PlanItem.Status.ACTIVE, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


# ---------------------------------------------------------------------------- access helpers


def _plan_for_user(request, plan_pk) -> Plan:
    return get_object_or_404(Plan.objects.visible_to(request.user).select_related("org"), pk=plan_pk)


def _item_for_user(request, item_pk) -> PlanItem:
    items = PlanItem.objects.visible_to(request.user).select_related(
        "plan__org", "lead_unit", "adopted_from__plan__org"
    )
    return get_object_or_404(items, pk=item_pk)


def _visible_item_ids(user):
    return PlanItem.objects.visible_to(user).values("pk")


def _notice_for_user(request, notice_pk) -> SupervisionNotice:
    notices = SupervisionNotice.objects.filter(item__in=_visible_item_ids(request.user)).select_related("item", "unit")
    return get_object_or_404(notices, pk=notice_pk)


def _require_manage(user, plan: Plan, perm: str) -> None:
    if not (user.has_perm(perm) and services.can_manage_plan(user, plan)):
        raise PermissionDenied("您无权修改该工作计划。")


def _user_units(user) -> set[int]:
    return {m.org_id for m in user.active_memberships()}


# ---------------------------------------------------------------------------- small helpers


def _with_open_checkpoints(items):
    open_checkpoints = Checkpoint.objects.filter(submitted_at__isnull=True).order_by("due_on", "pk")
    return items.prefetch_related(Prefetch("checkpoints", queryset=open_checkpoints, to_attr="open_checkpoints"))


def _next_due(item: PlanItem, on):
    """The checkpoint to report next: the earliest open one whose period has begun, else the next to begin."""
    checkpoints = item.open_checkpoints
    started = [c for c in checkpoints if Period.parse(c.period).start <= on]
    return (started or checkpoints or [None])[0]


def _mark_next_due(items) -> None:
    on = services.today()
    for item in items:
        item.next_due = _next_due(item, on)
        item.next_due_late = item.next_due is not None and item.next_due.due_on < on


def _checkpoint_state(checkpoint: Checkpoint, on) -> tuple[str, str]:
    if checkpoint.submitted_at:
        if timezone.localdate(checkpoint.submitted_at) <= checkpoint.due_on:
            return "按时报送", "success"
        return "逾期报送", "warning"
    if on > checkpoint.due_on:
        return "逾期未报送", "danger"
    if Period.parse(checkpoint.period).start <= on:
        return "待报送", "primary"
    return "未开始", "secondary"


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


# ---------------------------------------------------------------------------- plans


@login_required
@permission_required("worklists.view_plan", raise_exception=True)
def plan_list(request):
    visible = Plan.objects.visible_to(request.user)
    plans = (
        visible.select_related("org")
        .annotate(
            total=Count("items"),
            red=Count("items", filter=Q(items__light=Light.RED, items__status=PlanItem.Status.ACTIVE)),
            yellow=Count("items", filter=Q(items__light=Light.YELLOW, items__status=PlanItem.Status.ACTIVE)),
            done=Count("items", filter=Q(items__status=PlanItem.Status.DONE)),
        )
        .order_by("-year", "org__path", "kind", "pk")
    )
    year, org_pk, query = _int_param(request, "year"), _int_param(request, "org"), request.GET.get("q", "").strip()
    if year:
        plans = plans.filter(year=year)
    if org_pk:
        plans = plans.filter(org_id=org_pk)
    if query:
        plans = plans.filter(Q(title__icontains=query) | Q(org__name__icontains=query))
    context = {
        "page_obj": Paginator(plans, 20).get_page(request.GET.get("page")),
        "years": visible.order_by("-year").values_list("year", flat=True).distinct(),
        "orgs": Org.objects.filter(pk__in=visible.values("org_id")).order_by("path"),
        "year": year,
        "org_pk": org_pk,
        "query": query,
        "tab": "plans",
        "nav_active": "worklists",
    }
    return render(request, "worklists/plan_list.html", context)


@login_required
@permission_required("worklists.add_plan", raise_exception=True)
def plan_create(request):
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            plan = services.create_plan(request.user, data.pop("org"), **data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已新建工作计划“{plan}”，请添加任务或从 Excel 导入。")
            return redirect("worklists:plan_detail", plan_pk=plan.pk)
    return render(request, "worklists/plan_form.html", {"form": form, "nav_active": "worklists"})


@login_required
@permission_required("worklists.view_plan", raise_exception=True)
def plan_detail(request, plan_pk):
    plan = _plan_for_user(request, plan_pk)
    items = _with_open_checkpoints(plan.items.select_related("lead_unit").prefetch_related("supporting_units"))
    light, pillar, lead = request.GET.get("light", ""), request.GET.get("pillar", ""), _int_param(request, "lead")
    if light in Light.values:
        items = items.filter(light=light, status=PlanItem.Status.ACTIVE)
    elif light in PlanItem.Status.values:
        items = items.filter(status=light)
    if pillar in Pillar.values:
        items = items.filter(pillar=pillar)
    if lead:
        items = items.filter(lead_unit_id=lead)
    if request.GET.get("export") == "xlsx":
        items = list(items)
        _mark_next_due(items)
        return _xlsx_response(plan_workbook(plan, items), f"{plan.year}年{plan.title}_{plan.org.name}.xlsx")
    page_obj = Paginator(items, 50).get_page(request.GET.get("page"))
    _mark_next_due(page_obj.object_list)
    counts = dict(
        plan.items.filter(status=PlanItem.Status.ACTIVE).values_list("light").annotate(n=Count("pk")).order_by()
    )
    can_manage = services.can_manage_plan(request.user, plan)
    context = {
        "plan": plan,
        "cadence_labels": [CheckpointKind(kind).label for kind in plan.cadence if kind in CheckpointKind.values],
        "page_obj": page_obj,
        "counts": {value: counts.get(value, 0) for value in Light.values},
        "done": plan.items.filter(status=PlanItem.Status.DONE).count(),
        "lights": Light.choices,
        "statuses": [(PlanItem.Status.DONE, "已完成"), (PlanItem.Status.CANCELLED, "已取消")],
        "pillars": Pillar.choices,
        "lead_units": Org.objects.filter(pk__in=plan.items.values("lead_unit_id")).order_by("path"),
        "light": light,
        "pillar": pillar,
        "lead": lead,
        "can_add_item": can_manage and request.user.has_perm("worklists.add_planitem"),
        "can_copy": can_manage and request.user.has_perm("worklists.add_plan"),
        "importer_key": importer_key(plan),
        "copies": Plan.objects.visible_to(request.user).filter(copied_from=plan),
        "nav_active": "worklists",
    }
    return render(request, "worklists/plan_detail.html", context)


@login_required
@require_POST
@permission_required("worklists.add_plan", raise_exception=True)
def plan_copy(request, plan_pk):
    plan = _plan_for_user(request, plan_pk)
    _require_manage(request.user, plan, "worklists.add_plan")
    year = plan.year + 1
    existing = Plan.objects.filter(copied_from=plan, year=year).first()
    if existing:
        messages.warning(request, f"该计划已复制为{year}年计划，未重复复制。")
        return redirect("worklists:plan_detail", plan_pk=existing.pk)
    new_plan = services.copy_plan(request.user, plan, year)
    messages.success(request, f"已复制为{year}年计划，共{new_plan.items.count()}项任务，日期已顺延一年，请逐项核对。")
    return redirect("worklists:plan_detail", plan_pk=new_plan.pk)


@login_required
@permission_required("worklists.add_planitem", raise_exception=True)
def plan_import(request, plan_pk):
    plan = _plan_for_user(request, plan_pk)
    _require_manage(request.user, plan, "worklists.add_planitem")
    form = ImportFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = import_services.upload(request.user, importer_key(plan), form.cleaned_data["file"], org=plan.org)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("imports:detail", batch_pk=batch.pk)
    context = {
        "plan": plan,
        "form": form,
        "importer": import_services.importer_for(request.user, importer_key(plan)),
        "nav_active": "worklists",
    }
    return render(request, "worklists/plan_import.html", context)


# ---------------------------------------------------------------------------- adopting items of the level above


@login_required
@permission_required("worklists.add_planitem", raise_exception=True)
def adopt_list(request, plan_pk):
    plan = _plan_for_user(request, plan_pk)
    _require_manage(request.user, plan, "worklists.add_planitem")
    year = _int_param(request, "year") or plan.year
    query = request.GET.get("q", "").strip()
    items = (
        services.adoptable_items(plan, year)
        .select_related("plan__org", "lead_unit")
        .order_by("plan__org__path", "plan_id", "number", "pk")
    )
    if query:
        items = items.filter(Q(title__icontains=query) | Q(target__icontains=query))
    page_obj = Paginator(items, 50).get_page(request.GET.get("page"))
    adopted = set(plan.items.filter(adopted_from__isnull=False).values_list("adopted_from_id", flat=True))
    context = {
        "plan": plan,
        "page_obj": page_obj,
        "adopted": adopted,
        "year": year,
        "query": query,
        "nav_active": "worklists",
    }
    return render(request, "worklists/adopt_list.html", context)


@login_required
@permission_required("worklists.add_planitem", raise_exception=True)
def adopt(request, plan_pk, item_pk):
    plan = _plan_for_user(request, plan_pk)
    source = get_object_or_404(services.adoptable_items(plan), pk=item_pk)
    _require_manage(request.user, plan, "worklists.add_planitem")
    form = AdoptForm(request.POST or None, user=request.user, plan=plan, initial={"number": source.number})
    if request.method == "POST" and form.is_valid():
        try:
            item = services.adopt_item(request.user, source, plan, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已承接“{source.title}”，请按本级实际调整目标和时限。")
            return redirect("worklists:item_detail", item_pk=item.pk)
    return render(
        request, "worklists/adopt_form.html", {"plan": plan, "source": source, "form": form, "nav_active": "worklists"}
    )


# ---------------------------------------------------------------------------- items


@login_required
@permission_required("worklists.add_planitem", raise_exception=True)
def item_create(request, plan_pk):
    plan = _plan_for_user(request, plan_pk)
    _require_manage(request.user, plan, "worklists.add_planitem")
    form = ItemForm(request.POST or None, user=request.user, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        supporting = data.pop("supporting_units")
        try:
            item = services.add_item(request.user, plan, supporting_units=supporting, **data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已添加任务“{item.number} {item.title}”。")
            return redirect("worklists:plan_detail", plan_pk=plan.pk)
    context = {"form": form, "plan": plan, "title": "添加任务", "nav_active": "worklists"}
    return render(request, "worklists/item_form.html", context)


@login_required
@permission_required("worklists.change_planitem", raise_exception=True)
def item_edit(request, item_pk):
    item = _item_for_user(request, item_pk)
    _require_manage(request.user, item.plan, "worklists.change_planitem")
    form = ItemForm(request.POST or None, user=request.user, plan=item.plan, instance=PlanItem.objects.get(pk=item.pk))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        supporting = data.pop("supporting_units")
        try:
            changed = services.update_item(request.user, item, supporting_units=supporting, **data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已保存：{'、'.join(changed)}。" if changed else "没有修改。")
            return redirect("worklists:item_detail", item_pk=item.pk)
    context = {"form": form, "plan": item.plan, "item": item, "title": "编辑任务", "nav_active": "worklists"}
    return render(request, "worklists/item_form.html", context)


def _item_page(request, item: PlanItem, *, progress_form=None, notice_form=None, reply_forms=None):
    user, on = request.user, services.today()
    light, why = services.compute_light(item)
    units = _user_units(user)
    can_answer = user.has_perm("worklists.change_supervisionnotice")
    notices = list(item.notices.select_related("unit", "issued_by", "replied_by"))
    for notice in notices:
        notice.can_reply = can_answer and notice.unit_id in units and notice.status != SupervisionNotice.Status.ANSWERED
        notice.form = (reply_forms or {}).get(notice.pk) or ReplyForm(prefix=f"notice{notice.pk}")
    checkpoints = list(item.checkpoints.all())
    for checkpoint in checkpoints:
        checkpoint.state, checkpoint.state_class = _checkpoint_state(checkpoint, on)
        checkpoint.period_label = Period.parse(checkpoint.period).label
    visible = PlanItem.objects.visible_to(user)
    can_manage = services.can_manage_plan(user, item.plan)
    context = {
        "item": item,
        "plan": item.plan,
        "plan_visible": Plan.objects.visible_to(user).filter(pk=item.plan_id).exists(),
        "light": light,
        "light_label": Light(light).label,
        "why": why,
        "supporting_units": item.supporting_units.order_by("path"),
        "adopted_from_visible": item.adopted_from_id and visible.filter(pk=item.adopted_from_id).exists(),
        "adoptions": visible.filter(adopted_from=item).select_related("plan__org", "lead_unit"),
        "checkpoints": checkpoints,
        "reports": item.reports.select_related("unit", "submitted_by", "checkpoint"),
        "notices": notices,
        "events": item.events.select_related("actor"),
        "can_report": item.status == PlanItem.Status.ACTIVE and services.can_report(user, item),
        "can_issue": user.has_perm("worklists.add_supervisionnotice") and can_manage,
        "can_edit": user.has_perm("worklists.change_planitem") and can_manage,
        "progress_form": progress_form or ProgressForm(initial={"percent": item.progress}),
        "notice_form": notice_form or NoticeForm(),
        "nav_active": "worklists",
    }
    return render(request, "worklists/item_detail.html", context)


@login_required
@permission_required("worklists.view_planitem", raise_exception=True)
def item_detail(request, item_pk):
    return _item_page(request, _item_for_user(request, item_pk))


@login_required
@require_POST
@permission_required("worklists.add_progress", raise_exception=True)
def progress_submit(request, item_pk):
    item = _item_for_user(request, item_pk)
    if not services.can_report(request.user, item):
        raise PermissionDenied("只有牵头单位、配合单位或计划制定单位可以报送进展。")
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.submit_progress(request.user, item, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "进展已报送。")
            return redirect("worklists:item_detail", item_pk=item.pk)
    return _item_page(request, item, progress_form=form)


@login_required
@require_POST
@permission_required("worklists.add_supervisionnotice", raise_exception=True)
def notice_issue(request, item_pk):
    item = _item_for_user(request, item_pk)
    _require_manage(request.user, item.plan, "worklists.add_supervisionnotice")
    form = NoticeForm(request.POST)
    if form.is_valid():
        try:
            notice = services.issue_notice(request.user, item, form.cleaned_data["reason"])
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已向{notice.unit.name}下发督办单，答复期限{notice.reply_due:%Y年%-m月%-d日}。")
            return redirect("worklists:item_detail", item_pk=item.pk)
    return _item_page(request, item, notice_form=form)


@login_required
@require_POST
@permission_required("worklists.change_supervisionnotice", raise_exception=True)
def notice_reply(request, notice_pk):
    notice = _notice_for_user(request, notice_pk)
    if notice.unit_id not in _user_units(request.user):
        raise PermissionDenied("只有被督办单位可以答复督办单。")
    form = ReplyForm(request.POST, prefix=f"notice{notice.pk}")
    if form.is_valid():
        try:
            services.answer_notice(request.user, notice, form.cleaned_data["reply"])
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "已答复督办单。")
            return redirect("worklists:item_detail", item_pk=notice.item_id)
    item = _item_for_user(request, notice.item_id)
    return _item_page(request, item, reply_forms={notice.pk: form})


@login_required
@permission_required("worklists.view_progress", raise_exception=True)
def attachment(request, progress_pk):
    reports = Progress.objects.filter(item__in=_visible_item_ids(request.user))
    report = get_object_or_404(reports, pk=progress_pk)
    if not report.attachment:
        raise Http404("该报送没有佐证材料")
    try:
        handle = report.attachment.open("rb")
    except FileNotFoundError:
        raise Http404("佐证材料文件已不存在") from None
    return FileResponse(handle, as_attachment=True, filename=PurePath(report.attachment.name).name)


# ---------------------------------------------------------------------------- my tasks and notices


@login_required
@permission_required("worklists.view_planitem", raise_exception=True)
def my_tasks(request):
    units = _user_units(request.user)
    items = (
        PlanItem.objects.visible_to(request.user)
        .filter(Q(lead_unit__in=units) | Q(supporting_units__in=units))
        .distinct()
        .select_related("plan__org", "lead_unit")
    )
    show, light = request.GET.get("show", ""), request.GET.get("light", "")
    if show != "all":
        items = items.filter(status=PlanItem.Status.ACTIVE)
    if light in Light.values:
        items = items.filter(light=light, status=PlanItem.Status.ACTIVE)
    items = _with_open_checkpoints(items.annotate(light_order=LIGHT_ORDER).order_by("light_order", "deadline", "pk"))
    page_obj = Paginator(items, 50).get_page(request.GET.get("page"))
    _mark_next_due(page_obj.object_list)
    for item in page_obj.object_list:
        item.is_lead = item.lead_unit_id in units
    notices = (
        SupervisionNotice.objects.filter(unit__in=units, item__in=_visible_item_ids(request.user))
        .exclude(status=SupervisionNotice.Status.ANSWERED)
        .select_related("item", "unit")
        .order_by("reply_due", "pk")
    )
    context = {
        "page_obj": page_obj,
        "notices": notices,
        "show": show,
        "light": light,
        "lights": Light.choices,
        "tab": "mine",
        "nav_active": "worklists",
    }
    return render(request, "worklists/my_tasks.html", context)


@login_required
@permission_required("worklists.view_supervisionnotice", raise_exception=True)
def notice_list(request):
    notices = SupervisionNotice.objects.filter(item__in=_visible_item_ids(request.user)).select_related(
        "item__plan__org", "unit"
    )
    status, query = request.GET.get("status", ""), request.GET.get("q", "").strip()
    if status in SupervisionNotice.Status.values:
        notices = notices.filter(status=status)
    if query:
        notices = notices.filter(Q(item__title__icontains=query) | Q(unit__name__icontains=query))
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(notices_workbook(notices[:20000]), "督办单.xlsx")
    counts = dict(
        SupervisionNotice.objects.filter(item__in=_visible_item_ids(request.user))
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    context = {
        "page_obj": Paginator(notices, 30).get_page(request.GET.get("page")),
        "statuses": [(value, label, counts.get(value, 0)) for value, label in SupervisionNotice.Status.choices],
        "status": status,
        "query": query,
        "tab": "notices",
        "nav_active": "worklists",
    }
    return render(request, "worklists/notice_list.html", context)

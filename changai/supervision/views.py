from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from changai.core.web import attach_errors as _attach_errors
from changai.core.web import xlsx_response as _xlsx_response
from changai.indicators.models import Pillar
from changai.worklists.models import Plan, PlanItem

from . import services
from .exports import (
    brands_workbook,
    meetings_workbook,
    rectifications_workbook,
    sample_workbook,
    spot_checks_workbook,
)
from .forms import (
    BrandForm,
    CompleteForm,
    CriterionForm,
    DecisionForm,
    DecisionToItemForm,
    EvaluationForm,
    FindingForm,
    MeetingForm,
    RectificationForm,
    SpotCheckForm,
)
from .models import Brand, BrandCriterion, BrandScore, Decision, Finding, Meeting, Rectification, SpotCheck
from .permissions import (
    can_complete_rectification,
    can_draw_sample,
    can_evaluate,
    can_manage_criteria,
    can_manage_meeting,
    can_order_rectification,
    can_promote,
    can_record_finding,
)

_NAV = "supervision"
PAGE_SIZE = 30
EXPORT_LIMIT = 50000
PICK_LIMIT = 30


# ---------------------------------------------------------------------------- access helpers


def _spot_check_for_user(request, spotcheck_pk) -> SpotCheck:
    spot_checks = SpotCheck.objects.visible_to(request.user).select_related("plan__org", "checker", "created_by")
    return get_object_or_404(spot_checks, pk=spotcheck_pk)


def _finding_for_user(request, finding_pk) -> Finding:
    in_scope = SpotCheck.objects.visible_to(request.user).values("pk")
    findings = Finding.objects.filter(spot_check__in=in_scope).select_related("spot_check__plan__org", "item__plan")
    return get_object_or_404(findings, pk=finding_pk)


def _rectification_for_user(request, rectification_pk) -> Rectification:
    rectifications = Rectification.objects.visible_to(request.user).select_related(
        "finding__spot_check__plan__org", "finding__item", "unit"
    )
    return get_object_or_404(rectifications, pk=rectification_pk)


def _brand_for_user(request, brand_pk) -> Brand:
    brands = Brand.objects.visible_to(request.user).select_related("item__plan__org", "item__lead_unit")
    return get_object_or_404(brands, pk=brand_pk)


def _meeting_for_user(request, meeting_pk) -> Meeting:
    return get_object_or_404(Meeting.objects.visible_to(request.user).select_related("org"), pk=meeting_pk)


def _decision_for_user(request, decision_pk) -> Decision:
    in_scope = Meeting.objects.visible_to(request.user).values("pk")
    decisions = Decision.objects.filter(meeting__in=in_scope).select_related("meeting__org", "lead_unit")
    return get_object_or_404(decisions, pk=decision_pk)


def _pk_param(request, name):
    value = request.GET.get(name) or request.POST.get(name)
    if not value:
        return None
    if not str(value).isdigit():
        raise Http404
    return int(value)


def _error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# ---------------------------------------------------------------------------- spot checks


@login_required
@permission_required("supervision.view_spotcheck", raise_exception=True)
def spotcheck_list(request):
    spot_checks = SpotCheck.objects.visible_to(request.user).select_related("plan__org", "checker")
    query, period = request.GET.get("q", "").strip(), request.GET.get("period", "").strip().upper()
    if query:
        spot_checks = spot_checks.filter(Q(plan__title__icontains=query) | Q(plan__org__name__icontains=query))
    if period:
        spot_checks = spot_checks.filter(period=period)
    spot_checks = spot_checks.annotate(
        sample_count=Count("sample_rows", distinct=True), finding_count=Count("findings", distinct=True)
    ).order_by("-period", "-created_at")
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(spot_checks_workbook(spot_checks[:EXPORT_LIMIT]), "季度抽查.xlsx")
    context = {"page_obj": _page(request, spot_checks), "query": query, "period": period, "tab": "spotchecks"}
    return render(request, "supervision/spotcheck_list.html", {**context, "nav_active": _NAV})


@login_required
@permission_required("supervision.add_spotcheck", raise_exception=True)
def spotcheck_create(request):
    plan_pk = _pk_param(request, "plan")
    if plan_pk is None:
        query = request.GET.get("q", "").strip()
        plans = Plan.objects.visible_to(request.user).select_related("org").order_by("-year", "org__path", "title")
        if query:
            plans = plans.filter(Q(title__icontains=query) | Q(org__name__icontains=query))
        choices = [(p.pk, str(p), p.org.name) for p in plans[:PICK_LIMIT] if can_draw_sample(request.user, p)]
        context = {"title": "季度抽查：选择工作计划", "query": query, "choices": choices, "param": "plan"}
        return render(request, "supervision/pick.html", {**context, "nav_active": _NAV})
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("org"), pk=plan_pk)
    if not can_draw_sample(request.user, plan):
        raise PermissionDenied("您无权抽查该工作计划。")
    form = SpotCheckForm(request.POST or None, user=request.user, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            spot_check = services.draw_sample(
                request.user, plan, data["period"], data["sample_pct"], data["checker"], seed=data["seed"]
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(
                request, f"已抽取{spot_check.sample_rows.count()}项任务，随机种子{spot_check.seed}已记录。"
            )
            return redirect("supervision:spotcheck_detail", spotcheck_pk=spot_check.pk)
    context = {
        "form": form,
        "title": f"季度抽查：{plan}",
        "subtitle": plan.org.name,
        "cancel_url": reverse("supervision:spotcheck_list"),
    }
    return render(request, "supervision/form.html", {**context, "nav_active": _NAV})


def _sample_rows(spot_check):
    rectifications = Prefetch("rectifications", queryset=Rectification.objects.select_related("unit"))
    findings = {}
    for finding in spot_check.findings.prefetch_related(rectifications).order_by("recorded_at", "pk"):
        findings.setdefault(finding.item_id, []).append(finding)
    rows = spot_check.sample_rows.select_related("item__lead_unit").order_by("position")
    return [(row.position, row.item, findings.get(row.item_id, [])) for row in rows]


@login_required
@permission_required("supervision.view_spotcheck", raise_exception=True)
def spotcheck_detail(request, spotcheck_pk):
    spot_check = _spot_check_for_user(request, spotcheck_pk)
    rows = _sample_rows(spot_check)
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(sample_workbook(spot_check, rows), f"{spot_check.period}季度抽查.xlsx")
    reproduced = [item.pk for item in services.reproduce_sample(spot_check)]
    can_rectify = can_order_rectification(request.user, spot_check)
    context = {
        "spot_check": spot_check,
        "rows": rows,
        "reproducible": reproduced == [item.pk for _, item, _ in rows],
        "finding_form": FindingForm(spot_check=spot_check) if can_record_finding(request.user, spot_check) else None,
        "can_rectify": can_rectify,
        "today": services.today(),
        "nav_active": _NAV,
        "tab": "spotchecks",
    }
    return render(request, "supervision/spotcheck_detail.html", context)


@login_required
@permission_required("supervision.add_finding", raise_exception=True)
@require_POST
def finding_add(request, spotcheck_pk):
    spot_check = _spot_check_for_user(request, spotcheck_pk)
    form = FindingForm(request.POST, spot_check=spot_check)
    if not form.is_valid():
        messages.error(request, "请选择抽中的任务并填写发现的问题。")
        return redirect("supervision:spotcheck_detail", spotcheck_pk=spot_check.pk)
    data = form.cleaned_data
    try:
        services.record_finding(request.user, spot_check, data["item"], data["text"], data["severity"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "已记录发现的问题。")
    return redirect("supervision:spotcheck_detail", spotcheck_pk=spot_check.pk)


@login_required
@permission_required("supervision.add_rectification", raise_exception=True)
def rectification_order(request, finding_pk):
    finding = _finding_for_user(request, finding_pk)
    if not can_order_rectification(request.user, finding.spot_check):
        raise PermissionDenied("您无权对该问题下达整改。")
    form = RectificationForm(request.POST or None, finding=finding, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_rectification(request.user, finding, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "已下达整改，并通知责任单位。")
            return redirect("supervision:spotcheck_detail", spotcheck_pk=finding.spot_check_id)
    context = {
        "form": form,
        "title": "下达整改",
        "subtitle": f"{finding.item.number} {finding.item.title}：{finding.text[:60]}",
        "cancel_url": reverse("supervision:spotcheck_detail", kwargs={"spotcheck_pk": finding.spot_check_id}),
    }
    return render(request, "supervision/form.html", {**context, "nav_active": _NAV})


@login_required
@permission_required("supervision.view_rectification", raise_exception=True)
def rectification_list(request):
    rectifications = Rectification.objects.visible_to(request.user).select_related(
        "finding__spot_check__plan__org", "finding__item", "unit"
    )
    status, overdue = request.GET.get("status", ""), request.GET.get("overdue") == "1"
    if status in Rectification.Status.values:
        rectifications = rectifications.filter(status=status)
    if overdue:
        rectifications = services.overdue_rectifications(rectifications)
    rectifications = rectifications.order_by("status", "deadline", "pk")
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(rectifications_workbook(rectifications[:EXPORT_LIMIT]), "整改台账.xlsx")
    page_obj = _page(request, rectifications)
    for rectification in page_obj.object_list:
        rectification.can_complete = rectification.status == "open" and can_complete_rectification(
            request.user, rectification
        )
    context = {
        "page_obj": page_obj,
        "status": status,
        "overdue": overdue,
        "statuses": Rectification.Status.choices,
        "overdue_count": services.overdue_rectifications(Rectification.objects.visible_to(request.user)).count(),
        "today": services.today(),
        "complete_form": CompleteForm(),
        "nav_active": _NAV,
        "tab": "rectifications",
    }
    return render(request, "supervision/rectification_list.html", context)


@login_required
@permission_required("supervision.change_rectification", raise_exception=True)
@require_POST
def rectification_complete(request, rectification_pk):
    rectification = _rectification_for_user(request, rectification_pk)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写整改情况。")
    else:
        try:
            services.complete_rectification(request.user, rectification, form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"已报告“{rectification.task}”整改完成。")
    return redirect("supervision:rectification_list")


# ---------------------------------------------------------------------------- brands


@login_required
@permission_required("supervision.view_brand", raise_exception=True)
def brand_list(request):
    brands = Brand.objects.visible_to(request.user).select_related("item__plan__org", "item__lead_unit")
    query = request.GET.get("q", "").strip()
    if query:
        brands = brands.filter(Q(name__icontains=query) | Q(item__title__icontains=query))
    brands = services.ranked(brands)
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(brands_workbook(brands[:EXPORT_LIMIT]), "产改品牌排名.xlsx")
    context = {"page_obj": _page(request, brands), "query": query, "nav_active": _NAV, "tab": "brands"}
    return render(request, "supervision/brand_list.html", context)


@login_required
@permission_required("supervision.add_brand", raise_exception=True)
def brand_create(request):
    item_pk = _pk_param(request, "item")
    items = PlanItem.objects.visible_to(request.user).select_related("plan__org", "lead_unit")
    if item_pk is None:
        query = request.GET.get("q", "").strip()
        candidates = items.filter(brand__isnull=True, plan__in=Plan.objects.visible_to(request.user)).exclude(
            status=PlanItem.Status.CANCELLED
        )
        if query:
            candidates = candidates.filter(title__icontains=query)
        candidates = candidates.order_by("-plan__year", "plan", "number", "pk")[:PICK_LIMIT]
        choices = [(i.pk, f"{i.number} {i.title}", f"{i.plan} · {i.plan.org.name}") for i in candidates]
        context = {"title": "命名品牌：选择任务", "query": query, "choices": choices, "param": "item"}
        return render(request, "supervision/pick.html", {**context, "nav_active": _NAV})
    item = get_object_or_404(items, pk=item_pk)
    if not can_promote(request.user, item):
        raise PermissionDenied("您无权将该任务升级为品牌。")
    form = BrandForm(request.POST or None, initial={"name": item.title[:100]})
    if request.method == "POST" and form.is_valid():
        try:
            brand = services.promote_to_brand(request.user, item, form.cleaned_data["name"])
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已将任务升级为品牌“{brand.name}”。")
            return redirect("supervision:brand_detail", brand_pk=brand.pk)
    context = {
        "form": form,
        "title": "升级为品牌",
        "subtitle": f"{item.number} {item.title}",
        "cancel_url": reverse("supervision:brand_list"),
    }
    return render(request, "supervision/form.html", {**context, "nav_active": _NAV})


@login_required
@permission_required("supervision.view_brand", raise_exception=True)
def brand_detail(request, brand_pk):
    brand = _brand_for_user(request, brand_pk)
    scores = Prefetch("scores", queryset=BrandScore.objects.select_related("criterion"))
    evaluations = brand.evaluations.select_related("evaluator").prefetch_related(scores)
    context = {
        "brand": brand,
        "evaluations": evaluations,
        "can_evaluate": can_evaluate(request.user, brand),
        "nav_active": _NAV,
        "tab": "brands",
    }
    return render(request, "supervision/brand_detail.html", context)


@login_required
@permission_required("supervision.add_brandevaluation", raise_exception=True)
def brand_evaluate(request, brand_pk):
    brand = _brand_for_user(request, brand_pk)
    if not can_evaluate(request.user, brand):
        raise PermissionDenied("您无权评价该品牌。")
    criteria = BrandCriterion.objects.filter(is_active=True)
    form = EvaluationForm(request.POST or None, criteria=criteria, initial={"date": services.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation = services.evaluate_brand(request.user, brand, form.scores(), data["comment"], on=data["date"])
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已保存评价：{services.fmt(evaluation.total)}分。")
            return redirect("supervision:brand_detail", brand_pk=brand.pk)
    context = {"brand": brand, "form": form, "nav_active": _NAV, "tab": "brands"}
    return render(request, "supervision/brand_evaluate.html", context)


@login_required
@permission_required("supervision.view_brandcriterion", raise_exception=True)
def criterion_list(request):
    form = CriterionForm(request.POST or None)
    if request.method == "POST":
        if not can_manage_criteria(request.user):
            raise PermissionDenied("您无权维护品牌评价标准。")
        if form.is_valid():
            try:
                services.save_criterion(request.user, form.instance)
            except ValidationError as exc:
                _attach_errors(form, exc)
            else:
                messages.success(request, f"已新增评价标准“{form.instance.name}”。")
                return redirect("supervision:criterion_list")
    criteria = BrandCriterion.objects.all()
    active = [c for c in criteria if c.is_active]
    context = {
        "criteria": criteria,
        "form": form,
        "can_manage": can_manage_criteria(request.user),
        "active_points": sum(c.points for c in active),
        "active_count": len(active),
        "nav_active": _NAV,
        "tab": "criteria",
    }
    return render(request, "supervision/criterion_list.html", context)


@login_required
@permission_required("supervision.change_brandcriterion", raise_exception=True)
def criterion_edit(request, criterion_pk):
    criterion = get_object_or_404(BrandCriterion, pk=criterion_pk)
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_criterion(request.user, form.instance)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("supervision:criterion_list")
    context = {
        "form": form,
        "title": f"编辑评价标准“{criterion.name}”",
        "cancel_url": reverse("supervision:criterion_list"),
    }
    return render(request, "supervision/form.html", {**context, "nav_active": _NAV})


# ---------------------------------------------------------------------------- meetings


@login_required
@permission_required("supervision.view_meeting", raise_exception=True)
def meeting_list(request):
    meetings = Meeting.objects.visible_to(request.user).select_related("org")
    query, kind = request.GET.get("q", "").strip(), request.GET.get("kind", "")
    if query:
        meetings = meetings.filter(Q(title__icontains=query) | Q(org__name__icontains=query))
    if kind in Meeting.Kind.values:
        meetings = meetings.filter(kind=kind)
    meetings = meetings.annotate(
        attendee_count=Count("attendees", distinct=True),
        decision_count=Count("decisions", distinct=True),
        item_count=Count("decisions__items", distinct=True),
    ).order_by("-date", "-pk")
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(meetings_workbook(meetings[:EXPORT_LIMIT]), "联席会议.xlsx")
    context = {
        "page_obj": _page(request, meetings),
        "query": query,
        "kind": kind,
        "kinds": Meeting.Kind.choices,
        "nav_active": _NAV,
        "tab": "meetings",
    }
    return render(request, "supervision/meeting_list.html", context)


@login_required
@permission_required("supervision.add_meeting", raise_exception=True)
def meeting_create(request):
    form = MeetingForm(request.POST or None, user=request.user, initial={"date": services.today()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            meeting = services.create_meeting(request.user, data.pop("org"), **data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已登记“{meeting.title}”。")
            return redirect("supervision:meeting_detail", meeting_pk=meeting.pk)
    context = {"form": form, "title": "登记会议", "cancel_url": reverse("supervision:meeting_list")}
    return render(request, "supervision/form.html", {**context, "nav_active": _NAV})


@login_required
@permission_required("supervision.view_meeting", raise_exception=True)
def meeting_detail(request, meeting_pk):
    meeting = _meeting_for_user(request, meeting_pk)
    can_manage = can_manage_meeting(request.user, meeting)
    items = Prefetch("items", queryset=PlanItem.objects.select_related("plan"))
    decisions = meeting.decisions.select_related("lead_unit").prefetch_related(items)
    context = {
        "meeting": meeting,
        "attendees": meeting.attendees.order_by("path"),
        "decisions": decisions,
        "can_manage": can_manage,
        "decision_form": DecisionForm(meeting=meeting) if can_manage else None,
        "convert_plans": list(DecisionToItemForm(user=request.user, meeting=meeting).fields["plan"].queryset)
        if can_manage
        else [],
        "pillars": Pillar.choices,
        "nav_active": _NAV,
        "tab": "meetings",
    }
    return render(request, "supervision/meeting_detail.html", context)


@login_required
@permission_required("supervision.add_decision", raise_exception=True)
@require_POST
def decision_add(request, meeting_pk):
    meeting = _meeting_for_user(request, meeting_pk)
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied("您无权修改该会议。")
    form = DecisionForm(request.POST, meeting=meeting)
    if not form.is_valid():
        messages.error(request, "请填写议定事项并选择牵头单位。")
    else:
        try:
            services.add_decision(request.user, meeting, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "已添加议定事项。")
    return redirect("supervision:meeting_detail", meeting_pk=meeting.pk)


@login_required
@permission_required("worklists.add_planitem", raise_exception=True)
@require_POST
def decision_to_item(request, decision_pk):
    decision = _decision_for_user(request, decision_pk)
    meeting = decision.meeting
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied("您无权处理该会议的议定事项。")
    form = DecisionToItemForm(request.POST, user=request.user, meeting=meeting)
    if not form.is_valid():
        messages.error(request, "请选择要转入的工作计划。")
    else:
        data = form.cleaned_data
        try:
            item = services.decision_to_items(request.user, decision, data["plan"], pillar=data["pillar"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"已转为“{data['plan']}”第{item.number}项任务。")
    return redirect("supervision:meeting_detail", meeting_pk=meeting.pk)

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, Q, When
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from changai.accounts.signals import client_ip
from changai.core.web import attach_errors as _attach_errors
from changai.core.web import xlsx_response as _xlsx_response
from changai.orgs.models import Kind, Org

from . import services
from .exports import demands_workbook, ledger_workbook
from .forms import (
    AnswerForm,
    CallbackForm,
    CategoryForm,
    ExtensionForm,
    ImplementedForm,
    PhoneForm,
    PlanForm,
    RaiseForm,
    RateForm,
    ReturnForm,
    RouteForm,
)
from .models import Assignment, Callback, Category, Demand, DemandBox, DemandFile

try:  # the QR code is drawn when segno is installed; otherwise the box page shows the link only
    import segno
except ImportError:  # pragma: no cover
    segno = None

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Status = Demand.Status
PHONE_PER_IP_PER_HOUR = 5
PHONE_PER_BOX_PER_DAY = 50
PHONE_SESSION_KEY = "demands_phone_number"
# Filters of the list that the ledger's figures link to: which assignments of a unit count.
STAGES = [
    ("answered", "已答复"),
    ("on_time", "按时答复"),
    ("overdue", "逾期未答复"),
    ("implemented", "已落实"),
    ("rated", "已评价"),
]
# Which card of the detail page shows each form (see `can` in _detail_page).
FORM_CARDS = {
    "route_form": ("route",),
    "extension_form": ("extension",),
    "return_form": ("return",),
    "answer_form": ("answer",),
    "plan_form": ("plan",),
    "implemented_form": ("implemented",),
    "rate_form": ("rate", "office_rate"),
    "callback_form": ("callback",),
}


# ---------------------------------------------------------------------------- helpers


def _demand_for_user(request, demand_pk) -> Demand:
    demands = Demand.objects.visible_to(request.user).select_related("org", "category", "raised_by", "merged_into")
    return get_object_or_404(demands, pk=demand_pk)


def _user_units(user) -> set[int]:
    return {m.org_id for m in user.active_memberships()}


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _date_param(request, name: str) -> date | None:
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


def _due_on():
    """Assignment.due in SQL: the approved extension if there is one."""
    return Case(
        When(extension_approved=True, extension_until__isnull=False, then=F("extension_until")),
        default=F("answer_due"),
    )


def _live_assignments():
    return Assignment.objects.exclude(status=Assignment.Status.RETURNED).annotate(due_on=_due_on())


def _with_stage(demands, unit: int | None, stage: str, on: date):
    """Demands behind a figure of the ledger: a unit's live assignments at a stage (as services.ledger counts)."""
    if not unit and not stage:
        return demands
    assignments = _live_assignments()
    if unit:
        assignments = assignments.filter(unit_id=unit)
    if stage == "answered":
        assignments = assignments.filter(answered_at__isnull=False)
    elif stage == "on_time":
        assignments = assignments.filter(answered_at__isnull=False, answered_at__date__lte=F("due_on"))
    elif stage == "overdue":
        assignments = assignments.filter(answered_at__isnull=True, due_on__lt=on)
    elif stage == "implemented":
        assignments = assignments.filter(
            role=Assignment.Role.LEAD, demand__status__in=[Status.IMPLEMENTED, Status.CLOSED]
        )
    elif stage == "rated":
        assignments = assignments.filter(role=Assignment.Role.LEAD).exclude(demand__rating="")
    return demands.filter(pk__in=assignments.values("demand_id"))


def _is_office(user) -> bool:
    return user.has_perm("demands.change_demand")


# ---------------------------------------------------------------------------- list and raising


@login_required
@permission_required("demands.view_demand", raise_exception=True)
def demand_list(request):
    user = request.user
    visible = Demand.objects.visible_to(user)
    demands = visible.select_related("org", "category")
    tab = request.GET.get("tab", "")
    if tab == "triage" and _is_office(user):
        demands = demands.filter(status=Status.NEW)
    elif tab == "mine":
        mine = Assignment.objects.filter(unit__in=_user_units(user)).exclude(status=Assignment.Status.RETURNED)
        demands = demands.filter(pk__in=mine.values("demand_id"))
    else:
        tab = ""
    status, category = request.GET.get("status", ""), _int_param(request, "category")
    unit, stage = _int_param(request, "unit"), request.GET.get("stage", "")
    if request.GET.get("overdue") == "1":
        stage = "overdue"
    stage = stage if stage in dict(STAGES) else ""
    start, end, query = _date_param(request, "from"), _date_param(request, "to"), request.GET.get("q", "").strip()
    if status in Status.values:
        demands = demands.filter(status=status)
    if category:
        demands = demands.filter(category_id=category)
    demands = _with_stage(demands, unit, stage, services.today())
    if start:
        demands = demands.filter(created_at__date__gte=start)
    if end:
        demands = demands.filter(created_at__date__lte=end)
    if query:
        demands = demands.filter(Q(title__icontains=query) | Q(number__icontains=query) | Q(org__name__icontains=query))
    if request.GET.get("export") == "xlsx":
        rows = demands.prefetch_related("assignments__unit")[:20000]
        return _xlsx_response(demands_workbook(rows), f"诉求清单_{services.today():%Y%m%d}.xlsx")
    page_obj = Paginator(demands, 30).get_page(request.GET.get("page"))
    leads = Assignment.objects.filter(demand__in=[d.pk for d in page_obj.object_list], role=Assignment.Role.LEAD)
    lead_of = {a.demand_id: a for a in leads.exclude(status=Assignment.Status.RETURNED).select_related("unit")}
    today = services.today()
    for demand in page_obj.object_list:
        demand.lead = lead_of.get(demand.pk)
        demand.late = bool(
            demand.lead
            and demand.lead.answered_at is None
            and demand.status == Status.ROUTED
            and today > demand.lead.due
        )
    filters = {
        "status": status,
        "category": category or "",
        "unit": unit or "",
        "stage": stage,
        "from": start.isoformat() if start else "",
        "to": end.isoformat() if end else "",
        "q": query,
    }
    context = {
        "page_obj": page_obj,
        "tab": tab,
        "filters": filters,
        "filtered": any(filters.values()),
        "export_query": urlencode({**{k: v for k, v in filters.items() if v}, "tab": tab, "export": "xlsx"}),
        "statuses": Status.choices,
        "categories": Category.objects.all(),
        "units": Org.objects.filter(pk__in=Assignment.objects.filter(demand__in=visible).values("unit_id")).order_by(
            "path"
        ),
        "stages": STAGES,
        "triage_count": visible.filter(status=Status.NEW).count() if _is_office(user) else 0,
        "nav_active": "demands",
    }
    return render(request, "demands/demand_list.html", context)


@login_required
@permission_required("demands.add_demand", raise_exception=True)
def demand_create(request):
    initial = {"org": _int_param(request, "org")} if _int_param(request, "org") else {}
    form = RaiseForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            demand = services.raise_demand(request.user, data.pop("org"), channel=Demand.Channel.WEB, **data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"诉求已提交，编号{demand.number}。产改办分办后您会收到通知。")
            return redirect("demands:detail", demand_pk=demand.pk)
    return render(request, "demands/demand_form.html", {"form": form, "nav_active": "demands"})


# ---------------------------------------------------------------------------- detail


def _pending_extension(demand: Demand) -> Assignment | None:
    return (
        demand.assignments.filter(extension_until__isnull=False, extension_approved__isnull=True)
        .select_related("unit")
        .first()
    )


def _detail_page(request, demand: Demand, status=200, **forms):
    user = request.user
    today = services.today()
    office = services.is_office_for(user, demand)
    mine = services.assignment_for(user, demand) if user.has_perm("demands.change_assignment") else None
    raiser = demand.raised_by_id is not None and demand.raised_by_id == user.pk
    assignments = list(demand.assignments.select_related("unit", "answered_by"))
    for assignment in assignments:
        assignment.late = assignment.answered_at is None and assignment.status != "returned" and today > assignment.due
        assignment.mine = mine is not None and assignment.pk == mine.pk
    similar = []
    if office and demand.status in services.OPEN_STATUSES:
        similar = [
            (other, score)
            for other, score in services.similar_open_demands(demand)
            if services.is_office_for(user, other)
        ]
    live = mine is not None and mine.status in (Assignment.Status.PENDING, Assignment.Status.ACKNOWLEDGED)
    is_lead = mine is not None and mine.role == Assignment.Role.LEAD
    reported = demand.implementation_reported_at is not None
    can = {
        "route": office and demand.status == Status.NEW,
        "merge": office and demand.status in services.OPEN_STATUSES and bool(similar),
        "decide": office and _pending_extension(demand),
        "office_confirm": office and demand.status == Status.IMPLEMENTING and reported and not raiser,
        "office_rate": office and demand.status == Status.IMPLEMENTED and demand.raised_by_id is None,
        "reopen": office
        and demand.status == Status.CLOSED
        and demand.rating == Demand.Rating.UNSATISFIED
        and demand.reopen_count < 1,
        "callback": office and demand.status == Status.CLOSED and user.has_perm("demands.add_callback"),
        "acknowledge": mine is not None and mine.status == Assignment.Status.PENDING,
        "extension": live
        and not demand.assignments.exclude(extension_until=None).exists()
        and today <= mine.answer_due,
        "return": live,
        "answer": live,
        "plan": is_lead and demand.status == Status.ANSWERED,
        "implemented": is_lead and demand.status == Status.IMPLEMENTING and not reported,
        "confirm": raiser and demand.status == Status.IMPLEMENTING and reported,
        "rate": raiser and demand.status == Status.IMPLEMENTED,
    }
    for name, form in forms.items():
        if form.errors and not any(can[key] for key in FORM_CARDS[name]):
            # The step is no longer open (e.g. a second extension): say why, as there is no form to show it on.
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    context = {
        "demand": demand,
        "events": demand.events.select_related("actor", "unit"),
        "assignments": assignments,
        "callbacks": demand.callbacks.select_related("visited_by"),
        "merged": demand.merged.all(),
        "show_contact": services.can_see_contact(user, demand),
        "office": office,
        "mine": mine,
        "raiser": raiser,
        "similar": similar,
        "can": can,
        "route_form": forms.get("route_form") or (RouteForm(user=user, demand=demand) if can["route"] else None),
        "extension_form": forms.get("extension_form") or ExtensionForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "plan_form": forms.get("plan_form") or PlanForm(),
        "implemented_form": forms.get("implemented_form") or ImplementedForm(),
        "rate_form": forms.get("rate_form") or RateForm(),
        "callback_form": forms.get("callback_form") or CallbackForm(),
        "today": today,
        "nav_active": "demands",
    }
    return render(request, "demands/demand_detail.html", context, status=status)


@login_required
@permission_required("demands.view_demand", raise_exception=True)
def demand_detail(request, demand_pk):
    return _detail_page(request, _demand_for_user(request, demand_pk))


def _done(request, demand, call, success: str, form=None, form_name: str = ""):
    """Run a service call; on a rule broken, show the form again with the reason, or the reason as a message."""
    try:
        call()
    except ValidationError as exc:
        if form is not None:
            _attach_errors(form, exc)
            demand.refresh_from_db()
            return _detail_page(request, demand, **{form_name: form})
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("demands:detail", demand_pk=demand.pk)


def _form_action(request, demand, form_class, form_name, call, success, form_kwargs=None):
    form = form_class(request.POST, request.FILES, **(form_kwargs or {}))
    if not form.is_valid():
        return _detail_page(request, demand, **{form_name: form})
    return _done(request, demand, lambda: call(form.cleaned_data), success, form, form_name)


def _my_assignment(request, demand) -> Assignment:
    assignment = services.assignment_for(request.user, demand)
    if assignment is None:
        raise PermissionDenied("只有承办单位可以办理。")
    return assignment


# ---------------------------------------------------------------------------- office actions


@login_required
@require_POST
@permission_required("demands.change_demand", raise_exception=True)
def demand_merge(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    into_pk = request.POST.get("into", "")
    into = get_object_or_404(Demand.objects.visible_to(request.user), pk=int(into_pk) if into_pk.isdigit() else 0)
    try:
        services.merge(request.user, demand, into)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("demands:detail", demand_pk=demand.pk)
    messages.success(request, f"已将{demand.number}并入{into.number}一并办理，其提出人会收到办理结果。")
    return redirect("demands:detail", demand_pk=into.pk)


@login_required
@require_POST
@permission_required("demands.change_demand", raise_exception=True)
def demand_route(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    return _form_action(
        request,
        demand,
        RouteForm,
        "route_form",
        lambda data: services.route(request.user, demand, data["lead"], data["co_units"]),
        "已分办，承办单位会收到通知。",
        {"user": request.user, "demand": demand},
    )


@login_required
@require_POST
@permission_required("demands.change_demand", raise_exception=True)
def extension_decide(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    assignment = _pending_extension(demand)
    if assignment is None:
        messages.error(request, "没有待审批的延期申请。")
        return redirect("demands:detail", demand_pk=demand.pk)
    approve = request.POST.get("approve") == "1"
    return _done(
        request,
        demand,
        lambda: services.decide_extension(request.user, assignment, approve),
        "已批准延期。" if approve else "已不批准延期，仍按原期限答复。",
    )


@login_required
@require_POST
@permission_required("demands.change_demand", raise_exception=True)
def demand_reopen(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    return _done(request, demand, lambda: services.reopen(request.user, demand), "已交主办单位重新办理。")


@login_required
@require_POST
@permission_required("demands.add_callback", raise_exception=True)
def demand_callback(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    return _form_action(
        request,
        demand,
        CallbackForm,
        "callback_form",
        lambda data: services.record_callback(request.user, demand, **data),
        "已记录回访。",
    )


# ---------------------------------------------------------------------------- unit actions


@login_required
@require_POST
@permission_required("demands.change_assignment", raise_exception=True)
def assignment_acknowledge(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    assignment = _my_assignment(request, demand)
    return _done(
        request,
        demand,
        lambda: services.acknowledge(request.user, assignment),
        f"已签收，请于{assignment.due:%Y年%-m月%-d日}前答复。",
    )


@login_required
@require_POST
@permission_required("demands.change_assignment", raise_exception=True)
def assignment_extension(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    assignment = _my_assignment(request, demand)
    return _form_action(
        request,
        demand,
        ExtensionForm,
        "extension_form",
        lambda data: services.request_extension(request.user, assignment, data["until"], data["reason"]),
        "已申请延期，等待产改办审批。",
    )


@login_required
@require_POST
@permission_required("demands.change_assignment", raise_exception=True)
def assignment_return(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    assignment = _my_assignment(request, demand)
    return _form_action(
        request,
        demand,
        ReturnForm,
        "return_form",
        lambda data: services.return_assignment(request.user, assignment, data["reason"]),
        "已退回产改办重新分办。",
    )


@login_required
@require_POST
@permission_required("demands.change_assignment", raise_exception=True)
def assignment_answer(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    assignment = _my_assignment(request, demand)
    return _form_action(
        request,
        demand,
        AnswerForm,
        "answer_form",
        lambda data: services.answer(request.user, assignment, data["text"], data["policy_basis"], data["files"]),
        "已答复。",
    )


@login_required
@require_POST
@permission_required("demands.change_assignment", raise_exception=True)
def demand_plan(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    return _form_action(
        request,
        demand,
        PlanForm,
        "plan_form",
        lambda data: services.commit_plan(request.user, demand, data["plan_text"], data["plan_date"]),
        "已提交落实计划。",
    )


@login_required
@require_POST
@permission_required("demands.change_assignment", raise_exception=True)
def demand_implemented(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    return _form_action(
        request,
        demand,
        ImplementedForm,
        "implemented_form",
        lambda data: services.report_implemented(request.user, demand, data["note"]),
        "已报告落实情况，等待提出人确认。",
    )


# ---------------------------------------------------------------------------- raiser actions (or the office for them)


@login_required
@require_POST
@permission_required("demands.view_demand", raise_exception=True)
def demand_confirm(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    by_office = demand.raised_by_id != request.user.pk
    return _done(
        request,
        demand,
        lambda: services.confirm_implemented(request.user, demand, by_office=by_office),
        "已确认落实，请对办理结果作出评价。" if not by_office else "已代提出人确认落实。",
    )


@login_required
@require_POST
@permission_required("demands.view_demand", raise_exception=True)
def demand_rate(request, demand_pk):
    demand = _demand_for_user(request, demand_pk)
    on_behalf = demand.raised_by_id != request.user.pk
    return _form_action(
        request,
        demand,
        RateForm,
        "rate_form",
        lambda data: services.rate(request.user, demand, data["rating"], data["comment"], on_behalf=on_behalf),
        "感谢您的评价，该诉求已办结。" if not on_behalf else "已代为记录评价，该诉求已办结。",
    )


# ---------------------------------------------------------------------------- the ledger


@login_required
@permission_required("demands.change_demand", raise_exception=True)
def ledger(request):
    today = services.today()
    start = _date_param(request, "from") or date(today.year, 1, 1)
    end = _date_param(request, "to") or today
    demands = Demand.objects.visible_to(request.user).filter(created_at__date__range=(start, end))
    rows = services.ledger(demands, on=today)
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(ledger_workbook(rows, start, end), f"诉求办理台账_{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
    base = {"from": start.isoformat(), "to": end.isoformat()}
    list_url = reverse("demands:list")
    for row in rows:
        row.links = {"received": f"{list_url}?{urlencode({**base, 'unit': row.unit.pk})}"}
        row.links.update(
            {stage: f"{list_url}?{urlencode({**base, 'unit': row.unit.pk, 'stage': stage})}" for stage in dict(STAGES)}
        )
    context = {
        "rows": rows,
        "start": start,
        "end": end,
        "export_query": urlencode({**base, "export": "xlsx"}),
        "tab": "ledger",
        "nav_active": "demands",
    }
    return render(request, "demands/ledger.html", context)


# ---------------------------------------------------------------------------- the QR-code box of an enterprise


@login_required
@permission_required("demands.add_demand", raise_exception=True)
def box_index(request):
    enterprises = Org.objects.visible_to(request.user).filter(kind=Kind.ENTERPRISE, is_active=True)
    query = request.GET.get("q", "").strip()
    if not query:
        first_two = list(enterprises[:2])
        if len(first_two) == 1:
            return redirect("demands:box", org_pk=first_two[0].pk)
    enterprises = enterprises.search(query)
    context = {
        "page_obj": Paginator(enterprises, 30).get_page(request.GET.get("page")),
        "query": query,
        "tab": "box",
        "nav_active": "demands",
    }
    return render(request, "demands/box_index.html", context)


@login_required
@permission_required("demands.add_demand", raise_exception=True)
def box(request, org_pk):
    enterprises = Org.objects.visible_to(request.user).filter(kind=Kind.ENTERPRISE, is_active=True)
    org = get_object_or_404(enterprises, pk=org_pk)
    demand_box, _ = DemandBox.objects.get_or_create(org=org)
    if request.method == "POST":
        demand_box.token = DemandBox._meta.get_field("token").default()
        demand_box.save(update_fields=["token"])
        messages.success(request, "已更换链接和二维码，原来的链接和二维码已失效，请重新张贴。")
        return redirect("demands:box", org_pk=org.pk)
    link = request.build_absolute_uri(reverse("demands:phone", kwargs={"token": demand_box.token}))
    qr = segno.make(link, error="m") if segno else None
    if qr is not None and request.GET.get("download") == "svg":
        response = HttpResponse(qr.svg_inline(scale=10, border=4), content_type="image/svg+xml")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(org.name + '_扫码提诉求.svg')}"
        return response
    context = {
        "org": org,
        "box": demand_box,
        "link": link,
        "qr_svg": qr.svg_inline(scale=6, border=2) if qr else "",
        "nav_active": "demands",
    }
    return render(request, "demands/box.html", context)


# ---------------------------------------------------------------------------- the public phone page


def _phone_box(token) -> DemandBox:
    boxes = DemandBox.objects.select_related("org").filter(org__is_active=True)
    return get_object_or_404(boxes, token=token)


def _throttle_keys(request, demand_box: DemandBox):
    now = timezone.localtime()
    ip = (client_ip(request) or "unknown").replace(" ", "")[:64]
    return [
        (f"demands:phone:ip:{ip}:{now:%Y%m%d%H}", PHONE_PER_IP_PER_HOUR, 3600),
        (f"demands:phone:box:{demand_box.pk}:{now:%Y%m%d}", PHONE_PER_BOX_PER_DAY, 86400),
    ]


def _throttled(keys) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit, _ in keys)


def _count(keys) -> None:
    for key, _, timeout in keys:
        cache.add(key, 0, timeout)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout)


def phone(request, token):
    """A worker raises a demand from the enterprise's QR code, without an account."""
    demand_box = _phone_box(token)
    keys = _throttle_keys(request, demand_box)
    if _throttled(keys):
        context = {"org": demand_box.org, "per_ip": PHONE_PER_IP_PER_HOUR, "per_box": PHONE_PER_BOX_PER_DAY}
        return render(request, "demands/phone_throttled.html", context, status=429)
    form = PhoneForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.raise_demand(None, demand_box.org, channel=Demand.Channel.PHONE, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            _count(keys)
            request.session[PHONE_SESSION_KEY] = demand.number
            request.session[PHONE_SESSION_KEY + "_follow"] = demand.follow_token
            return redirect("demands:phone_thanks", token=demand_box.token)
    return render(request, "demands/phone.html", {"form": form, "org": demand_box.org})


def phone_thanks(request, token):
    demand_box = _phone_box(token)
    number = request.session.get(PHONE_SESSION_KEY)
    if not number:
        return redirect("demands:phone", token=demand_box.token)
    follow = request.session.get(PHONE_SESSION_KEY + "_follow")
    context = {"org": demand_box.org, "number": number, "box": demand_box, "follow_token": follow}
    return render(request, "demands/phone_thanks.html", context)


def follow(request, follow_token):
    """A worker's private page: the demand's public timeline, and confirming and rating when it is time."""
    demand = get_object_or_404(
        Demand.objects.exclude(follow_token=None).select_related("org"), follow_token=follow_token
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "confirm":
                services.confirm_implemented(None, demand, via_link=True)
                messages.success(request, "感谢确认，请对办理结果进行评价。")
            else:
                services.rate(
                    None, demand, request.POST.get("rating", ""), request.POST.get("comment", ""), via_link=True
                )
                messages.success(request, "感谢您的评价，该诉求已办结。")
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        return redirect("demands:follow", follow_token=follow_token)
    events = demand.events.select_related("unit").order_by("at", "pk")
    context = {"demand": demand, "events": events, "ratings": Demand.Rating.choices}
    return render(request, "demands/follow.html", context)


@login_required
@permission_required("demands.view_category", raise_exception=True)
def category_list(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("demands.add_category"):
            raise PermissionDenied("您无权维护诉求类别。")
        if form.is_valid():
            form.save()
            messages.success(request, f"已新增类别“{form.instance.name}”。")
            return redirect("demands:categories")
    context = {"categories": Category.objects.all(), "form": form, "nav_active": "demands", "tab": "categories"}
    return render(request, "demands/categories.html", context)


@login_required
@permission_required("demands.change_category", raise_exception=True)
def category_edit(request, category_pk):
    category = get_object_or_404(Category, pk=category_pk)
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "已保存；新的时限对之后分办的诉求生效。")
        return redirect("demands:categories")
    return render(request, "demands/category_form.html", {"form": form, "category": category, "nav_active": "demands"})


@login_required
def demand_file(request, demand_pk, demandfile_pk):
    """Serve an attachment only to those who may see the demand."""
    demand = _demand_for_user(request, demand_pk)
    attachment = get_object_or_404(DemandFile, pk=demandfile_pk, demand=demand)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@login_required
@permission_required("demands.add_callback", raise_exception=True)
def callbacks(request):
    """The month's reproducible sample of closed demands for return visits (回访), and which were visited."""
    today = services.today()
    month = request.GET.get("month") or f"{today:%Y-%m}"
    try:
        year, number = (int(part) for part in month.split("-"))
        start = date(year, number, 1)
    except ValueError:
        start = date(today.year, today.month, 1)
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    closed = Demand.objects.visible_to(request.user).filter(closed_at__date__gte=start, closed_at__date__lt=end)
    sample = services.callback_sample(closed, share=0.2, seed=start.year * 100 + start.month)
    visited = set(Callback.objects.filter(demand__in=[d.pk for d in sample]).values_list("demand_id", flat=True))
    context = {
        "sample": sample,
        "visited": visited,
        "month": f"{start:%Y-%m}",
        "closed_count": closed.count(),
        "nav_active": "demands",
        "tab": "callbacks",
    }
    return render(request, "demands/callbacks.html", context)

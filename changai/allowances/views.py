from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from changai.core.models import Job
from changai.core.web import attach_errors, xlsx_response

from . import jobs, services
from .engine import parse_month
from .exports import export_filename, roster_workbook
from .forms import CheckForm, CopyPolicyForm, DesignationForm, PolicyForm, RosterForm
from .models import AllowancePolicy, Roster, RosterLine, TalentDesignation, Tier

EXPORT_SYNC_LIMIT = 20_000
NAV = {"nav_active": "allowances"}


def _forbidden(message: str):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied(message)


def _roster_for(request, roster_pk) -> Roster:
    rosters = Roster.objects.visible_to(request.user).select_related("org", "approved_by", "created_by", "job")
    return get_object_or_404(rosters, pk=roster_pk)


def _policy_for(request, policy_pk) -> AllowancePolicy:
    return get_object_or_404(AllowancePolicy.objects.visible_to(request.user).select_related("org"), pk=policy_pk)


def _require_manage(user, org) -> None:
    if not services.can_manage(user, org):
        _forbidden("您只能管理本企业（集团）的技能津贴。")


def _month_param(request, name="month") -> str:
    try:
        return parse_month(request.GET.get(name, "")).code if request.GET.get(name) else ""
    except ValidationError:
        return ""


# ---------------------------------------------------------------------------- rosters


@login_required
@permission_required("allowances.view_roster", raise_exception=True)
def roster_list(request):
    rosters = Roster.objects.visible_to(request.user).select_related("org", "approved_by")
    month, status, query = _month_param(request), request.GET.get("status", ""), request.GET.get("q", "").strip()
    if month:
        rosters = rosters.filter(month=month)
    if status in Roster.Status.values:
        rosters = rosters.filter(status=status)
    if query:
        rosters = rosters.filter(org__name__icontains=query)
    page_obj = Paginator(rosters.order_by("-month", "org__name", "pk"), 30).get_page(request.GET.get("page"))
    filters = {"month": month, "status": status, "q": query}
    context = {
        "page_obj": page_obj,
        "filters": filters,
        "filtered": any(filters.values()),
        "statuses": Roster.Status.choices,
        "tab": "rosters",
        **NAV,
    }
    return render(request, "allowances/roster_list.html", context)


@login_required
@permission_required("allowances.add_roster", raise_exception=True)
def roster_create(request):
    initial = {"month": services.current_month().previous().code}
    form = RosterForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            roster = services.start_computing(request.user, data["org"], data["month"], data["whole_group"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if roster.computed_at and not roster.job_id:
                messages.success(request, f"已计算{roster}：{roster.paid_count}人，合计{roster.total_amount:,.2f}元。")
            else:
                messages.info(request, "花名册人数较多，已转入后台计算，完成后本页自动刷新。")
            return redirect("allowances:roster_detail", roster_pk=roster.pk)
    return render(request, "allowances/roster_form.html", {"form": form, "tab": "rosters", **NAV})


def _roster_lines(request, roster):
    lines = RosterLine.objects.filter(roster=roster).select_related("enterprise")
    query = request.GET.get("q", "").strip()
    change, level = request.GET.get("change", ""), request.GET.get("level", "")
    enterprise = request.GET.get("enterprise", "")
    if query:
        lines = lines.filter(Q(name__icontains=query) | Q(id_masked__endswith=query.upper()))
    if change == "changed":
        lines = lines.exclude(change__in=[RosterLine.Change.SAME, RosterLine.Change.FIRST])
    elif change in RosterLine.Change.values:
        lines = lines.filter(change=change)
    if level.isdigit():
        lines = lines.filter(basis_level=int(level), level_amount__gt=0)
    if enterprise.isdigit():
        lines = lines.filter(enterprise_id=int(enterprise))
    filters = {"q": query, "change": change, "level": level, "enterprise": enterprise}
    return lines.order_by("enterprise_id", "name", "pk"), filters


def _running_job(job):
    return job if job is not None and not job.is_finished else None


@login_required
@permission_required("allowances.view_roster", raise_exception=True)
def roster_detail(request, roster_pk):
    roster = _roster_for(request, roster_pk)
    lines, filters = _roster_lines(request, roster)
    page_obj = Paginator(lines, 50).get_page(request.GET.get("page"))
    user = request.user
    manage = services.can_manage(user, roster.org)
    export_job = (
        Job.objects.filter(kind="allowances.export_roster", created_by=user, params__roster=roster.pk)
        .order_by("-created_at")
        .first()
    )
    visible_policies = set(AllowancePolicy.objects.visible_to(user).filter(rosters=roster).values_list("pk", flat=True))
    previous = services.reference_rosters(
        services.roster_enterprise_ids(roster.org, roster.whole_group), parse_month(roster.month).previous()
    )[0]
    context = {
        "roster": roster,
        "page_obj": page_obj,
        "filters": filters,
        "filtered": any(filters.values()),
        "changes": RosterLine.Change.choices,
        "levels": roster.totals.get("levels", []),
        "enterprises": roster.totals.get("enterprises", []),
        "change_counts": {
            label: roster.totals.get("changes", {}).get(value, 0) for value, label in RosterLine.Change.choices
        },
        "previous_rosters": Roster.objects.visible_to(user).filter(pk__in=previous).select_related("org"),
        "policies_used": [
            (policy, policy.pk in visible_policies) for policy in roster.policies.order_by("effective_from")
        ],
        "job": _running_job(roster.job),
        "failed_job": roster.job if roster.job and roster.job.status == Job.Status.FAILED else None,
        "export_job": export_job,
        "can_compute": manage and user.has_perm("allowances.add_roster") and not roster.is_locked,
        "can_approve": manage
        and user.has_perm("allowances.approve_roster")
        and not roster.is_locked
        and roster.computed_at is not None
        and _running_job(roster.job) is None,
        "export_query": urlencode({k: v for k, v in filters.items() if v}),
        "tab": "rosters",
        **NAV,
    }
    return render(request, "allowances/roster_detail.html", context)


@login_required
@require_POST
def roster_recompute(request, roster_pk):
    roster = _roster_for(request, roster_pk)
    if not request.user.has_perm("allowances.add_roster"):
        _forbidden("您无权计算花名册。")
    _require_manage(request.user, roster.org)
    try:
        roster = services.start_computing(request.user, roster.org, roster.month, roster.whole_group)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if roster.job_id and not roster.job.is_finished:
            messages.info(request, "已转入后台重新计算，完成后本页自动刷新。")
        else:
            messages.success(request, f"已重新计算：{roster.paid_count}人，合计{roster.total_amount:,.2f}元。")
    return redirect("allowances:roster_detail", roster_pk=roster.pk)


@login_required
@require_POST
def roster_approve(request, roster_pk):
    roster = _roster_for(request, roster_pk)
    if not request.user.has_perm("allowances.approve_roster"):
        _forbidden("您无权审批花名册。")
    _require_manage(request.user, roster.org)
    try:
        services.approve_roster(request.user, roster)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{roster}已审批并锁定，可导出发放。")
    return redirect("allowances:roster_detail", roster_pk=roster.pk)


@login_required
@permission_required("allowances.view_roster", raise_exception=True)
def roster_export(request, roster_pk):
    roster = _roster_for(request, roster_pk)
    if roster.computed_at is None:
        messages.error(request, "花名册尚未计算完成，暂不能导出。")
        return redirect("allowances:roster_detail", roster_pk=roster.pk)
    if roster.line_count > EXPORT_SYNC_LIMIT:
        jobs.schedule_export(request.user, roster)
        messages.info(request, "花名册行数较多，正在后台生成表格，完成后可在本页下载。")
        return redirect("allowances:roster_detail", roster_pk=roster.pk)
    workbook, _ = roster_workbook(roster, request.user)
    return xlsx_response(workbook, export_filename(roster))


@login_required
@permission_required("allowances.view_roster", raise_exception=True)
def roster_export_file(request, roster_pk, job_pk):
    roster = _roster_for(request, roster_pk)
    job = get_object_or_404(
        Job, pk=job_pk, kind="allowances.export_roster", created_by=request.user, status=Job.Status.SUCCEEDED
    )
    if job.params.get("roster") != roster.pk or not default_storage.exists(job.result.get("file", "")):
        raise Http404
    handle = default_storage.open(job.result["file"], "rb")
    return FileResponse(handle, as_attachment=True, filename=job.result.get("filename") or export_filename(roster))


# ---------------------------------------------------------------------------- policies


def _policy_state(policy, today: date) -> str:
    if policy.effective_from > today:
        return "future"
    if policy.effective_to and policy.effective_to < today:
        return "ended"
    return "current"


@login_required
@permission_required("allowances.view_allowancepolicy", raise_exception=True)
def policy_list(request):
    today = services.today()
    policies = AllowancePolicy.objects.visible_to(request.user).select_related("org").prefetch_related("level_amounts")
    query, state = request.GET.get("q", "").strip(), request.GET.get("state", "")
    if query:
        policies = policies.filter(Q(name__icontains=query) | Q(org__name__icontains=query))
    if state == "current":
        policies = policies.overlapping(today, today)
    elif state == "ended":
        policies = policies.filter(effective_to__lt=today)
    elif state == "future":
        policies = policies.filter(effective_from__gt=today)
    else:
        state = ""
    page_obj = Paginator(policies.order_by("org__name", "-effective_from", "pk"), 30).get_page(request.GET.get("page"))
    for policy in page_obj.object_list:
        policy.state = _policy_state(policy, today)
    context = {
        "page_obj": page_obj,
        "filters": {"q": query, "state": state},
        "filtered": bool(query or state),
        "can_add": request.user.has_perm("allowances.add_allowancepolicy"),
        "tab": "policies",
        **NAV,
    }
    return render(request, "allowances/policy_list.html", context)


@login_required
@permission_required("allowances.add_allowancepolicy", raise_exception=True)
def policy_create(request):
    form = PolicyForm(
        request.POST or None, user=request.user, initial={"effective_from": services.today().replace(day=1)}
    )
    if request.method == "POST" and form.is_valid():
        levels, tiers, rewards = form.amounts()
        try:
            policy = services.save_policy(request.user, form.instance, levels=levels, tiers=tiers, rewards=rewards)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"已保存津贴政策“{policy.name}”。")
            return redirect("allowances:policy_detail", policy_pk=policy.pk)
    return render(request, "allowances/policy_form.html", {"form": form, "tab": "policies", **NAV})


@login_required
@permission_required("allowances.view_allowancepolicy", raise_exception=True)
def policy_detail(request, policy_pk):
    policy = _policy_for(request, policy_pk)
    user = request.user
    members = services.group_members(policy.org).annotate(own=Count("allowance_policies")).order_by("name")
    context = {
        "policy": policy,
        "state": _policy_state(policy, services.today()),
        "levels": policy.level_amounts.all(),
        "tiers": policy.tiers.all(),
        "rewards": policy.reward_rules.all(),
        "versions": AllowancePolicy.objects.filter(org=policy.org).exclude(pk=policy.pk).order_by("-effective_from"),
        "inheriting": [m for m in members if not m.own],
        "with_own": [m for m in members if m.own],
        "rosters": policy.rosters.visible_to(user).select_related("org").order_by("-month")[:12],
        "locked_by": services.used_by_approved_roster(policy),
        "designation_count": TalentDesignation.objects.filter(org=policy.org).count(),
        "can_manage": services.can_manage(user, policy.org),
        "tab": "policies",
        **NAV,
    }
    return render(request, "allowances/policy_detail.html", context)


@login_required
@permission_required("allowances.change_allowancepolicy", raise_exception=True)
def policy_edit(request, policy_pk):
    policy = _policy_for(request, policy_pk)
    _require_manage(request.user, policy.org)
    form = PolicyForm(request.POST or None, instance=policy, user=request.user)
    if request.method == "POST" and form.is_valid():
        levels, tiers, rewards = form.amounts()
        try:
            services.save_policy(request.user, form.instance, levels=levels, tiers=tiers, rewards=rewards)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"已保存津贴政策“{policy.name}”。")
            return redirect("allowances:policy_detail", policy_pk=policy.pk)
    context = {"form": form, "policy": policy, "locked_by": services.used_by_approved_roster(policy)}
    return render(request, "allowances/policy_form.html", {**context, "tab": "policies", **NAV})


@login_required
@permission_required("allowances.add_allowancepolicy", raise_exception=True)
def policy_copy(request, policy_pk):
    policy = _policy_for(request, policy_pk)
    _require_manage(request.user, policy.org)
    form = CopyPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            copy = services.copy_policy(request.user, policy, data["effective_from"], data["name"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"已生成新版本“{copy.name}”，原政策截止于{copy.effective_from:%Y-%m-%d}前一天。")
            return redirect("allowances:policy_edit", policy_pk=copy.pk)
    return render(request, "allowances/policy_copy.html", {"form": form, "policy": policy, "tab": "policies", **NAV})


# ---------------------------------------------------------------------------- talent designations


@login_required
@permission_required("allowances.view_talentdesignation", raise_exception=True)
def designation_list(request):
    user = request.user
    designations = TalentDesignation.objects.visible_to(user).select_related("org", "worker")
    query, tier, current = request.GET.get("q", "").strip(), request.GET.get("tier", ""), request.GET.get("current")
    if query:
        designations = designations.filter(Q(worker__name__icontains=query) | Q(org__name__icontains=query))
    if tier in Tier.values:
        designations = designations.filter(tier=tier)
    if current == "1":
        today = services.today()
        designations = designations.overlapping(today, today)
    form = None
    if user.has_perm("allowances.add_talentdesignation"):
        form = DesignationForm(request.POST or None, user=user)
        if request.method == "POST" and form.is_valid():
            try:
                services.save_designation(user, form.instance)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"已认定{form.instance.worker.name}为{form.instance.get_tier_display()}。")
                return redirect("allowances:designation_list")
    elif request.method == "POST":
        _forbidden("您无权认定特殊人才。")
    page_obj = Paginator(designations.order_by("org__name", "tier", "-valid_from", "pk"), 30).get_page(
        request.GET.get("page")
    )
    filters = {"q": query, "tier": tier, "current": current or ""}
    context = {
        "page_obj": page_obj,
        "form": form,
        "filters": filters,
        "filtered": any(filters.values()),
        "tiers": Tier.choices,
        "today": services.today(),
        "tab": "designations",
        **NAV,
    }
    return render(request, "allowances/designation_list.html", context)


@login_required
@permission_required("allowances.change_talentdesignation", raise_exception=True)
def designation_edit(request, designation_pk):
    designations = TalentDesignation.objects.visible_to(request.user).select_related("org", "worker")
    designation = get_object_or_404(designations, pk=designation_pk)
    _require_manage(request.user, designation.org)
    form = DesignationForm(request.POST or None, instance=designation, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_designation(request.user, form.instance)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "已保存人才认定。")
            return redirect("allowances:designation_list")
    context = {"form": form, "designation": designation, "tab": "designations", **NAV}
    return render(request, "allowances/designation_form.html", context)


# ---------------------------------------------------------------------------- cross-check


def _check_job(request) -> Job | None:
    job_id = request.GET.get("job", "")
    if not job_id.isdigit():
        return None
    return Job.objects.filter(pk=int(job_id), kind="allowances.unlisted_check", created_by=request.user).first()


@login_required
@permission_required("allowances.check_unlisted", raise_exception=True)
def unlisted_check(request):
    user = request.user
    form = CheckForm(request.POST or None, user=user, initial={"month": services.current_month().previous().code})
    if request.method == "POST" and form.is_valid():
        month, org = form.cleaned_data["month"], form.cleaned_data["org"]
        scope = jobs.check_scope(user, org)
        small = services.employment_count(scope.values("pk"), month) <= services.SYNC_LIMIT
        job = jobs.schedule_check(user, org, month, in_process=small)
        return redirect(f"{request.path}?job={job.pk}")
    job = _check_job(request)
    result = job.result if job is not None and job.status == Job.Status.SUCCEEDED else None
    if job is not None:
        form = CheckForm(user=user, initial={"month": job.params.get("month"), "org": job.params.get("org")})
    lines = (result or {}).get("lines", [])
    page_obj = Paginator(lines, 50).get_page(request.GET.get("page")) if result else None
    if result and request.GET.get("export") == "xlsx":
        return xlsx_response(_check_workbook(result), f"应发未列人员_{result['month']}.xlsx")
    context = {
        "form": form,
        "job": job,
        "running": _running_job(job),
        "result": result,
        "page_obj": page_obj,
        "truncated": result and result["count"] > len(lines),
        "tab": "check",
        **NAV,
    }
    return render(request, "allowances/check.html", context)


def _check_workbook(result: dict):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "应发未列"
    sheet.append(["企业", "姓名", "身份证号", "享受等级", "人才类别", "应发合计（元）"])
    for line in result["lines"]:
        sheet.append(
            [
                line["enterprise_name"],
                line["name"],
                line["id_masked"],
                line["basis_level"],
                line["tier"],
                float(line["total"]),
            ]
        )
    summary = workbook.create_sheet("按企业")
    summary.append(["企业", "人数", "应发合计（元）"])
    for row in result["enterprises"]:
        summary.append([row["name"], row["count"], float(row["amount"])])
    return workbook

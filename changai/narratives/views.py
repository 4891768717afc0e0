from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from changai.core.web import attach_errors, xlsx_response

from . import services
from .exports import facts_workbook, reports_workbook
from .forms import AcceptForm, RejectForm, UploadForm
from .models import FactProposal, NarrativeReport
from .rendering import marked_document, quoted_document

Status = FactProposal.Status
VIEW_PERM = "narratives.view_narrativereport"
# Report list filters: (value, label).
REPORT_STATES = [("open", "有待审核的数字"), ("done", "已审完")]


def _report_for_user(request, report_pk) -> NarrativeReport:
    reports = NarrativeReport.objects.visible_to(request.user).select_related("org", "uploaded_by")
    return get_object_or_404(reports, pk=report_pk)


def _fact_for_user(request, fact_pk) -> FactProposal:
    facts = FactProposal.objects.visible_to(request.user).select_related(
        "report__org", "suggested_indicator", "indicator", "org", "reviewed_by", "data_value__submission__dataset"
    )
    return get_object_or_404(facts, pk=fact_pk)


# ---------------------------------------------------------------------------- reports


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def report_list(request):
    reports = services.reports_with_counts(NarrativeReport.objects.visible_to(request.user).select_related("org"))
    query, state, period = request.GET.get("q", "").strip(), request.GET.get("state", ""), request.GET.get("period", "")
    if query:
        reports = reports.filter(Q(title__icontains=query) | Q(org__name__icontains=query))
    if period.strip():
        reports = reports.filter(period=period.strip().upper())
    if state == "open":
        reports = reports.filter(open_count__gt=0)
    elif state == "done":
        reports = reports.filter(open_count=0)
    else:
        state = ""
    if request.GET.get("export") == "xlsx":
        return xlsx_response(reports_workbook(reports[:5000]), "材料识数_材料清单.xlsx")
    filters = {"q": query, "state": state, "period": period.strip()}
    context = {
        "page_obj": Paginator(reports, 30).get_page(request.GET.get("page")),
        "filters": filters,
        "filtered": any(filters.values()),
        "states": REPORT_STATES,
        "export_query": urlencode({**{k: v for k, v in filters.items() if v}, "export": "xlsx"}),
        "can_upload": services.can_upload(request.user),
        "nav_active": "narratives",
    }
    return render(request, "narratives/report_list.html", context)


@login_required
@permission_required("narratives.add_narrativereport", raise_exception=True)
def report_create(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.create_report(
                request.user,
                org=data["org"],
                period=data["period"],
                title=data["title"],
                upload=data["file"],
                text=data["text"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            count = report.proposals.count()
            if count:
                messages.success(request, f"已上传，识别出{count}处数字，请逐条核对后采用或忽略。")
            else:
                messages.info(request, "已上传，但材料中没有识别出数字。")
            return redirect("narratives:detail", report_pk=report.pk)
    return render(request, "narratives/report_form.html", {"form": form, "nav_active": "narratives"})


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def report_detail(request, report_pk):
    report = _report_for_user(request, report_pk)
    status = request.GET.get("status", "")
    facts = report.proposals.select_related("suggested_indicator", "indicator", "org")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(facts_workbook(report, facts), f"{report.title[:40]}_数字核对.xlsx")
    listed = facts.filter(status=status) if status in Status.values else facts
    page_obj = Paginator(listed, 50).get_page(request.GET.get("page"))
    can_review = services.can_review(request.user, report)
    if can_review:
        _attach_quick_accept(request.user, report, page_obj.object_list)
    context = {
        "report": report,
        "document": marked_document(
            report.text, list(report.proposals.only("pk", "start", "end", "status", "value", "value_max", "unit"))
        ),
        "page_obj": page_obj,
        "status": status if status in Status.values else "",
        "statuses": Status.choices,
        "counts": services.status_counts(report),
        "can_review": can_review,
        "can_delete": services.can_delete(request.user, report),
        "reject_form": RejectForm(),
        "nav_active": "narratives",
    }
    return render(request, "narratives/report_detail.html", context)


def _attach_quick_accept(user, report, facts) -> None:
    """For open figures with a suggested indicator: what one click on “按建议采用” records."""
    names = {fact.subject for fact in facts if len(fact.subject) >= 3}
    named = {org.name: org for org in services.target_orgs(user).filter(name__in=names)} if names else {}
    for fact in facts:
        fact.report = report
        fact.quick = None
        if fact.is_open and fact.suggested_indicator is not None:
            indicator = fact.suggested_indicator
            fact.quick = {
                "indicator": indicator,
                "org": named.get(fact.subject, report.org),
                "period": services.suggest_period(fact),
                "value": f"{services.proposed_value(fact, indicator).normalize():f}",
            }


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def report_file(request, report_pk):
    report = _report_for_user(request, report_pk)
    if not report.file:
        raise Http404
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=report.filename or "material")


@login_required
@require_POST
@permission_required("narratives.change_factproposal", raise_exception=True)
def report_reject_open(request, report_pk):
    report = _report_for_user(request, report_pk)
    form = RejectForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    count = services.reject_open(request.user, report, note)
    messages.success(request, f"已忽略其余{count}处数字。")
    return redirect("narratives:detail", report_pk=report.pk)


@login_required
@require_POST
@permission_required("narratives.delete_narrativereport", raise_exception=True)
def report_delete(request, report_pk):
    report = _report_for_user(request, report_pk)
    try:
        services.delete_report(request.user, report)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("narratives:detail", report_pk=report.pk)
    messages.success(request, f"已删除材料《{report.title}》。")
    return redirect("narratives:list")


# ---------------------------------------------------------------------------- one figure


def _fact_page(request, fact: FactProposal, accept_form=None, reject_form=None, status=200):
    user = request.user
    can_review = services.can_review(user, fact.report)
    indicator = fact.indicator or fact.suggested_indicator
    if accept_form is None and can_review and fact.is_open:
        accept_form = AcceptForm(user=user, fact=fact)
    existing = None
    if fact.is_open and accept_form is not None:
        chosen = _chosen(accept_form)
        if all(chosen):
            existing = services.existing_value(*chosen)
    siblings = fact.report.proposals.order_by("position")
    context = {
        "fact": fact,
        "report": fact.report,
        "document": quoted_document(fact.report.text, fact),
        "can_review": can_review,
        "accept_form": accept_form,
        "reject_form": reject_form or RejectForm(),
        "existing": existing,
        "converted": services.convert(fact.value, fact.unit, indicator.unit) if indicator else None,
        "indicator": indicator,
        "value_changed": fact.data_value is not None
        and fact.accepted_value is not None
        and fact.data_value.value != fact.accepted_value,
        "previous": siblings.filter(position__lt=fact.position).last(),
        "next": siblings.filter(position__gt=fact.position).first(),
        "next_open": siblings.filter(position__gt=fact.position, status=Status.PROPOSED).first(),
        "nav_active": "narratives",
    }
    return render(request, "narratives/fact_detail.html", context, status=status)


def _chosen(form):
    """(indicator, org, period) the form shows, bound or initial, for the 'already reported' hint."""
    if form.is_bound:
        data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        return data.get("indicator"), data.get("org"), data.get("period")
    indicator_pk, org_pk = form.initial.get("indicator"), form.initial.get("org")
    indicator = form.fields["indicator"].queryset.filter(pk=indicator_pk).first() if indicator_pk else None
    org = form.fields["org"].queryset.filter(pk=org_pk).first() if org_pk else None
    return indicator, org, form.initial.get("period")


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def fact_detail(request, fact_pk):
    """A figure's page: its quote highlighted in the document, and its review. Provenance links land here."""
    return _fact_page(request, _fact_for_user(request, fact_pk))


@login_required
@require_POST
@permission_required("narratives.change_factproposal", raise_exception=True)
def fact_accept(request, fact_pk):
    fact = _fact_for_user(request, fact_pk)
    form = AcceptForm(request.POST, user=request.user, fact=fact)
    if not form.is_valid():
        return _fact_page(request, fact, accept_form=form)
    try:
        fact = services.accept(request.user, fact, **form.cleaned_data)
    except ValidationError as exc:
        attach_errors(form, exc)
        return _fact_page(request, fact, accept_form=form)
    value = fact.data_value
    state = "已计入汇总" if value.approved else "待上级审核后计入汇总"
    messages.success(
        request,
        f"已采用：{fact.org.name}{fact.indicator.name} {value.value.normalize():f}{fact.indicator.unit}（{state}）。",
    )
    return _after_review(request, fact)


@login_required
@require_POST
@permission_required("narratives.change_factproposal", raise_exception=True)
def fact_reject(request, fact_pk):
    fact = _fact_for_user(request, fact_pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _fact_page(request, fact, reject_form=form)
    try:
        fact = services.reject(request.user, fact, form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("narratives:fact", fact_pk=fact.pk)
    messages.success(request, f"已忽略第{fact.position}处数字。")
    return _after_review(request, fact)


@login_required
@require_POST
@permission_required("narratives.change_factproposal", raise_exception=True)
def fact_withdraw(request, fact_pk):
    fact = _fact_for_user(request, fact_pk)
    try:
        services.withdraw(request.user, fact)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已撤回第{fact.position}处数字的审核结果，可重新审核。")
    return redirect("narratives:fact", fact_pk=fact.pk)


def _after_review(request, fact: FactProposal):
    """Back to the report list of figures, or on to the next figure still waiting."""
    if request.POST.get("next") == "report":
        return redirect(reverse("narratives:detail", kwargs={"report_pk": fact.report_id}) + f"#row-{fact.pk}")
    following = fact.report.proposals.filter(position__gt=fact.position, status=Status.PROPOSED).order_by("position")
    upcoming = following.first()
    if upcoming is not None:
        return redirect("narratives:fact", fact_pk=upcoming.pk)
    return redirect("narratives:detail", report_pk=fact.report_id)


@login_required
@permission_required("indicators.view_datavalue", raise_exception=True)
def value_source(request, datavalue_pk):
    """Where a data value came from: the quote in the report it was read from."""
    fact = services.fact_for_value(request.user, datavalue_pk)
    if fact is None:
        raise Http404
    return redirect("narratives:fact", fact_pk=fact.pk)

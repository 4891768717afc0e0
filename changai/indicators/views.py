from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from changai.accounts.scope import root_orgs
from changai.core.periods import InvalidPeriod, Period
from changai.orgs.models import Org

from . import services
from .exports import completeness_workbook, prefilled_workbook
from .forms import DataSetForm, ExceptionForm, IndicatorForm, ReturnForm
from .importers import build_importer, importer_key
from .models import DataSet, DataSetIndicator, DataValue, Indicator, Pillar, Submission


def _period(code: str, dataset: DataSet | None = None) -> Period:
    try:
        period = Period.parse(code)
    except InvalidPeriod as exc:
        raise Http404 from exc
    if dataset and period.type != dataset.period_type:
        raise Http404
    return period


def _dataset(code: str) -> DataSet:
    return get_object_or_404(DataSet, code=code, is_active=True)


def _org(request, org_pk) -> Org:
    return get_object_or_404(Org.objects.visible_to(request.user), pk=org_pk)


def _submission(request, submission_pk) -> Submission:
    queryset = Submission.objects.visible_to(request.user).select_related("dataset", "org")
    return get_object_or_404(queryset, pk=submission_pk)


# ---------------------------------------------------------------------------- tasks


@login_required
@permission_required("indicators.view_submission", raise_exception=True)
def tasks(request):
    """Forms the user's orgs must fill in for the current round, and rounds the user reviews."""
    datasets = DataSet.objects.filter(is_active=True).order_by("code")
    roots = list(root_orgs(request.user)[:20])
    to_fill, to_review = [], []
    for dataset in datasets:
        period = services.current_round(dataset)
        for root in roots:
            if root.kind in dataset.reporting_kinds and services.can_enter(request.user, root):
                submission = Submission.objects.filter(dataset=dataset, org=root, period=period.code).first()
                to_fill.append(
                    {
                        "dataset": dataset,
                        "org": root,
                        "period": period,
                        "submission": submission,
                        "state": services.entry_state(dataset, root, period.code)[1],
                    }
                )
            if request.user.has_perm("indicators.change_submission"):
                report = services.completeness(dataset, period.code, root, request.user)
                rows = [row for row in report.rows if row.org.pk != root.pk]
                if rows:
                    waiting = sum(1 for row in rows if row.status == Submission.Status.SUBMITTED)
                    to_review.append(
                        {"dataset": dataset, "org": root, "period": period, "report": report, "waiting": waiting}
                    )
    context = {"to_fill": to_fill, "to_review": to_review, "nav_active": "figures"}
    return render(request, "indicators/tasks.html", context)


# ---------------------------------------------------------------------------- entry


def _entry_rows(submission, dataset, org, period, posted=None, result=None):
    values = services.current_values(submission) if submission else {}
    previous = dict(org.data_values.filter(period=period.previous().code).values_list("indicator_id", "value"))
    rows = []
    for link in dataset.links.select_related("indicator").order_by("sort", "pk"):
        indicator = link.indicator
        stored = values.get(indicator.pk)
        if posted is not None:
            value, explanation = posted.get(indicator.code, ""), posted.get(f"explain_{indicator.code}", "")
        else:
            value = f"{stored.value.normalize():f}" if stored else ""
            explanation = stored.explanation if stored else ""
        rows.append(
            {
                "indicator": indicator,
                "required": link.required,
                "value": value,
                "explanation": explanation,
                "previous": previous.get(indicator.pk),
                "stored": stored,
                "error": result.errors.get(indicator.code) if result else "",
                "warning": result.warnings.get(indicator.code) if result else "",
            }
        )
    return rows


@login_required
@permission_required("indicators.view_submission", raise_exception=True)
def entry(request, dataset_code, org_pk, period):
    dataset = _dataset(dataset_code)
    org = _org(request, org_pk)
    period_obj = _period(period, dataset)
    if org.kind not in dataset.reporting_kinds:
        raise Http404
    submission = Submission.objects.filter(dataset=dataset, org=org, period=period).first()
    is_open, window = services.entry_state(dataset, org, period)
    editable = (
        services.can_enter(request.user, org)
        and is_open
        and (submission is None or submission.status in (Submission.Status.DRAFT, Submission.Status.RETURNED))
    )
    posted, result = None, None
    if request.method == "POST":
        if not services.can_enter(request.user, org):
            raise PermissionDenied("您无权为该单位填报。")
        posted = request.POST
        submission = services.submission_for(dataset, org, period)
        explanations = {k.removeprefix("explain_"): v for k, v in posted.items() if k.startswith("explain_")}
        values = {k: v for k, v in posted.items() if not k.startswith(("explain_", "csrf", "action"))}
        action = services.submit if posted.get("action") == "submit" else services.save_draft
        try:
            result = action(request.user, submission, values, explanations)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect(request.path)
        if result.ok:
            messages.success(request, "已上报，等待上级审核。" if action is services.submit else "草稿已保存。")
            return redirect(request.path)
        messages.error(request, "填报内容有误，请按提示修改后再提交。")
    context = {
        "dataset": dataset,
        "org": org,
        "period": period_obj,
        "submission": submission,
        "window": window,
        "is_open": is_open,
        "editable": editable,
        "rows": _entry_rows(submission, dataset, org, period_obj, posted, result),
        "can_review": submission is not None and services.can_review(request.user, org),
        "nav_active": "figures",
    }
    return render(request, "indicators/entry.html", context)


# ---------------------------------------------------------------------------- review


@login_required
@permission_required("indicators.view_submission", raise_exception=True)
def submission_detail(request, submission_pk):
    submission = _submission(request, submission_pk)
    values = services.current_values(submission)
    rows = [
        {"indicator": link.indicator, "value": values.get(link.indicator_id)}
        for link in submission.dataset.links.select_related("indicator").order_by("sort", "pk")
    ]
    context = {
        "submission": submission,
        "rows": rows,
        "history": services.history(submission),
        "diff": services.diff(submission),
        "can_review": services.can_review(request.user, submission.org),
        "return_form": ReturnForm(),
        "nav_active": "figures",
    }
    return render(request, "indicators/submission_detail.html", context)


@login_required
@require_POST
@permission_required("indicators.change_submission", raise_exception=True)
def approve(request, submission_pk):
    submission = _submission(request, submission_pk)
    try:
        services.approve(request.user, submission)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已审核通过{submission.org.name}的填报，数据已计入汇总。")
    return redirect("figures:submission_detail", submission_pk=submission.pk)


@login_required
@require_POST
@permission_required("indicators.change_submission", raise_exception=True)
def return_submission(request, submission_pk):
    submission = _submission(request, submission_pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写退回原因。")
        return redirect("figures:submission_detail", submission_pk=submission.pk)
    try:
        services.return_submission(request.user, submission, form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已退回{submission.org.name}的填报。")
    return redirect("figures:submission_detail", submission_pk=submission.pk)


# ---------------------------------------------------------------------------- completeness


def _completeness_root(request):
    roots = list(root_orgs(request.user)[:2])
    org_pk = request.GET.get("org")
    if org_pk:
        return _org(request, org_pk)
    return roots[0] if len(roots) == 1 else None


@login_required
@permission_required("indicators.view_submission", raise_exception=True)
def completeness(request, dataset_code, period):
    dataset = _dataset(dataset_code)
    _period(period, dataset)
    root = _completeness_root(request)
    report = services.completeness(dataset, period, root, request.user)
    if request.GET.get("export") == "xlsx":
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        filename = f"{dataset.name}_{report.period.label}_填报情况.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        completeness_workbook(report).save(response)
        return response
    status = request.GET.get("status", "")
    rows = [row for row in report.rows if not status or row.status == status]
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "dataset": dataset,
        "report": report,
        "root": root,
        "page_obj": page_obj,
        "status": status,
        "can_review": request.user.has_perm("indicators.change_submission"),
        "exception_form": ExceptionForm(),
        "previous": report.period.previous(),
        "next": report.period.next(),
        "nav_active": "figures",
        "importer_key": importer_key(dataset, period),
    }
    return render(request, "indicators/completeness.html", context)


@login_required
@require_POST
@permission_required("indicators.change_submission", raise_exception=True)
def remind(request, dataset_code, period):
    dataset = _dataset(dataset_code)
    _period(period, dataset)
    count = services.remind_missing(request.user, dataset, period, _completeness_root(request))
    messages.success(request, f"已向未完成填报的单位发送站内提醒 {count} 条。")
    return redirect("figures:completeness", dataset_code=dataset.code, period=period)


@login_required
@require_POST
@permission_required("indicators.add_deadlineexception", raise_exception=True)
def grant_exception(request, dataset_code, period, org_pk):
    dataset = _dataset(dataset_code)
    _period(period, dataset)
    org = _org(request, org_pk)
    form = ExceptionForm(request.POST)
    if form.is_valid():
        try:
            services.grant_exception(request.user, dataset, org, period, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, f"已允许{org.name}延期至{form.cleaned_data['until']:%Y年%-m月%-d日}填报。")
    else:
        messages.error(request, "请填写延期日期和原因。")
    return redirect("figures:completeness", dataset_code=dataset.code, period=period)


@login_required
@permission_required("indicators.add_datavalue", raise_exception=True)
def bulk_workbook(request, dataset_code, period):
    """A workbook prefilled with every reporting org in scope, to fill in and upload as an import."""
    dataset = _dataset(dataset_code)
    period_obj = _period(period, dataset)
    importer_cls = build_importer(f"{dataset.code}:{period}")
    orgs = list(services.expected_orgs(dataset, period_obj, _completeness_root(request), request.user))
    values: dict[int, dict[str, object]] = {}
    for org_id, code, value in DataValue.objects.filter(
        org__in=orgs, period=period, indicator__in=dataset.indicators.all()
    ).values_list("org_id", "indicator__code", "value"):
        values.setdefault(org_id, {})[code] = value
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"{dataset.name}_{period_obj.label}_批量填报.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    prefilled_workbook(importer_cls, orgs, values).save(response)
    return response


# ---------------------------------------------------------------------------- catalogue


@login_required
@permission_required("indicators.view_indicator", raise_exception=True)
def indicator_list(request):
    query, pillar = request.GET.get("q", "").strip(), request.GET.get("pillar", "")
    indicators = Indicator.objects.all()
    if query:
        indicators = indicators.filter(Q(name__icontains=query) | Q(code__icontains=query))
    if pillar in Pillar.values:
        indicators = indicators.filter(pillar=pillar)
    page_obj = Paginator(indicators, 50).get_page(request.GET.get("page"))
    context = {
        "page_obj": page_obj,
        "query": query,
        "pillar": pillar,
        "pillars": Pillar.choices,
        "nav_active": "catalogue",
    }
    return render(request, "indicators/indicator_list.html", context)


@login_required
def indicator_form(request, indicator_pk=None):
    perm = "indicators.change_indicator" if indicator_pk else "indicators.add_indicator"
    if not request.user.has_perm(perm):
        raise PermissionDenied
    instance = get_object_or_404(Indicator, pk=indicator_pk) if indicator_pk else None
    if instance is not None and instance.source == "computed":
        raise PermissionDenied("平台计算指标由系统维护，不能在此修改。")
    form = IndicatorForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"已保存指标“{form.instance.name}”。")
        return redirect("figures:indicator_list")
    return render(
        request,
        "indicators/form.html",
        {"form": form, "title": "编辑指标" if instance else "新建指标", "nav_active": "catalogue"},
    )


@login_required
@permission_required("indicators.view_dataset", raise_exception=True)
def dataset_list(request):
    datasets = DataSet.objects.prefetch_related("indicators").order_by("code")
    rounds = {dataset.pk: services.current_round(dataset) for dataset in datasets}
    rows = [{"dataset": d, "period": rounds[d.pk]} for d in datasets]
    return render(request, "indicators/dataset_list.html", {"rows": rows, "nav_active": "catalogue"})


@login_required
def dataset_form(request, dataset_pk=None):
    perm = "indicators.change_dataset" if dataset_pk else "indicators.add_dataset"
    if not request.user.has_perm(perm):
        raise PermissionDenied
    instance = get_object_or_404(DataSet, pk=dataset_pk) if dataset_pk else None
    form = DataSetForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            dataset = form.save()
            _set_indicators(dataset, form.cleaned_data["indicator_list"])
        messages.success(request, f"已保存填报表“{dataset.name}”。")
        return redirect("figures:dataset_list")
    return render(
        request,
        "indicators/form.html",
        {"form": form, "title": "编辑填报表" if instance else "新建填报表", "nav_active": "catalogue"},
    )


def _set_indicators(dataset, indicators):
    keep = [i.pk for i in indicators]
    dataset.links.exclude(indicator__in=keep).delete()
    existing = set(dataset.links.values_list("indicator_id", flat=True))
    for position, indicator in enumerate(indicators):
        if indicator.pk not in existing:
            DataSetIndicator.objects.create(dataset=dataset, indicator=indicator, sort=position)

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from changai.core.web import attach_errors, xlsx_response
from changai.orgs.models import Org
from changai.workers.models import Occupation, Worker

from . import services
from .exports import candidates_workbook, certificate_status, certificates_workbook
from .forms import (
    AddCandidatesForm,
    AuthorisationForm,
    BatchForm,
    CertificateForm,
    EndAuthorisationForm,
    IssueForm,
    ResultsForm,
    RevokeForm,
    TitleForm,
    enterprises_in_scope,
)
from .importers import candidates_key, results_key
from .models import Candidate, Certificate, EngineeringTitle, Level, RatingBatch, Route, SelfRatingAuthorisation

PAGE_SIZE = 30
EXPORT_LIMIT = 50_000
PICK_LIMIT = 200
NAV = "certificates"


# ---------------------------------------------------------------------------- access helpers


def _worker_for_user(request, worker_pk) -> Worker:
    workers = Worker.objects.visible_to(request.user).select_related("enterprise", "occupation")
    return get_object_or_404(workers, pk=worker_pk)


def _certificate_for_user(request, certificate_pk) -> Certificate:
    certificates = Certificate.objects.visible_to(request.user).select_related(
        "worker__enterprise", "occupation", "rating_enterprise", "employer", "batch", "revoked_by", "created_by"
    )
    return get_object_or_404(certificates, pk=certificate_pk)


def _title_for_user(request, title_pk) -> EngineeringTitle:
    titles = EngineeringTitle.objects.visible_to(request.user).select_related("worker__enterprise")
    return get_object_or_404(titles, pk=title_pk)


def _authorisation_for_user(request, authorisation_pk) -> SelfRatingAuthorisation:
    authorisations = SelfRatingAuthorisation.objects.visible_to(request.user).select_related("enterprise", "occupation")
    return get_object_or_404(authorisations, pk=authorisation_pk)


def _batch_for_user(request, batch_pk) -> RatingBatch:
    batches = RatingBatch.objects.visible_to(request.user).select_related("enterprise", "created_by", "issued_by")
    return get_object_or_404(batches, pk=batch_pk)


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _looks_like_id_number(text: str) -> bool:
    digits = text.replace(" ", "")
    return len(digits) in (15, 17, 18) and digits[:15].isdigit()


def _worker_by_id_number(text: str) -> Worker | None:
    from changai.workers.cleaning import normalise_id_number
    from changai.workers.services import find_worker_by_id_number

    try:
        return find_worker_by_id_number(normalise_id_number(text))
    except ValidationError:
        return None


def search_workers(workers, query: str):
    """Workers matching a name or, when the text looks like one, an identity number (by its keyed hash)."""
    query = (query or "").strip()
    if not query:
        return workers
    if _looks_like_id_number(query):
        found = _worker_by_id_number(query)
        return workers.filter(pk=found.pk) if found else workers.none()
    return workers.filter(name__icontains=query)


def _search_certificates(certificates, query: str):
    query = (query or "").strip()
    if not query:
        return certificates
    if _looks_like_id_number(query):
        found = _worker_by_id_number(query)
        by_number = Q(number=services.clean_number(query))
        return certificates.filter(Q(worker=found) | by_number) if found else certificates.filter(by_number)
    return certificates.filter(Q(worker__name__icontains=query) | Q(number__icontains=services.clean_number(query)))


def _org_filter(request, queryset, field: str):
    """Narrow to the subtree of an org the user can see (?org=pk); returns (queryset, org or None)."""
    org_pk = _int_param(request, "org")
    if not org_pk:
        return queryset, None
    org = Org.objects.visible_to(request.user).filter(pk=org_pk).first()
    if org is None:
        return queryset.none(), None
    return queryset.filter(**{f"{field}__path__startswith": org.path}), org


def _filter_orgs(user):
    """Orgs offered in the "unit" filter: the divisions, towns and parks in scope (enterprises are searched)."""
    return Org.objects.visible_to(user).filter(kind__in=["city", "county", "town", "park"]).order_by("path")[:300]


# ---------------------------------------------------------------------------- certificate list


@login_required
@permission_required("certificates.view_certificate", raise_exception=True)
def certificate_list(request):
    day = services.today()
    certificates = Certificate.objects.visible_to(request.user).select_related(
        "worker__enterprise", "occupation", "rating_enterprise"
    )
    query = request.GET.get("q", "").strip()
    occupation, level = _int_param(request, "occupation"), _int_param(request, "level")
    route, year, status = request.GET.get("route", ""), _int_param(request, "year"), request.GET.get("status", "")
    certificates = _search_certificates(certificates, query)
    certificates, org = _org_filter(request, certificates, "worker__enterprise")
    if occupation:
        certificates = certificates.filter(occupation_id=occupation)
    if level in Level.values:
        certificates = certificates.filter(level=level)
    if route in Route.values:
        certificates = certificates.filter(route=route)
    if year:
        certificates = certificates.filter(issued_on__year=year)
    if status == "valid":
        certificates = certificates.valid_on(day)
    elif status == "expired":
        certificates = services.expired(certificates, day)
    elif status == "revoked":
        certificates = certificates.filter(revoked=True)
    else:
        status = ""
    certificates = certificates.order_by("-issued_on", "-pk")
    filters = {
        "q": query,
        "org": org.pk if org else "",
        "occupation": occupation or "",
        "level": level if level in Level.values else "",
        "route": route if route in Route.values else "",
        "year": year or "",
        "status": status,
    }
    if request.GET.get("export") == "xlsx":
        return _export(request, certificates, day, "技能等级证书")
    page_obj = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    for certificate in page_obj:
        certificate.status_label = certificate_status(certificate, day)
    context = {
        "page_obj": page_obj,
        "filters": filters,
        "filtered": any(filters.values()),
        "export_query": urlencode({**{k: v for k, v in filters.items() if v}, "export": "xlsx"}),
        "org": org,
        "orgs": _filter_orgs(request.user),
        "occupations": Occupation.objects.filter(is_active=True).order_by("code"),
        "levels": Level.choices,
        "routes": Route.choices,
        "years": range(day.year, day.year - 15, -1),
        "statuses": [("valid", "有效"), ("expired", "已过期"), ("revoked", "已撤销")],
        "nav_active": NAV,
    }
    return render(request, "certificates/certificate_list.html", context)


def _export(request, certificates, day, title):
    total = certificates.count()
    if total > EXPORT_LIMIT:
        messages.error(
            request, f"符合条件的证书有{total}张，超过单次导出上限{EXPORT_LIMIT}张，请按单位或年度筛选后分批导出。"
        )
        params = request.GET.copy()
        params.pop("export", None)
        return redirect(f"{request.path}?{params.urlencode()}")
    workbook = certificates_workbook(certificates.select_related("employer"), day, title)
    return xlsx_response(workbook, f"{title}_{day:%Y%m%d}.xlsx")


# ---------------------------------------------------------------------------- expiry lists


@login_required
@permission_required("certificates.view_certificate", raise_exception=True)
def expiry_list(request):
    day = services.today()
    tab = request.GET.get("tab", "soon")
    tab = tab if tab in ("soon", "expired") else "soon"
    visible = Certificate.objects.visible_to(request.user).select_related("worker__enterprise", "occupation")
    visible, org = _org_filter(request, visible, "worker__enterprise")
    query = request.GET.get("q", "").strip()
    visible = _search_certificates(visible, query)
    include_replaced = request.GET.get("all") == "1"
    if tab == "soon":
        certificates = services.expiring(visible, day).order_by("expires_on", "pk")
    else:
        certificates = services.expired(visible, day).order_by("-expires_on", "pk")
    certificates = services.with_replaced(certificates, day)
    if not include_replaced:
        certificates = certificates.filter(replaced=False)
    if request.GET.get("export") == "xlsx":
        title = "即将到期的技能等级证书" if tab == "soon" else "已过期的技能等级证书"
        return _export(request, certificates, day, title)
    page_obj = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    for certificate in page_obj:
        certificate.days_left = (certificate.expires_on - day).days
    filters = {"tab": tab, "q": query, "org": org.pk if org else "", "all": "1" if include_replaced else ""}
    context = {
        "page_obj": page_obj,
        "tab": tab,
        "filters": filters,
        "org": org,
        "orgs": _filter_orgs(request.user),
        "include_replaced": include_replaced,
        "warning_days": services.EXPIRY_WARNING_DAYS,
        "until": day + timedelta(days=services.EXPIRY_WARNING_DAYS),
        "export_query": urlencode({**{k: v for k, v in filters.items() if v}, "export": "xlsx"}),
        "soon_count": services.expiring(services.with_replaced(visible, day).filter(replaced=False), day).count(),
        "nav_active": NAV,
    }
    return render(request, "certificates/expiry_list.html", context)


# ---------------------------------------------------------------------------- workers


@login_required
@permission_required("certificates.view_certificate", raise_exception=True)
def find_worker(request):
    query = request.GET.get("q", "").strip()
    workers = Worker.objects.visible_to(request.user).select_related("enterprise", "occupation")
    page_obj = None
    if query:
        page_obj = Paginator(search_workers(workers, query).order_by("name", "pk"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    context = {"query": query, "page_obj": page_obj, "nav_active": NAV}
    return render(request, "certificates/find_worker.html", context)


@login_required
@permission_required("certificates.view_certificate", raise_exception=True)
def worker_skills(request, worker_pk):
    worker = _worker_for_user(request, worker_pk)
    day = services.today()
    certificates = list(
        worker.certificates.select_related("occupation", "rating_enterprise", "batch").order_by("-issued_on", "-pk")
    )
    for certificate in certificates:
        certificate.status_label = certificate_status(certificate, day)
    levels = services.current_levels(worker, day)
    occupations = Occupation.objects.in_bulk(list(levels))
    context = {
        "worker": worker,
        "certificates": certificates,
        "current": sorted(((occupations[pk], level) for pk, level in levels.items()), key=lambda pair: -pair[1]),
        "highest": services.highest_level(worker, day),
        "titles": worker.titles.order_by("-rank"),
        "may_record": services.may_record_for(request.user, worker),
        "may_title": request.user.has_perm("certificates.add_engineeringtitle"),
        "today": day,
        "nav_active": NAV,
    }
    return render(request, "certificates/worker_skills.html", context)


@login_required
@permission_required("certificates.add_certificate", raise_exception=True)
def certificate_create(request, worker_pk):
    worker = _worker_for_user(request, worker_pk)
    initial = {"occupation": worker.occupation_id, "issued_on": services.today()}
    form = CertificateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.issue_certificate(worker, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, f"已登记{worker.name}的{certificate.get_level_display()}证书（{certificate.number}）。"
            )
            return redirect("certificates:worker", worker_pk=worker.pk)
    context = {"worker": worker, "form": form, "nav_active": NAV}
    return render(request, "certificates/certificate_form.html", context)


@login_required
@permission_required("certificates.view_certificate", raise_exception=True)
def certificate_detail(request, certificate_pk):
    certificate = _certificate_for_user(request, certificate_pk)
    return _detail_page(request, certificate, RevokeForm())


def _detail_page(request, certificate, revoke_form, status=200):
    day = services.today()
    context = {
        "certificate": certificate,
        "worker": certificate.worker,
        "status_label": certificate_status(certificate, day),
        "may_revoke": not certificate.revoked
        and request.user.has_perm("certificates.change_certificate")
        and services.may_record_for(request.user, certificate.worker),
        "revoke_form": revoke_form,
        "nav_active": NAV,
    }
    return render(request, "certificates/certificate_detail.html", context, status=status)


@login_required
@require_POST
@permission_required("certificates.change_certificate", raise_exception=True)
def certificate_revoke(request, certificate_pk):
    certificate = _certificate_for_user(request, certificate_pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, certificate, form, status=400)
    try:
        services.revoke_certificate(request.user, certificate, form.cleaned_data["reason"], form.cleaned_data["on"])
    except ValidationError as exc:
        attach_errors(form, exc)
        return _detail_page(request, certificate, form, status=400)
    messages.success(request, f"证书{certificate.number}已撤销，不再计入该职工的技能等级。")
    return redirect("certificates:detail", certificate_pk=certificate.pk)


# ---------------------------------------------------------------------------- engineering titles


@login_required
@permission_required("certificates.add_engineeringtitle", raise_exception=True)
def title_create(request, worker_pk):
    worker = _worker_for_user(request, worker_pk)
    form = TitleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            title = services.record_title(worker, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"已登记{worker.name}的{title.get_rank_display()}职称。")
            return redirect("certificates:worker", worker_pk=worker.pk)
    context = {"worker": worker, "form": form, "title": None, "nav_active": NAV}
    return render(request, "certificates/title_form.html", context)


@login_required
@permission_required("certificates.change_engineeringtitle", raise_exception=True)
def title_edit(request, engineeringtitle_pk):
    title = _title_for_user(request, engineeringtitle_pk)
    initial = {
        "rank": title.rank,
        "specialty": title.specialty,
        "awarded_on": title.awarded_on,
        "issuer": title.issuer,
        "via_title_bridge": title.via_title_bridge,
    }
    form = TitleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_title(request.user, title, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "职称信息已保存。")
            return redirect("certificates:worker", worker_pk=title.worker_id)
    context = {"worker": title.worker, "form": form, "title": title, "nav_active": NAV}
    return render(request, "certificates/title_form.html", context)


# ---------------------------------------------------------------------------- authorisations


@login_required
@permission_required("certificates.view_selfratingauthorisation", raise_exception=True)
def authorisation_list(request):
    day = services.today()
    authorisations = SelfRatingAuthorisation.objects.visible_to(request.user).select_related(
        "enterprise", "occupation", "created_by"
    )
    query, state = request.GET.get("q", "").strip(), request.GET.get("state", "")
    occupation = _int_param(request, "occupation")
    authorisations, org = _org_filter(request, authorisations, "enterprise")
    if query:
        authorisations = authorisations.filter(
            Q(enterprise__name__icontains=query) | Q(occupation__name__icontains=query) | Q(document__icontains=query)
        )
    if occupation:
        authorisations = authorisations.filter(occupation_id=occupation)
    if state == "valid":
        authorisations = authorisations.filter(valid_from__lte=day, valid_to__gte=day)
    elif state == "ended":
        authorisations = authorisations.filter(valid_to__lt=day)
    elif state == "future":
        authorisations = authorisations.filter(valid_from__gt=day)
    else:
        state = ""
    page_obj = Paginator(
        authorisations.order_by("enterprise__path", "occupation__code", "-valid_to"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for authorisation in page_obj:
        authorisation.state = (
            "有效" if authorisation.is_valid_on(day) else ("已到期" if authorisation.valid_to < day else "未生效")
        )
    filters = {"q": query, "state": state, "occupation": occupation or "", "org": org.pk if org else ""}
    context = {
        "page_obj": page_obj,
        "filters": filters,
        "filtered": any(filters.values()),
        "orgs": _filter_orgs(request.user),
        "occupations": Occupation.objects.filter(
            pk__in=SelfRatingAuthorisation.objects.visible_to(request.user).values("occupation_id")
        ).order_by("code"),
        "may_grant": services.may_grant_authorisations(request.user),
        "may_change": request.user.has_perm("certificates.change_selfratingauthorisation"),
        "nav_active": NAV,
    }
    return render(request, "certificates/authorisation_list.html", context)


@login_required
@permission_required("certificates.add_selfratingauthorisation", raise_exception=True)
def authorisation_create(request):
    initial = {}
    enterprise_pk = _int_param(request, "enterprise")
    if enterprise_pk:
        initial["enterprise"] = enterprise_pk
    form = AuthorisationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            authorisation = services.grant_authorisation(request.user, data.pop("enterprise"), **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                f"已登记{authorisation.enterprise.name}“{authorisation.occupation.name}”自主评价备案"
                f"（最高{authorisation.get_max_level_display()}）。",
            )
            return redirect("certificates:authorisation_list")
    context = {"form": form, "authorisation": None, "nav_active": NAV}
    return render(request, "certificates/authorisation_form.html", context)


@login_required
@permission_required("certificates.change_selfratingauthorisation", raise_exception=True)
def authorisation_edit(request, authorisation_pk):
    authorisation = _authorisation_for_user(request, authorisation_pk)
    fields = ("occupation", "max_level", "valid_from", "valid_to", "document", "granted_by")
    initial = {name: getattr(authorisation, name) for name in fields}
    form = AuthorisationForm(request.POST or None, user=request.user, with_enterprise=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_authorisation(request.user, authorisation, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "自主评价备案已保存。")
            return redirect("certificates:authorisation_list")
    context = {"form": form, "authorisation": authorisation, "end_form": EndAuthorisationForm(), "nav_active": NAV}
    return render(request, "certificates/authorisation_form.html", context)


@login_required
@require_POST
@permission_required("certificates.change_selfratingauthorisation", raise_exception=True)
def authorisation_end(request, authorisation_pk):
    authorisation = _authorisation_for_user(request, authorisation_pk)
    form = EndAuthorisationForm(request.POST)
    if form.is_valid():
        try:
            services.end_authorisation(request.user, authorisation, form.cleaned_data["on"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"{authorisation.enterprise.name}“{authorisation.occupation.name}”备案已于{form.cleaned_data['on']:%Y-%m-%d}终止。",
            )
            return redirect("certificates:authorisation_list")
    else:
        messages.error(request, "请填写有效的终止日期。")
    return redirect("certificates:authorisation_edit", authorisation_pk=authorisation.pk)


# ---------------------------------------------------------------------------- rating batches


@login_required
@permission_required("certificates.view_ratingbatch", raise_exception=True)
def batch_list(request):
    batches = RatingBatch.objects.visible_to(request.user).select_related("enterprise")
    query, status = request.GET.get("q", "").strip(), request.GET.get("status", "")
    if query:
        batches = batches.filter(Q(title__icontains=query) | Q(enterprise__name__icontains=query))
    if status in RatingBatch.Status.values:
        batches = batches.filter(status=status)
    else:
        status = ""
    page_obj = Paginator(batches.order_by("-assessed_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = _candidate_counts([batch.pk for batch in page_obj])
    for batch in page_obj:
        batch.counts = counts.get(batch.pk, {})
    context = {
        "page_obj": page_obj,
        "filters": {"q": query, "status": status},
        "filtered": bool(query or status),
        "statuses": RatingBatch.Status.choices,
        "may_create": request.user.has_perm("certificates.add_ratingbatch"),
        "nav_active": NAV,
    }
    return render(request, "certificates/batch_list.html", context)


def _candidate_counts(batch_ids) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    rows = Candidate.objects.filter(batch_id__in=batch_ids).values_list("batch_id", "result")
    for batch_id, result in rows:
        entry = counts.setdefault(batch_id, {"total": 0, "passed": 0})
        entry["total"] += 1
        entry["passed"] += result == Candidate.Result.PASSED
    return counts


@login_required
@permission_required("certificates.add_ratingbatch", raise_exception=True)
def batch_create(request):
    enterprises = list(enterprises_in_scope(request.user)[:2])
    single = enterprises[0] if len(enterprises) == 1 else None
    form = BatchForm(request.POST or None, user=request.user, with_enterprise=single is None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        enterprise = data.pop("enterprise", None) or single
        try:
            batch = services.create_batch(request.user, enterprise, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "评价批次已创建，请添加考生。")
            return redirect("certificates:batch_detail", ratingbatch_pk=batch.pk)
    context = {"form": form, "batch": None, "enterprise": single, "nav_active": NAV}
    return render(request, "certificates/batch_form.html", context)


@login_required
@permission_required("certificates.change_ratingbatch", raise_exception=True)
def batch_edit(request, ratingbatch_pk):
    batch = _batch_for_user(request, ratingbatch_pk)
    initial = {"title": batch.title, "assessed_on": batch.assessed_on, "pass_mark": batch.pass_mark}
    form = BatchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_batch(request.user, batch, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "批次信息已保存。")
            return redirect("certificates:batch_detail", ratingbatch_pk=batch.pk)
    context = {"form": form, "batch": batch, "enterprise": batch.enterprise, "nav_active": NAV}
    return render(request, "certificates/batch_form.html", context)


def _batch_page(request, batch, *, results_form=None, issue_form=None, problems=(), status=200):
    candidates = services.numbered_candidates(batch)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(candidates_workbook(batch, candidates), f"{batch.title}_考生名单.xlsx")
    day = batch.issued_on or max(services.today(), batch.assessed_on)
    book = services.AuthorisationBook([batch.enterprise_id])
    for candidate in candidates:
        candidate.problem = book.problem(batch.enterprise, candidate.occupation, candidate.level, day)
    manage = services.may_manage_batch(request.user, batch) and batch.status != RatingBatch.Status.ISSUED
    passed = [c for c in candidates if c.result == Candidate.Result.PASSED and c.certificate_id is None]
    can_issue = (
        manage
        and request.user.has_perm("certificates.add_certificate")
        and batch.status == RatingBatch.Status.ASSESSED
        and bool(passed)
    )
    authorisations = SelfRatingAuthorisation.objects.filter(enterprise=batch.enterprise).select_related("occupation")
    context = {
        "batch": batch,
        "candidates": candidates,
        "manage": manage,
        "results_form": results_form
        or (ResultsForm(batch=batch, candidates=candidates) if manage and candidates else None),
        "issue_form": issue_form or (IssueForm(batch=batch) if can_issue else None),
        "can_issue": can_issue,
        "passed_count": len(passed),
        "pending_count": sum(1 for c in candidates if c.result == Candidate.Result.PENDING),
        "problems": problems,
        "authorisations": authorisations.filter(valid_to__gte=batch.assessed_on).order_by("occupation__code"),
        "candidates_key": candidates_key(batch),
        "results_key": results_key(batch),
        "nav_active": NAV,
    }
    return render(request, "certificates/batch_detail.html", context, status=status)


@login_required
@permission_required("certificates.view_ratingbatch", raise_exception=True)
def batch_detail(request, ratingbatch_pk):
    return _batch_page(request, _batch_for_user(request, ratingbatch_pk))


@login_required
@permission_required("certificates.change_ratingbatch", raise_exception=True)
def candidates_add(request, ratingbatch_pk):
    batch = _batch_for_user(request, ratingbatch_pk)
    if not services.may_manage_batch(request.user, batch):
        raise PermissionDenied("您无权管理该评价批次。")
    query, occupation = request.GET.get("q", "").strip(), _int_param(request, "occupation")
    pool = services.batch_workers(batch).select_related("occupation").order_by("name", "pk")
    pool = search_workers(pool, query)
    if occupation:
        pool = pool.filter(occupation_id=occupation)
    total = pool.count()
    shown = pool[:PICK_LIMIT]
    workers = services.batch_workers(batch) if request.method == "POST" else pool.filter(pk__in=[w.pk for w in shown])
    initial = {"occupation": occupation} if occupation else {}
    form = AddCandidatesForm(request.POST or None, workers=workers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added, skipped = services.add_candidates(
                request.user, batch, data["workers"], occupation=data["occupation"], level=data["level"]
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            note = f"，{skipped}人已在本批次报名该职业，未重复添加" if skipped else ""
            messages.success(request, f"已添加{len(added)}名考生{note}。")
            return redirect("certificates:batch_detail", ratingbatch_pk=batch.pk)
    entered = set(batch.candidates.values_list("worker_id", flat=True))
    context = {
        "batch": batch,
        "form": form,
        "query": query,
        "occupation": occupation or "",
        "occupations": Occupation.objects.filter(pk__in=services.batch_workers(batch).values("occupation_id")).order_by(
            "code"
        ),
        "total": total,
        "limit": PICK_LIMIT,
        "entered": entered,
        "closed": batch.status == RatingBatch.Status.ISSUED,
        "nav_active": NAV,
    }
    return render(request, "certificates/candidates_add.html", context)


@login_required
@require_POST
@permission_required("certificates.change_ratingbatch", raise_exception=True)
def candidate_remove(request, ratingbatch_pk, ratingcandidate_pk):
    batch = _batch_for_user(request, ratingbatch_pk)
    candidate = get_object_or_404(batch.candidates.select_related("worker"), pk=ratingcandidate_pk)
    try:
        services.remove_candidate(request.user, candidate)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已移除考生{candidate.worker.name}。")
    return redirect("certificates:batch_detail", ratingbatch_pk=batch.pk)


@login_required
@require_POST
@permission_required("certificates.change_ratingbatch", raise_exception=True)
def batch_results(request, ratingbatch_pk):
    batch = _batch_for_user(request, ratingbatch_pk)
    if not services.may_manage_batch(request.user, batch):
        raise PermissionDenied("您无权管理该评价批次。")
    form = ResultsForm(request.POST, batch=batch, candidates=services.numbered_candidates(batch))
    if not form.is_valid():
        messages.error(request, "成绩有误，请按提示修改（成绩应在0到100之间）。")
        return _batch_page(request, batch, results_form=form, status=400)
    try:
        changed = services.record_results(request.user, batch, form.results())
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _batch_page(request, batch, results_form=form, status=400)
    messages.success(request, f"已保存{changed}名考生的成绩和结果。" if changed else "成绩和结果没有变化。")
    return redirect("certificates:batch_detail", ratingbatch_pk=batch.pk)


@login_required
@require_POST
@permission_required("certificates.change_ratingbatch", raise_exception=True)
def batch_issue(request, ratingbatch_pk):
    batch = _batch_for_user(request, ratingbatch_pk)
    form = IssueForm(request.POST, batch=batch)
    if not form.is_valid():
        return _batch_page(request, batch, issue_form=form, status=400)
    try:
        issued = services.issue_batch(request.user, batch, **form.cleaned_data)
    except services.BatchIssueRefused as exc:
        messages.error(request, f"有{len(exc.problems)}项问题，本批次未发放任何证书。请处理后再发证：")
        return _batch_page(request, batch, issue_form=form, problems=exc.problems, status=400)
    except ValidationError as exc:
        attach_errors(form, exc)
        return _batch_page(request, batch, issue_form=form, status=400)
    messages.success(request, f"已为{len(issued)}名合格考生发放证书。")
    return redirect("certificates:batch_detail", ratingbatch_pk=batch.pk)

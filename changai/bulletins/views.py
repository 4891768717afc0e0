from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from changai.core.web import attach_errors, xlsx_response

from . import content, jobs, permissions, services
from . import render as renderer
from .exports import issues_workbook, items_workbook
from .forms import (
    ARTICLE_FORMS,
    AcceptForm,
    DeclineForm,
    IssueCreateForm,
    IssueForm,
    ItemEditForm,
    ItemForm,
    ReturnForm,
    SeriesForm,
    SignForm,
    managed_series,
)
from .models import Article, Issue, Item, ItemFile, Series

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PER_PAGE = 20


# ---------------------------------------------------------------------------- access helpers


def _issue_for_user(request, bulletin_pk) -> Issue:
    issues = Issue.objects.visible_to(request.user).select_related("series__org", "signed_by", "created_by")
    return get_object_or_404(issues, pk=bulletin_pk)


def _editable_issue(request, bulletin_pk) -> Issue:
    """404 outside scope, 403 for a reader, a message for a frozen issue (handled by the caller)."""
    issue = _issue_for_user(request, bulletin_pk)
    if not permissions.can_manage(request.user, issue.series):
        raise PermissionDenied("只有编发单位的产改办可以编辑本期专报。")
    return issue


def _article_for_user(request, issue: Issue, bulletin_article_pk) -> Article:
    return get_object_or_404(issue.articles.select_related("item"), pk=bulletin_article_pk)


def _item_for_user(request, bulletin_item_pk) -> Item:
    items = Item.objects.visible_to(request.user).select_related("series__org", "org", "submitted_by", "decided_by")
    return get_object_or_404(items, pk=bulletin_item_pk)


def _series_for_user(request, bulletin_series_pk) -> Series:
    return get_object_or_404(Series.objects.visible_to(request.user).select_related("org"), pk=bulletin_series_pk)


def _int(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _failed(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def _download(fieldfile, filename: str, content_type: str):
    response = FileResponse(fieldfile.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    return response


def _filename(issue: Issue, suffix: str) -> str:
    label = issue.number_label if issue.number else "草稿"
    return f"{issue.series.name}_{label}{suffix}"


# ---------------------------------------------------------------------------- the archive


@login_required
@permission_required("bulletins.view_issue", raise_exception=True)
def issue_list(request):
    user = request.user
    visible = Issue.objects.visible_to(user)
    text, source = request.GET.get("q", "").strip(), request.GET.get("source", "").strip()
    series, year = _int(request, "series"), _int(request, "year")
    status = request.GET.get("status", "")
    issues = services.search(visible, text=text, series=series, year=year, source=source)
    if status in Issue.Status.values:
        issues = issues.filter(status=status)
    issues = issues.select_related("series__org").prefetch_related(
        Prefetch("articles", queryset=Article.objects.only("pk", "issue_id", "kind", "title", "position"))
    )
    if request.GET.get("export") == "xlsx":
        return xlsx_response(issues_workbook(issues[:5000]), "专报库.xlsx")
    page_obj = Paginator(issues, PER_PAGE).get_page(request.GET.get("page"))
    filters = {"q": text, "series": series or "", "year": year or "", "source": source, "status": status}
    years = sorted({y for y in visible.exclude(year=None).values_list("year", flat=True)}, reverse=True)
    context = {
        "page_obj": page_obj,
        "filters": filters,
        "filtered": any(filters.values()),
        "export_query": urlencode({**{k: v for k, v in filters.items() if v}, "export": "xlsx"}),
        "series_choices": Series.objects.filter(pk__in=visible.values("series_id")).order_by("org__path", "name"),
        "years": years,
        "statuses": Issue.Status.choices,
        "can_create": user.has_perm("bulletins.add_issue") and managed_series(user).exists(),
        "section": "issues",
        "nav_active": "bulletins",
    }
    return render(request, "bulletins/issue_list.html", context)


# ---------------------------------------------------------------------------- composing an issue


@login_required
@permission_required("bulletins.add_issue", raise_exception=True)
def issue_create(request):
    initial = {"series": _int(request, "series")} if _int(request, "series") else {}
    form = IssueCreateForm(request.POST or None, user=request.user, initial=initial)
    if not form.fields["series"].queryset.exists():
        messages.info(request, "请先设立本单位的专报系列。")
        return redirect("bulletins:series_list")
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.create_issue(request.user, form.cleaned_data["series"], title=form.cleaned_data["title"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "已新建一期草稿，请添加文章、工作信息或数据专栏。")
            return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)
    return render(request, "bulletins/issue_form.html", {"form": form, "nav_active": "bulletins", "creating": True})


def _detail_context(request, issue: Issue) -> dict:
    user = request.user
    composed = content.compose(issue)
    manage = permissions.can_manage(user, issue.series)
    pending = 0
    if manage and user.has_perm("bulletins.decide_item"):
        pending = issue.series.items.filter(status=Item.Status.SUBMITTED).count()
    return {
        "issue": issue,
        "composed": composed,
        "can_edit": permissions.can_edit(user, issue),
        "can_manage": manage,
        "can_sign": permissions.can_sign(user, issue),
        "pending_items": pending,
        "pdf_available": jobs.pdf_available(),
        "return_form": ReturnForm(),
        "sign_form": SignForm(initial={"issue_date": issue.issue_date or services.today()}),
        "versions_count": issue.versions.count() if manage else 0,
        "nav_active": "bulletins",
    }


@login_required
@permission_required("bulletins.view_issue", raise_exception=True)
def issue_detail(request, bulletin_pk):
    issue = _issue_for_user(request, bulletin_pk)
    return render(request, "bulletins/issue_detail.html", _detail_context(request, issue))


@login_required
@permission_required("bulletins.change_issue", raise_exception=True)
def issue_edit(request, bulletin_pk):
    issue = _editable_issue(request, bulletin_pk)
    if issue.is_signed:
        messages.error(request, services.FROZEN)
        return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)
    form = IssueForm(request.POST or None, instance=issue)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_issue(request.user, issue, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)
    context = {"form": form, "issue": issue, "nav_active": "bulletins"}
    return render(request, "bulletins/issue_form.html", context)


def _article_form(kind, issue, data=None, initial=None):
    form_class = ARTICLE_FORMS[kind]
    if kind == Article.Kind.FIGURES:
        return form_class(data, org=issue.series.org, initial=initial)
    return form_class(data, initial=initial)


def _article_page(request, issue, kind, form, article=None, status=200):
    context = {
        "issue": issue,
        "kind": kind,
        "kind_label": Article.Kind(kind).label,
        "form": form,
        "article": article,
        "nav_active": "bulletins",
    }
    return render(request, "bulletins/article_form.html", context, status=status)


@login_required
@permission_required("bulletins.change_issue", raise_exception=True)
def article_create(request, bulletin_pk):
    issue = _editable_issue(request, bulletin_pk)
    kind = request.GET.get("kind", "")
    if kind not in ARTICLE_FORMS:
        raise Http404("未知的文章类型")
    if issue.is_signed:
        messages.error(request, services.FROZEN)
        return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)
    form = _article_form(kind, issue, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_article(request.user, issue, kind, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"已添加{Article.Kind(kind).label}。")
            return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)
    return _article_page(request, issue, kind, form)


@login_required
@permission_required("bulletins.change_issue", raise_exception=True)
def article_edit(request, bulletin_pk, bulletin_article_pk):
    issue = _editable_issue(request, bulletin_pk)
    article = _article_for_user(request, issue, bulletin_article_pk)
    if issue.is_signed:
        messages.error(request, services.FROZEN)
        return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)
    fields = services.ARTICLE_FIELDS[article.kind]
    form = _article_form(article.kind, issue, request.POST or None, {f: getattr(article, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_article(request.user, article, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "已保存，并记入版本历史。")
            return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)
    return _article_page(request, issue, article.kind, form, article)


@login_required
@require_POST
@permission_required("bulletins.change_issue", raise_exception=True)
def article_delete(request, bulletin_pk, bulletin_article_pk):
    issue = _editable_issue(request, bulletin_pk)
    article = _article_for_user(request, issue, bulletin_article_pk)
    try:
        services.remove_article(request.user, article)
    except ValidationError as exc:
        _failed(request, exc)
    else:
        extra = "，该投稿重新回到待处理" if article.item_id else ""
        messages.success(request, f"已删除“{article.title}”{extra}。")
    return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)


@login_required
@require_POST
@permission_required("bulletins.change_issue", raise_exception=True)
def article_move(request, bulletin_pk, bulletin_article_pk):
    issue = _editable_issue(request, bulletin_pk)
    article = _article_for_user(request, issue, bulletin_article_pk)
    try:
        services.move_article(request.user, article, -1 if request.POST.get("direction") == "up" else 1)
    except ValidationError as exc:
        _failed(request, exc)
    return redirect(f"{issue_detail_url(issue)}#article-{article.pk}")


def issue_detail_url(issue: Issue) -> str:
    return reverse("bulletins:issue_detail", kwargs={"bulletin_pk": issue.pk})


def _transition(request, issue, call, success: str):
    try:
        call()
    except ValidationError as exc:
        _failed(request, exc)
    else:
        messages.success(request, success)
    return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)


@login_required
@require_POST
@permission_required("bulletins.change_issue", raise_exception=True)
def issue_review(request, bulletin_pk):
    issue = _editable_issue(request, bulletin_pk)
    return _transition(request, issue, lambda: services.submit_for_review(request.user, issue), "已提交审核，待签发。")


@login_required
@require_POST
@permission_required("bulletins.change_issue", raise_exception=True)
def issue_return(request, bulletin_pk):
    issue = _editable_issue(request, bulletin_pk)
    form = ReturnForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _transition(request, issue, lambda: services.return_to_draft(request.user, issue, note), "已退回修改。")


@login_required
@require_POST
@permission_required("bulletins.sign_issue", raise_exception=True)
def issue_sign(request, bulletin_pk):
    issue = _editable_issue(request, bulletin_pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "印发日期格式不正确。")
        return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)
    try:
        signed = services.sign_off(request.user, issue, on=form.cleaned_data["issue_date"])
    except ValidationError as exc:
        _failed(request, exc)
        return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)
    messages.success(request, f"已签发：{signed.number_label}。Word 文件已定稿，不再改变。")
    if jobs.pdf_available():
        job = jobs.schedule_pdf(signed, request.user)
        if job.status == job.Status.FAILED:
            messages.warning(request, f"PDF 未能生成：{job.error}")
    return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)


# ---------------------------------------------------------------------------- files


@login_required
@permission_required("bulletins.view_issue", raise_exception=True)
def issue_docx(request, bulletin_pk):
    """A signed issue's stored file, byte for byte; a draft is rendered now, marked as a draft."""
    issue = _issue_for_user(request, bulletin_pk)
    if issue.is_signed:
        return _download(issue.docx, _filename(issue, ".docx"), DOCX)
    response = HttpResponse(renderer.render_docx(issue), content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(_filename(issue, '.docx'))}"
    return response


@login_required
@permission_required("bulletins.view_issue", raise_exception=True)
def issue_pdf(request, bulletin_pk):
    issue = _issue_for_user(request, bulletin_pk)
    if not issue.pdf:
        raise Http404("PDF 尚未生成")
    return _download(issue.pdf, _filename(issue, ".pdf"), "application/pdf")


@login_required
@require_POST
@permission_required("bulletins.change_issue", raise_exception=True)
def issue_pdf_make(request, bulletin_pk):
    issue = _editable_issue(request, bulletin_pk)
    if not issue.is_signed:
        messages.error(request, "签发后才能生成 PDF；草稿请下载 Word 预览。")
    elif not jobs.pdf_available():
        messages.error(request, "服务器未安装 LibreOffice，无法生成 PDF，请下载 Word 版。")
    else:
        job = jobs.schedule_pdf(issue, request.user)
        if job.status == job.Status.FAILED:
            messages.error(request, f"PDF 未能生成：{job.error}")
        elif job.status == job.Status.SUCCEEDED:
            messages.success(request, "PDF 已生成。")
        else:
            messages.info(request, "正在生成 PDF，完成后可下载。")
    return redirect("bulletins:issue_detail", bulletin_pk=issue.pk)


# ---------------------------------------------------------------------------- versions


@login_required
@permission_required("bulletins.view_issueversion", raise_exception=True)
def issue_versions(request, bulletin_pk):
    issue = _editable_issue(request, bulletin_pk)
    versions = list(issue.versions.select_related("author"))
    by_number = {v.number: v for v in versions}
    newest = versions[0] if versions else None
    new = by_number.get(_int(request, "b") or 0) or newest
    old = by_number.get(_int(request, "a") or 0)
    if old is None and new is not None:
        old = by_number.get(new.number - 1)
    rows = services.diff_versions(old, new) if old and new and old.number != new.number else []
    context = {
        "issue": issue,
        "versions": versions,
        "old": old,
        "new": new,
        "rows": rows,
        "nav_active": "bulletins",
    }
    return render(request, "bulletins/versions.html", context)


# ---------------------------------------------------------------------------- series


@login_required
@permission_required("bulletins.view_series", raise_exception=True)
def series_list(request):
    user = request.user
    series = (
        Series.objects.visible_to(user)
        .select_related("org")
        .annotate(
            signed_count=Count("issues", filter=Q(issues__status=Issue.Status.SIGNED), distinct=True),
            pending_count=Count("items", filter=Q(items__status=Item.Status.SUBMITTED), distinct=True),
        )
        .order_by("org__path", "name")
    )
    rows = [(s, permissions.can_manage(user, s)) for s in series]
    context = {
        "rows": rows,
        "can_add": user.has_perm("bulletins.add_series"),
        "section": "series",
        "nav_active": "bulletins",
    }
    return render(request, "bulletins/series_list.html", context)


def _series_fields(data: dict) -> dict:
    return {key: value for key, value in data.items() if key in services.SERIES_FIELDS}


@login_required
@permission_required("bulletins.add_series", raise_exception=True)
def series_create(request):
    form = SeriesForm(request.POST or None, user=request.user)
    if not form.fields["org"].queryset.exists():
        raise PermissionDenied("只有省、市、县产改办可以设立专报系列。")
    if request.method == "POST" and form.is_valid():
        try:
            services.create_series(request.user, form.cleaned_data["org"], **_series_fields(form.cleaned_data))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "已设立专报系列。")
            return redirect("bulletins:series_list")
    return render(request, "bulletins/series_form.html", {"form": form, "nav_active": "bulletins"})


@login_required
@permission_required("bulletins.change_series", raise_exception=True)
def series_edit(request, bulletin_series_pk):
    series = _series_for_user(request, bulletin_series_pk)
    if not permissions.is_owner_office(request.user, series):
        raise PermissionDenied("只有编发单位的产改办可以修改专报系列。")
    form = SeriesForm(request.POST or None, instance=series, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_series(request.user, series, **_series_fields(form.cleaned_data))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "已保存；新的默认报送范围对之后新建的各期生效。")
            return redirect("bulletins:series_list")
    context = {"form": form, "series": series, "nav_active": "bulletins"}
    return render(request, "bulletins/series_form.html", context)


# ---------------------------------------------------------------------------- items


@login_required
@permission_required("bulletins.view_item", raise_exception=True)
def item_list(request):
    user = request.user
    own = permissions.own_org_ids(user)
    items = Item.objects.visible_to(user).select_related("series", "org").prefetch_related("article__issue__series")
    tab = request.GET.get("tab", "")
    if tab == "incoming":
        items = items.filter(_incoming(user))
    elif tab == "mine":
        items = items.filter(org__in=own)
    else:
        tab = ""
    status, query = request.GET.get("status", ""), request.GET.get("q", "").strip()
    if status in Item.Status.values:
        items = items.filter(status=status)
    if query:
        items = items.filter(Q(title__icontains=query) | Q(body__icontains=query) | Q(org__name__icontains=query))
    if request.GET.get("export") == "xlsx":
        return xlsx_response(items_workbook(items[:5000]), "专报投稿.xlsx")
    page_obj = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    filters = {"status": status, "q": query}
    incoming = Item.objects.filter(_incoming(user), status=Item.Status.SUBMITTED)
    context = {
        "page_obj": page_obj,
        "section": "items",
        "tab": tab,
        "filters": filters,
        "filtered": any(filters.values()),
        "export_query": urlencode({**{k: v for k, v in filters.items() if v}, "tab": tab, "export": "xlsx"}),
        "statuses": Item.Status.choices,
        "can_submit": user.has_perm("bulletins.add_item") and Series.objects.open_to(user).exists(),
        "is_office": user.has_perm("bulletins.decide_item"),
        "incoming_count": incoming.count() if user.has_perm("bulletins.decide_item") else 0,
        "nav_active": "bulletins",
    }
    return render(request, "bulletins/item_list.html", context)


def _incoming(user) -> Q:
    """Items sent to the series the user's office publishes."""
    return Q(series__in=managed_series(user).values("pk")) if user.has_perm("bulletins.decide_item") else Q(pk__in=[])


@login_required
@permission_required("bulletins.add_item", raise_exception=True)
def item_create(request):
    form = ItemForm(request.POST or None, request.FILES or None, user=request.user)
    if not form.fields["series"].queryset.exists():
        messages.info(request, "上级产改办还没有接受投稿的专报。")
        return redirect("bulletins:item_list")
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            item = services.submit_item(request.user, data.pop("org"), data.pop("series"), **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "已投稿，上级产改办处理后您会收到通知。")
            return redirect("bulletins:item_detail", bulletin_item_pk=item.pk)
    return render(request, "bulletins/item_form.html", {"form": form, "nav_active": "bulletins", "creating": True})


def _item_page(request, item: Item, status=200, **forms):
    user = request.user
    decide = permissions.can_decide(user, item)
    article = getattr(item, "article", None)
    issue = article.issue if article else None
    context = {
        "item": item,
        "article": article,
        "issue": issue,
        "issue_visible": issue is not None and Issue.objects.visible_to(user).filter(pk=issue.pk).exists(),
        "events": item.events.select_related("actor"),
        "files": item.files.all(),
        "can_decide": decide,
        "can_change": permissions.can_change_item(user, item),
        "accept_form": forms.get("accept_form") or (AcceptForm(item=item) if decide else None),
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "nav_active": "bulletins",
    }
    return render(request, "bulletins/item_detail.html", context, status=status)


@login_required
@permission_required("bulletins.view_item", raise_exception=True)
def item_detail(request, bulletin_item_pk):
    return _item_page(request, _item_for_user(request, bulletin_item_pk))


@login_required
@permission_required("bulletins.add_item", raise_exception=True)
def item_edit(request, bulletin_item_pk):
    item = _item_for_user(request, bulletin_item_pk)
    if not permissions.is_submitter_side(request.user, item):
        raise PermissionDenied("只有投稿单位可以修改投稿。")
    if item.status != Item.Status.SUBMITTED:
        messages.error(request, f"该投稿{item.get_status_display()}，不能再修改。")
        return redirect("bulletins:item_detail", bulletin_item_pk=item.pk)
    initial = {"title": item.title, "body": item.body, "source": item.source}
    form = ItemEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item(request.user, item, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "已保存修改。")
            return redirect("bulletins:item_detail", bulletin_item_pk=item.pk)
    return render(request, "bulletins/item_form.html", {"form": form, "item": item, "nav_active": "bulletins"})


@login_required
@require_POST
@permission_required("bulletins.add_item", raise_exception=True)
def item_withdraw(request, bulletin_item_pk):
    item = _item_for_user(request, bulletin_item_pk)
    if not permissions.is_submitter_side(request.user, item):
        raise PermissionDenied("只有投稿单位可以撤回投稿。")
    try:
        services.withdraw_item(request.user, item)
    except ValidationError as exc:
        _failed(request, exc)
    else:
        messages.success(request, "已撤回投稿。")
    return redirect("bulletins:item_detail", bulletin_item_pk=item.pk)


@login_required
@require_POST
@permission_required("bulletins.decide_item", raise_exception=True)
def item_accept(request, bulletin_item_pk):
    item = _item_for_user(request, bulletin_item_pk)
    if not permissions.is_owner_office(request.user, item.series):
        raise PermissionDenied("只有专报的编发单位可以采用投稿。")
    form = AcceptForm(request.POST, item=item)
    if not form.is_valid():
        return _item_page(request, item, accept_form=form)
    data = dict(form.cleaned_data)
    issue = data.pop("issue")
    try:
        article = services.accept_item(request.user, item, issue, **data)
    except ValidationError as exc:
        attach_errors(form, exc)
        item.refresh_from_db()
        return _item_page(request, item, accept_form=form)
    messages.success(request, f"已采用，编入本期“工作信息”：{article.title}。")
    return redirect(f"{issue_detail_url(article.issue)}#article-{article.pk}")


@login_required
@require_POST
@permission_required("bulletins.decide_item", raise_exception=True)
def item_decline(request, bulletin_item_pk):
    item = _item_for_user(request, bulletin_item_pk)
    if not permissions.is_owner_office(request.user, item.series):
        raise PermissionDenied("只有专报的编发单位可以处理投稿。")
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, decline_form=form)
    try:
        services.decline_item(request.user, item, form.cleaned_data["reason"])
    except ValidationError as exc:
        attach_errors(form, exc)
        item.refresh_from_db()
        return _item_page(request, item, decline_form=form)
    messages.success(request, "已记为未采用，投稿单位会收到原因。")
    return redirect("bulletins:item_detail", bulletin_item_pk=item.pk)


@login_required
@permission_required("bulletins.view_item", raise_exception=True)
def item_file(request, bulletin_item_pk, bulletin_file_pk):
    """Serve an attachment only to those who may see the item."""
    item = _item_for_user(request, bulletin_item_pk)
    attachment = get_object_or_404(ItemFile, pk=bulletin_file_pk, item=item)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)

from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from changai.core.web import attach_errors as _attach_errors
from changai.core.web import xlsx_response as _xlsx_response
from changai.orgs.models import Kind, Org

from . import services, throttle
from .exports import suggestions_workbook
from .filters import SuggestionFilter
from .forms import CategoryForm, PublicSuggestionForm, ReviewForm, SuggestionForm
from .models import Suggestion, SuggestionBox, SuggestionCategory
from .permissions import can_add_for, can_decide, can_follow_up, can_manage_box, can_review

_VIEW = "suggestions.view_suggestion"
_NAV = "suggestions"
EXPORT_LIMIT = 50000
VERBS = {"adopt": "采纳", "decline": "不予采纳", "reward": "确定奖励", "implementation": "更新实施情况"}


# ---------------------------------------------------------------------------- access helpers


def _suggestion_for_user(request, suggestion_pk) -> Suggestion:
    suggestions = Suggestion.objects.visible_to(request.user).select_related("org", "category", "submitter")
    return get_object_or_404(suggestions, pk=suggestion_pk)


def _enterprise_for_user(request, org_pk) -> Org:
    return get_object_or_404(Org.objects.visible_to(request.user).filter(kind=Kind.ENTERPRISE), pk=org_pk)


def _org_param(request) -> Org | None:
    value = request.GET.get("org") or request.POST.get("org")
    if not value:
        return None
    if not str(value).isdigit():
        raise Http404
    return _enterprise_for_user(request, value)


def _enterprise_choices(request):
    """Enterprises in scope matching the search box (the first step of the form and the box pages)."""
    query = request.GET.get("q", "").strip()
    own = [m.org for m in request.user.active_memberships() if m.org.kind == Kind.ENTERPRISE]
    if not query:
        return query, own
    orgs = Org.objects.visible_to(request.user).search(query).filter(kind=Kind.ENTERPRISE, is_active=True)
    return query, list(orgs.order_by("path")[:30])


# ---------------------------------------------------------------------------- suggestions


@login_required
@permission_required(_VIEW, raise_exception=True)
def suggestion_list(request):
    suggestions = Suggestion.objects.visible_to(request.user).select_related("org", "category", "submitter")
    filterset = SuggestionFilter(request.GET or None, queryset=suggestions)
    suggestions = filterset.qs.order_by("-created_at", "-pk")
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(suggestions_workbook(suggestions[:EXPORT_LIMIT]), "职工建议.xlsx")
    page_obj = Paginator(suggestions, 30).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page_obj": page_obj, "nav_active": _NAV, "tab": "list"}
    return render(request, "suggestions/list.html", context)


@login_required
@permission_required(_VIEW, raise_exception=True)
def suggestion_detail(request, suggestion_pk):
    suggestion = _suggestion_for_user(request, suggestion_pk)
    context = {
        "suggestion": suggestion,
        "events": suggestion.events.select_related("actor"),
        "show_contact": can_review(request.user, suggestion),
        "can_decide": can_decide(request.user, suggestion),
        "can_follow_up": can_follow_up(request.user, suggestion),
        "implementation_choices": Suggestion.Implementation.choices,
        "nav_active": _NAV,
    }
    return render(request, "suggestions/detail.html", context)


@login_required
@permission_required("suggestions.add_suggestion", raise_exception=True)
def suggestion_create(request):
    org = _org_param(request)
    if org is None:
        query, choices = _enterprise_choices(request)
        if not query and len(choices) == 1:
            return redirect(f"{reverse('suggestions:create')}?org={choices[0].pk}")
        context = {"query": query, "choices": choices, "next": "suggestions:create", "nav_active": _NAV}
        return render(request, "suggestions/pick_org.html", {**context, "title": "录入职工建议：选择企业"})
    if not can_add_for(request.user, org):
        raise PermissionDenied("您无权为该企业录入建议。")
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            suggestion = services.create_suggestion(request.user, org, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "已录入职工建议。")
            return redirect("suggestions:detail", suggestion_pk=suggestion.pk)
    context = {"form": form, "org": org, "title": "录入职工建议", "nav_active": _NAV}
    return render(request, "suggestions/form.html", context)


@login_required
@permission_required(_VIEW, raise_exception=True)
@require_POST
def suggestion_review(request, suggestion_pk):
    suggestion = _suggestion_for_user(request, suggestion_pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "提交的内容有误：" + "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("suggestions:detail", suggestion_pk=suggestion.pk)
    action = form.cleaned_data["action"]
    try:
        services.perform(request.user, suggestion, action, **form.service_kwargs())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已{VERBS[action]}。")
    return redirect("suggestions:detail", suggestion_pk=suggestion.pk)


# ---------------------------------------------------------------------------- boxes


@login_required
@permission_required("suggestions.view_suggestionbox", raise_exception=True)
def box_list(request):
    query, choices = _enterprise_choices(request)
    if not query and len(choices) == 1:
        return redirect("suggestions:box", org_pk=choices[0].pk)
    boxes = {
        box.org_id: box
        for box in SuggestionBox.objects.visible_to(request.user).filter(org__in=[o.pk for o in choices])
    }
    for org in choices:
        org.box = boxes.get(org.pk)
    context = {"query": query, "choices": choices, "nav_active": _NAV, "tab": "boxes"}
    return render(request, "suggestions/box_list.html", context)


def _box_or_none(request, org) -> SuggestionBox | None:
    if can_manage_box(request.user, org):
        return services.ensure_box(request.user, org)
    return SuggestionBox.objects.visible_to(request.user).filter(org=org).first()


def _public_url(request, box) -> str:
    return request.build_absolute_uri(reverse("suggestions:public", kwargs={"token": box.token}))


@login_required
@permission_required("suggestions.view_suggestionbox", raise_exception=True)
def box_detail(request, org_pk):
    org = _enterprise_for_user(request, org_pk)
    box = _box_or_none(request, org)
    received = Suggestion.objects.visible_to(request.user).filter(org=org)
    context = {
        "org": org,
        "box": box,
        "public_url": _public_url(request, box) if box else "",
        "can_manage": can_manage_box(request.user, org),
        "received": received.count(),
        "pending": received.filter(status=Suggestion.Status.PENDING).count(),
        "nav_active": _NAV,
        "tab": "boxes",
    }
    return render(request, "suggestions/box_detail.html", context)


@login_required
@permission_required("suggestions.view_suggestionbox", raise_exception=True)
def box_qr(request, org_pk):
    org = _enterprise_for_user(request, org_pk)
    box = _box_or_none(request, org)
    if box is None:
        raise Http404("该企业尚未开通建议箱")
    qr = segno.make(_public_url(request, box), error="m")
    svg = qr.svg_inline(scale=8, border=2, title=f"{org.name}建议箱")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    if request.GET.get("download"):
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(org.name + '建议箱二维码.svg')}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@permission_required("suggestions.change_suggestionbox", raise_exception=True)
@require_POST
def box_reset(request, org_pk):
    org = _enterprise_for_user(request, org_pk)
    box = services.ensure_box(request.user, org)
    services.reset_box_link(request.user, box)
    messages.success(request, "已生成新的建议箱链接，原链接和二维码已失效，请重新张贴。")
    return redirect("suggestions:box", org_pk=org.pk)


@login_required
@permission_required("suggestions.change_suggestionbox", raise_exception=True)
@require_POST
def box_toggle(request, org_pk):
    org = _enterprise_for_user(request, org_pk)
    box = services.ensure_box(request.user, org)
    box = services.set_box_open(request.user, box, not box.is_open)
    messages.success(request, "建议箱已开启。" if box.is_open else "建议箱已暂停接收建议。")
    return redirect("suggestions:box", org_pk=org.pk)


# ---------------------------------------------------------------------------- the public page


@never_cache
def public_box(request, token):
    """The phone page of an enterprise's box: no account; the link itself is the key."""
    box = get_object_or_404(SuggestionBox.objects.select_related("org"), token=token, org__is_active=True)
    context = {"box": box, "org": box.org, "sent": request.GET.get("sent") == "1"}
    if not box.is_open:
        return render(request, "suggestions/public_closed.html", context)
    form = PublicSuggestionForm(request.POST or None)
    if request.method == "POST":
        reason = throttle.refusal(request, box)
        if reason:
            return render(request, "suggestions/public_throttled.html", {**context, "reason": reason}, status=429)
        if form.is_valid():
            try:
                services.submit_by_phone(box, **form.cleaned_data)
            except ValidationError as exc:
                _attach_errors(form, exc)
            else:
                throttle.record(request, box)
                return redirect(f"{reverse('suggestions:public', kwargs={'token': box.token})}?sent=1")
    return render(request, "suggestions/public.html", {**context, "form": form})


# ---------------------------------------------------------------------------- categories


@login_required
@permission_required("suggestions.view_suggestioncategory", raise_exception=True)
def category_list(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("suggestions.add_suggestioncategory"):
            raise PermissionDenied("您无权维护建议类别。")
        if form.is_valid():
            try:
                services.save_category(request.user, form.instance)
            except ValidationError as exc:
                _attach_errors(form, exc)
            else:
                messages.success(request, f"已新增建议类别“{form.instance.name}”。")
                return redirect("suggestions:categories")
    context = {"categories": SuggestionCategory.objects.all(), "form": form, "nav_active": _NAV, "tab": "categories"}
    return render(request, "suggestions/categories.html", context)


@login_required
@permission_required("suggestions.change_suggestioncategory", raise_exception=True)
def category_edit(request, category_pk):
    category = get_object_or_404(SuggestionCategory, pk=category_pk)
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_category(request.user, form.instance)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("suggestions:categories")
    context = {"form": form, "title": f"编辑建议类别“{category.name}”", "nav_active": _NAV}
    return render(request, "suggestions/form.html", context)

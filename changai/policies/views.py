from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from changai.core.web import xlsx_response as _xlsx_response
from changai.orgs.models import Org

from . import services
from .exports import parent_names, receipts_workbook
from .filters import PolicyFilter, ReceiptFilter, own_units
from .forms import PolicyForm, issuer_choices
from .models import Policy, PolicyAttachment, Receipt
from .permissions import can_edit_policy, can_publish, can_remind, is_publisher_side

_VIEW = "policies.view_policy"
_NAV = "policies"
EXPORT_LIMIT = 200000


# ---------------------------------------------------------------------------- access helpers


def _policy_for_user(request, policy_pk) -> Policy:
    return get_object_or_404(Policy.objects.visible_to(request.user).select_related("issuer"), pk=policy_pk)


def _attachment_for_user(request, attachment_pk) -> PolicyAttachment:
    attachments = PolicyAttachment.objects.filter(policy__in=Policy.objects.visible_to(request.user).values("pk"))
    return get_object_or_404(attachments.select_related("policy__issuer"), pk=attachment_pk)


def _attach_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = {"listed_orgs": "listed"}.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# ---------------------------------------------------------------------------- policies


@login_required
@permission_required(_VIEW, raise_exception=True)
def policy_list(request):
    policies = Policy.objects.visible_to(request.user).select_related("issuer")
    filterset = PolicyFilter(request.GET or None, queryset=policies, request=request)
    mine = Receipt.objects.filter(policy=OuterRef("pk"), org__in=own_units(request.user))
    policies = filterset.qs.annotate(
        received=Exists(mine),
        unread_here=Exists(mine.filter(read_at__isnull=True)),
        receipt_total=Count("receipts"),
        receipt_read=Count("receipts", filter=Q(receipts__read_at__isnull=False)),
    ).order_by("-published_at", "-pk")
    page_obj = Paginator(policies, 30).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "can_create": request.user.has_perm("policies.add_policy") and issuer_choices(request.user).exists(),
        "nav_active": _NAV,
    }
    return render(request, "policies/list.html", context)


@login_required
@permission_required(_VIEW, raise_exception=True)
def policy_detail(request, policy_pk):
    policy = _policy_for_user(request, policy_pk)
    services.mark_read(request.user, policy)
    publisher = is_publisher_side(request.user, policy)
    context = {
        "policy": policy,
        "attachments": policy.attachments.all(),
        "listed": policy.listed_orgs.order_by("path") if publisher else [],
        "my_receipts": Receipt.objects.filter(policy=policy, org__in=own_units(request.user)).select_related(
            "org", "read_by"
        ),
        "publisher": publisher,
        "events": policy.events.select_related("actor") if publisher else [],
        "summary": services.receipt_summary(policy) if publisher and policy.status != Policy.Status.DRAFT else None,
        "target_count": services.target_orgs(policy, request.user).count()
        if publisher and policy.status == Policy.Status.DRAFT
        else None,
        "can_edit": can_edit_policy(request.user, policy),
        "can_publish": can_publish(request.user, policy),
        "can_remind": can_remind(request.user, policy),
        "nav_active": _NAV,
    }
    return render(request, "policies/detail.html", context)


@login_required
@permission_required("policies.add_policy", raise_exception=True)
def policy_create(request):
    form = PolicyForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.create_policy(
                request.user, **form.service_kwargs(), attachments=form.cleaned_data["attachments"]
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已保存政策草稿“{policy.title}”，核对发送对象后即可发布。")
            return redirect("policies:detail", policy_pk=policy.pk)
    return render(request, "policies/form.html", {"form": form, "title": "起草政策举措", "nav_active": _NAV})


@login_required
@permission_required("policies.change_policy", raise_exception=True)
def policy_edit(request, policy_pk):
    policy = _policy_for_user(request, policy_pk)
    if not can_edit_policy(request.user, policy):
        raise PermissionDenied(f"当前状态为“{policy.get_status_display()}”或您无权修改，政策不能修改。")
    form = PolicyForm(request.POST or None, request.FILES or None, user=request.user, policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_policy(
                request.user, policy, **form.service_kwargs(), attachments=form.cleaned_data["attachments"]
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("policies:detail", policy_pk=policy.pk)
    context = {
        "form": form,
        "policy": policy,
        "attachments": policy.attachments.all(),
        "title": f"修改政策“{policy.title}”",
        "nav_active": _NAV,
    }
    return render(request, "policies/form.html", context)


@login_required
@permission_required("policies.publish_policy", raise_exception=True)
@require_POST
def policy_publish(request, policy_pk):
    policy = _policy_for_user(request, policy_pk)
    try:
        policy = services.publish_policy(request.user, policy)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        count = policy.receipts.count()
        messages.success(request, f"已发布，送达{count}家单位。")
    return redirect("policies:detail", policy_pk=policy.pk)


@login_required
@permission_required("policies.publish_policy", raise_exception=True)
@require_POST
def policy_withdraw(request, policy_pk):
    policy = _policy_for_user(request, policy_pk)
    try:
        services.withdraw_policy(request.user, policy, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已撤回该政策。")
    return redirect("policies:detail", policy_pk=policy.pk)


# ---------------------------------------------------------------------------- receipts


@login_required
@permission_required(_VIEW, raise_exception=True)
def receipt_status(request, policy_pk):
    policy = _policy_for_user(request, policy_pk)
    if not is_publisher_side(request.user, policy):
        raise PermissionDenied("只有发布方可以查看阅读回执。")
    receipts = Receipt.objects.filter(policy=policy).select_related("org", "read_by")
    filterset = ReceiptFilter(request.GET or None, queryset=receipts)
    receipts = filterset.qs.order_by("org__path")
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(receipts_workbook(policy, receipts[:EXPORT_LIMIT]), f"{policy.title[:40]}阅读回执.xlsx")
    page_obj = Paginator(receipts, 50).get_page(request.GET.get("page"))
    page_obj.object_list = list(page_obj.object_list)
    parents = parent_names([r.org for r in page_obj.object_list])
    for receipt in page_obj.object_list:
        receipt.parent_name = parents.get(receipt.org.path[: -Org.steplen], "")
    context = {
        "policy": policy,
        "filter": filterset,
        "page_obj": page_obj,
        "summary": services.receipt_summary(policy),
        "can_remind": can_remind(request.user, policy),
        "nav_active": _NAV,
    }
    return render(request, "policies/receipts.html", context)


@login_required
@permission_required("policies.publish_policy", raise_exception=True)
@require_POST
def remind(request, policy_pk):
    policy = _policy_for_user(request, policy_pk)
    try:
        orgs, users = services.remind_unread(request.user, policy)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已向{orgs}家未阅单位的{users}名用户发送催阅提醒。")
    return redirect("policies:receipts", policy_pk=policy.pk)


# ---------------------------------------------------------------------------- attachments


@login_required
@permission_required(_VIEW, raise_exception=True)
def attachment_download(request, attachment_pk):
    attachment = _attachment_for_user(request, attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件已不存在") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
@permission_required("policies.change_policy", raise_exception=True)
@require_POST
def attachment_delete(request, attachment_pk):
    attachment = _attachment_for_user(request, attachment_pk)
    policy = attachment.policy
    if not can_edit_policy(request.user, policy):
        raise PermissionDenied("政策已发布或您无权修改，附件不能删除。")
    services.remove_attachment(request.user, attachment)
    messages.success(request, f"已删除附件“{attachment.name}”。")
    return redirect("policies:edit", policy_pk=policy.pk)

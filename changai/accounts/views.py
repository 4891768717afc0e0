from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from changai.orgs.models import Org

from . import services
from .forms import LoginForm, MembershipForm, PasswordChangeForm, UserCreateForm
from .models import LoginEvent, Membership, User
from .scope import scope_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(request.user, form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def profile(request):
    token = Token.objects.filter(user=request.user).first()
    memberships = request.user.memberships.select_related("org").order_by("-valid_from")
    return render(request, "accounts/profile.html", {"token": token, "memberships": memberships})


@login_required
@require_POST
def regenerate_token(request):
    Token.objects.filter(user=request.user).delete()
    Token.objects.create(user=request.user)
    messages.success(request, "已生成新的接口令牌，旧令牌立即失效。")
    return redirect("accounts:profile")


@login_required
@permission_required("accounts.view_user", raise_exception=True)
def user_list(request):
    query = request.GET.get("q", "").strip()
    users = User.objects.visible_to(request.user).prefetch_related("memberships__org").order_by("username")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    page_obj = Paginator(users, 30).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page_obj": page_obj, "query": query, "nav_active": "users"})


def _user_for(request, user_pk):
    return get_object_or_404(User.objects.visible_to(request.user), pk=user_pk)


@login_required
@permission_required("accounts.view_user", raise_exception=True)
def user_detail(request, user_pk):
    subject = _user_for(request, user_pk)
    memberships = subject.memberships.filter(scope_for(request.user).q("org")).select_related("org")
    events = LoginEvent.objects.filter(Q(user=subject) | Q(username=subject.username))[:20]
    return render(
        request,
        "accounts/user_detail.html",
        {"subject": subject, "memberships": memberships, "events": events, "nav_active": "users"},
    )


@login_required
@permission_required("accounts.add_user", raise_exception=True)
def user_create(request, org_pk):
    org = get_object_or_404(Org.objects.visible_to(request.user), pk=org_pk)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subject = services.create_user(request.user, org=org, **data)
        except ValidationError as exc:
            field = "password" if not hasattr(exc, "error_dict") else None
            form.add_error(field, exc)
        except PermissionDenied as exc:
            form.add_error("role", str(exc))
        else:
            messages.success(request, f"已创建用户“{subject.username}”，请将初始密码告知本人，首次登录须修改。")
            return redirect("accounts:user_detail", user_pk=subject.pk)
    return render(request, "accounts/user_form.html", {"form": form, "org": org, "nav_active": "users"})


@login_required
@permission_required("accounts.add_membership", raise_exception=True)
def membership_create(request, org_pk):
    org = get_object_or_404(Org.objects.visible_to(request.user), pk=org_pk)
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subject = User.objects.filter(username=form.cleaned_data["username"]).first()
        if subject is None:
            form.add_error("username", "没有这个用户名。")
        else:
            try:
                services.grant_membership(
                    request.user, subject, org, form.cleaned_data["role"], title=form.cleaned_data["title"]
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error("role", exc if isinstance(exc, ValidationError) else str(exc))
            else:
                messages.success(request, f"已授予“{subject}”在“{org}”的角色。")
                return redirect("orgs:detail", org_pk=org.pk)
    return render(request, "accounts/membership_form.html", {"form": form, "org": org, "nav_active": "users"})


@login_required
@require_POST
@permission_required("accounts.change_membership", raise_exception=True)
def membership_end(request, membership_pk):
    membership = get_object_or_404(Membership.objects.visible_to(request.user), pk=membership_pk)
    try:
        services.end_membership(request.user, membership)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, "已撤销该授权。")
    return redirect("accounts:user_detail", user_pk=membership.user_id)


def _audit_entries_for(user):
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    scope = scope_for(user)
    if scope.everything:
        return entries
    condition = Q(pk__in=[])
    for path in scope.paths:
        condition |= Q(additional_data__org_path__startswith=path)
    return entries.filter(condition)


@login_required
@permission_required("auditlog.view_logentry", raise_exception=True)
def audit_log(request):
    entries = _audit_entries_for(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        entries = entries.filter(Q(object_repr__icontains=query) | Q(actor__username__icontains=query))
    page_obj = Paginator(entries, 30).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page_obj": page_obj, "query": query, "nav_active": "audit"})


@login_required
@permission_required("accounts.view_loginevent", raise_exception=True)
def login_events(request):
    events = LoginEvent.objects.select_related("user")
    if not scope_for(request.user).everything:
        usernames = User.objects.visible_to(request.user).values("username")
        events = events.filter(username__in=usernames)
    page_obj = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/login_events.html", {"page_obj": page_obj, "nav_active": "audit"})

"""Accounts: creating users, granting and ending memberships, password changes."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Membership, User
from .roles import Role
from .scope import scope_for

# Roles only a province-level administrator may hand out.
_PROVINCIAL_ROLES = {Role.ADMIN, Role.PROVINCE_OFFICE}


def can_grant(granter, org, role) -> bool:
    if not granter.has_perm("accounts.add_membership") or not scope_for(granter).contains(org):
        return False
    if role == Role.ADMIN:
        return granter.is_superuser or scope_for(granter).everything and granter.has_perm("orgs.delete_org")
    if role in _PROVINCIAL_ROLES:
        return granter.has_perm("accounts.manage_divisions")
    return True


@transaction.atomic
def create_user(
    granter, *, username: str, full_name: str, password: str, org, role: str, phone: str = "", title: str = ""
) -> User:
    """Create a user holding an initial password (to be changed at first login) and one membership."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "用户名已存在。"})
    if not can_grant(granter, org, role):
        raise PermissionDenied("您无权在该组织授予此角色。")
    user = User(username=username, full_name=full_name, phone=phone, must_change_password=True)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    grant_membership(granter, user, org, role, title=title)
    return user


@transaction.atomic
def grant_membership(granter, user: User, org, role: str, *, title: str = "", valid_from: date | None = None):
    if granter is not None and not can_grant(granter, org, role):
        raise PermissionDenied("您无权在该组织授予此角色。")
    if user.memberships.active().filter(org=org, role=role).exists():
        raise ValidationError("该用户在此组织已有相同角色。")
    return Membership.objects.create(
        user=user, org=org, role=role, title=title, valid_from=valid_from or timezone.localdate()
    )


@transaction.atomic
def end_membership(granter, membership: Membership, on: date | None = None) -> Membership:
    if not can_grant(granter, membership.org, membership.role):
        raise PermissionDenied("您无权撤销该授权。")
    # valid_to is the last day the role is held: ending "on" a date takes effect that day.
    last_day = (on or timezone.localdate()) - timedelta(days=1)
    if membership.valid_to and membership.valid_to <= last_day:
        raise ValidationError("该授权已结束。")
    membership.valid_to = max(last_day, membership.valid_from - timedelta(days=1))
    membership.save(update_fields=["valid_to"])
    return membership


def change_password(user: User, new_password: str) -> None:
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])

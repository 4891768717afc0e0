"""Named predicates on orgs, used by views, the API and templates alike."""

from changai.accounts.scope import scope_for

from .models import DIVISION_KINDS, Kind


def can_view_org(user, org) -> bool:
    return user.has_perm("orgs.view_org") and scope_for(user).contains(org)


def _is_scope_root(user, org) -> bool:
    scope = scope_for(user)
    return not scope.everything and org.path in scope.paths


def can_edit_org(user, org) -> bool:
    if not (user.has_perm("orgs.change_org") and scope_for(user).contains(org)):
        return False
    if org.kind in DIVISION_KINDS:
        return user.has_perm("accounts.manage_divisions")
    if org.kind == Kind.TOWN and _is_scope_root(user, org):
        # A town office keeps its own official name and code; the county maintains them.
        return user.has_perm("accounts.manage_divisions")
    return True


def can_add_child(user, parent, kind) -> bool:
    if not (user.has_perm("orgs.add_org") and scope_for(user).contains(parent)):
        return False
    if kind in DIVISION_KINDS:
        return user.has_perm("accounts.manage_divisions")
    return True


def can_move_org(user, org, new_parent) -> bool:
    if _is_scope_root(user, org):
        return False
    return can_edit_org(user, org) and can_add_child(user, new_parent, org.kind)

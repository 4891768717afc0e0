"""The one place that decides which orgs, and so which records, a user may see.

A user sees the subtree of the org of each active membership; a member of an industry line
also sees the enterprises currently in that line, and a member of a group's head enterprise the
group's member enterprises. Member units see their own node (and,
in the apps that route work to them, what is routed to them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from .roles import Role


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    paths: tuple[str, ...] = ()
    line_ids: tuple[int, ...] = ()
    group_ids: tuple[int, ...] = ()

    def q(self, field: str = "") -> Q:
        """A filter on `field` (an FK to Org, or "" for Org itself) matching the orgs in scope."""
        prefix = f"{field}__" if field else ""
        if self.everything:
            return Q()
        if not self.paths and not self.line_ids and not self.group_ids:
            return Q(**{f"{field or 'pk'}__in": []})
        condition = Q()
        for path in self.paths:
            condition |= Q(**{f"{prefix}path__startswith": path})
        if self.line_ids:
            from changai.orgs.models import current_line_memberships

            members = current_line_memberships().filter(line_id__in=self.line_ids).values("org_id")
            condition |= Q(**{f"{field or 'pk'}__in": members})
        if self.group_ids:
            condition |= Q(**{f"{prefix}group_id__in": self.group_ids})
        return condition

    def contains(self, org) -> bool:
        if self.everything:
            return True
        if any(org.path.startswith(path) for path in self.paths):
            return True
        if self.line_ids:
            from changai.orgs.models import current_line_memberships

            if current_line_memberships().filter(line_id__in=self.line_ids, org=org).exists():
                return True
        return bool(self.group_ids) and org.group_id in self.group_ids


NOTHING = Scope()


def scope_for(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_changai_scope", None)
    if cached is None:
        cached = _compute_scope(user)
        user._changai_scope = cached
    return cached


def _compute_scope(user) -> Scope:
    if user.is_superuser:
        return Scope(everything=True)
    memberships = list(user.active_memberships())
    if any(m.role == Role.ADMIN for m in memberships):
        return Scope(everything=True)
    roots = sorted({m.org.path for m in memberships}, key=len)
    paths: list[str] = []
    for path in roots:
        if not any(path.startswith(kept) for kept in paths):
            paths.append(path)
    line_ids = tuple(sorted({m.org_id for m in memberships if m.org.kind == "industry_line"}))
    group_ids = tuple(sorted({m.org_id for m in memberships if m.org.kind == "enterprise"}))
    return Scope(paths=tuple(paths), line_ids=line_ids, group_ids=group_ids)


def root_orgs(user):
    """The orgs at the top of the user's scope (for the tree browser's starting points)."""
    from changai.orgs.models import Org

    scope = scope_for(user)
    if scope.everything:
        return Org.objects.get_root_nodes()
    return Org.objects.filter(path__in=scope.paths).order_by("path")

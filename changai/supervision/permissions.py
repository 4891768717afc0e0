"""Named predicates on spot checks, brands and meetings, used by services, views and templates alike."""

from changai.accounts.scope import scope_for
from changai.worklists.services import can_manage_plan


def _units(user) -> set[int]:
    return {m.org_id for m in user.active_memberships()}


def can_draw_sample(user, plan) -> bool:
    return user.has_perm("supervision.add_spotcheck") and can_manage_plan(user, plan)


def can_record_finding(user, spot_check) -> bool:
    return user.has_perm("supervision.add_finding") and can_manage_plan(user, spot_check.plan)


def can_order_rectification(user, spot_check) -> bool:
    return user.has_perm("supervision.add_rectification") and can_manage_plan(user, spot_check.plan)


def can_complete_rectification(user, rectification) -> bool:
    """The responsible unit reports its rectification done; the plan's office may record it too."""
    if not user.has_perm("supervision.change_rectification"):
        return False
    return rectification.unit_id in _units(user) or can_manage_plan(user, rectification.finding.spot_check.plan)


def can_promote(user, item) -> bool:
    return user.has_perm("supervision.add_brand") and can_manage_plan(user, item.plan)


def can_evaluate(user, brand) -> bool:
    return user.has_perm("supervision.add_brandevaluation") and can_manage_plan(user, brand.item.plan)


def can_manage_criteria(user) -> bool:
    return user.has_perm("supervision.add_brandcriterion") and user.has_perm("supervision.change_brandcriterion")


def can_convene(user, org) -> bool:
    return user.has_perm("supervision.add_meeting") and scope_for(user).contains(org)


def can_manage_meeting(user, meeting) -> bool:
    return user.has_perm("supervision.change_meeting") and scope_for(user).contains(meeting.org)

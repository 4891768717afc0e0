"""Named predicates on assessments, used by services, views, the API and templates alike.

The assessing office is the scorecard's org itself: offices above it see its scorecards but do not mark them.
"""

from changai.accounts.scope import scope_for
from changai.orgs.models import Kind

from .models import Assessee, Scorecard

OFFICE_KINDS = (Kind.PROVINCE, Kind.CITY, Kind.COUNTY, Kind.TOWN, Kind.PARK)
ASSESSEE_KINDS = (Kind.CITY, Kind.COUNTY, Kind.TOWN, Kind.PARK, Kind.MEMBER_UNIT, Kind.ENTERPRISE)


def _member_of(user, org) -> bool:
    if scope_for(user).everything:
        return True
    return any(m.org_id == org.pk for m in user.active_memberships())


def can_create_for(user, org) -> bool:
    return user.has_perm("evaluations.add_scorecard") and org.kind in OFFICE_KINDS and _member_of(user, org)


def is_office(user, scorecard: Scorecard) -> bool:
    """A member of the assessing office (or an administrator)."""
    return _member_of(user, scorecard.org)


def sees_all_rows(user, scorecard: Scorecard) -> bool:
    """The office's scope (the office and those above it) sees every assessee; an assessee sees only its own row."""
    return scope_for(user).contains(scorecard.org)


def can_manage(user, scorecard: Scorecard) -> bool:
    return user.has_perm("evaluations.change_scorecard") and is_office(user, scorecard)


def can_edit_setup(user, scorecard: Scorecard) -> bool:
    return can_manage(user, scorecard) and scorecard.status == Scorecard.Status.DRAFT


def can_review(user, scorecard: Scorecard) -> bool:
    return (
        user.has_perm("evaluations.review_score")
        and is_office(user, scorecard)
        and scorecard.status == Scorecard.Status.OPEN
    )


def is_assessee_member(user, assessee: Assessee) -> bool:
    return any(m.org_id == assessee.org_id for m in user.active_memberships())


def can_self_score(user, assessee: Assessee) -> bool:
    return (
        user.has_perm("evaluations.self_score")
        and is_assessee_member(user, assessee)
        and assessee.scorecard.status == Scorecard.Status.OPEN
    )

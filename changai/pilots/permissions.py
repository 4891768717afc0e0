"""Named predicates on pilots, used by services, views, the API and templates alike."""

from changai.accounts.scope import scope_for

from .models import PILOT_KINDS, PilotUnit

Status = PilotUnit.Status

# Transitions a pilot's own side may make (the unit and the offices it sits under, with change rights);
# the others are the reviewing office's.
OWN_SIDE_ACTIONS = {"start_running", "request_acceptance"}
EDITABLE_STATUSES = (Status.APPLICATION, Status.REVIEW)
PROJECT_STATUSES = (Status.APPROVED, Status.RUNNING, Status.ACCEPTANCE)


def _is_scope_root(user, org) -> bool:
    scope = scope_for(user)
    return not scope.everything and org.path in scope.paths


def can_view_pilot(user, pilot: PilotUnit) -> bool:
    return user.has_perm("pilots.view_pilotunit") and scope_for(user).contains(pilot.org)


def can_apply(user, org) -> bool:
    return user.has_perm("pilots.add_pilotunit") and org.kind in PILOT_KINDS and scope_for(user).contains(org)


def can_edit_pilot(user, pilot: PilotUnit) -> bool:
    return user.has_perm("pilots.change_pilotunit") and scope_for(user).contains(pilot.org)


def can_review_pilot(user, pilot: PilotUnit) -> bool:
    """The reviewing office sits above the pilot: it sees the pilot's org and supervising office, but is not it."""
    scope = scope_for(user)
    return (
        user.has_perm("pilots.review_pilotunit")
        and scope.contains(pilot.org)
        and not _is_scope_root(user, pilot.org)
        and (pilot.supervisor is None or scope.contains(pilot.supervisor))
    )


def can_transition(user, pilot: PilotUnit, action: str) -> bool:
    """Whether the user may make this transition (regardless of the pilot's current status)."""
    if action in OWN_SIDE_ACTIONS:
        return can_edit_pilot(user, pilot) or can_review_pilot(user, pilot)
    if action == "withdraw" and pilot.status in EDITABLE_STATUSES and can_edit_pilot(user, pilot):
        return True  # an applicant may take back its own application
    return can_review_pilot(user, pilot)


def can_add_project(user, pilot: PilotUnit) -> bool:
    return (
        user.has_perm("pilots.add_pilotproject")
        and pilot.status in PROJECT_STATUSES
        and scope_for(user).contains(pilot.org)
    )


def can_edit_project(user, project) -> bool:
    return (
        user.has_perm("pilots.change_pilotproject")
        and project.pilot.status in PROJECT_STATUSES
        and scope_for(user).contains(project.pilot.org)
    )


def can_add_pairing(user, lead_org) -> bool:
    return user.has_perm("pilots.add_pairing") and scope_for(user).contains(lead_org)

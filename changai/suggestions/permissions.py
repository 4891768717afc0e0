"""Named predicates on suggestions and suggestion boxes, used by services, views, the API and templates alike."""

from changai.accounts.scope import scope_for
from changai.orgs.models import Kind

from .models import Suggestion

Status = Suggestion.Status


def can_add_for(user, org) -> bool:
    """Record a suggestion for an enterprise in the user's scope (the enterprise union, or an office above)."""
    return user.has_perm("suggestions.add_suggestion") and org.kind == Kind.ENTERPRISE and scope_for(user).contains(org)


def can_review(user, suggestion: Suggestion) -> bool:
    """Decide on, reward and follow a suggestion: the enterprise's union or an office above it.
    Reviewers are also the only ones who see the proposer's name and phone."""
    return user.has_perm("suggestions.review_suggestion") and scope_for(user).contains(suggestion.org)


def can_decide(user, suggestion: Suggestion) -> bool:
    return suggestion.status == Status.PENDING and can_review(user, suggestion)


def can_follow_up(user, suggestion: Suggestion) -> bool:
    """Set the reward and the implementation of an adopted suggestion."""
    return suggestion.status == Status.ADOPTED and can_review(user, suggestion)


def can_manage_box(user, org) -> bool:
    return (
        user.has_perm("suggestions.change_suggestionbox")
        and org.kind == Kind.ENTERPRISE
        and scope_for(user).contains(org)
    )

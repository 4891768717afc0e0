"""Named predicates on policies, used by services, views, the API and templates alike."""

from changai.accounts.scope import scope_for

from .models import ISSUER_KINDS, Policy

Status = Policy.Status


def can_issue_for(user, issuer) -> bool:
    """Draft policies in the name of `issuer`: an office or member unit in the user's scope."""
    return user.has_perm("policies.add_policy") and issuer.kind in ISSUER_KINDS and scope_for(user).contains(issuer)


def is_publisher_side(user, policy: Policy) -> bool:
    """The issuing side: users whose scope covers the issuer (they see the receipts)."""
    return user.has_perm("policies.view_policy") and scope_for(user).contains(policy.issuer)


def can_edit_policy(user, policy: Policy) -> bool:
    return (
        policy.status == Status.DRAFT
        and user.has_perm("policies.change_policy")
        and scope_for(user).contains(policy.issuer)
    )


def can_publish(user, policy: Policy) -> bool:
    return user.has_perm("policies.publish_policy") and scope_for(user).contains(policy.issuer)


def can_remind(user, policy: Policy) -> bool:
    return policy.status == Status.PUBLISHED and can_publish(user, policy)

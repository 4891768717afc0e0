"""Named predicates on bulletins, used by services, views, the API and templates alike."""

from changai.orgs.models import Org

from .models import OWNER_KINDS, Issue, Item, Series, office_org_ids


def is_owner_office(user, series: Series) -> bool:
    """The office that publishes the series: an office role held at the series' own org (or an administrator)."""
    offices = office_org_ids(user)
    return offices is None or series.org_id in offices


def can_create_series_for(user, org: Org) -> bool:
    offices = office_org_ids(user)
    return user.has_perm("bulletins.add_series") and org.kind in OWNER_KINDS and (offices is None or org.pk in offices)


def can_manage(user, series: Series) -> bool:
    """Draft issues of the series, change its settings and decide on the items sent to it."""
    return user.has_perm("bulletins.change_issue") and is_owner_office(user, series)


def can_edit(user, issue: Issue) -> bool:
    return not issue.is_signed and can_manage(user, issue.series)


def can_sign(user, issue: Issue) -> bool:
    return (
        issue.status == Issue.Status.REVIEW and user.has_perm("bulletins.sign_issue") and can_manage(user, issue.series)
    )


def can_decide(user, item: Item) -> bool:
    return (
        item.status == Item.Status.SUBMITTED
        and user.has_perm("bulletins.decide_item")
        and is_owner_office(user, item.series)
    )


def own_org_ids(user) -> set[int]:
    return {m.org_id for m in user.active_memberships()} if user.is_authenticated else set()


def is_submitter_side(user, item: Item) -> bool:
    """Users of the submitting org itself."""
    return item.org_id in own_org_ids(user)


def can_change_item(user, item: Item) -> bool:
    """The submitting org edits or withdraws its item until the office has decided."""
    return (
        item.status == Item.Status.SUBMITTED and user.has_perm("bulletins.add_item") and is_submitter_side(user, item)
    )


def is_above(series: Series, org: Org) -> bool:
    """The series belongs to an office strictly above the org."""
    return org.path.startswith(series.org.path) and org.depth > series.org.depth

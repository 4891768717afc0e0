"""Roles: what each kind of member may do. Where they may do it is the membership's org (scope.py)."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    PROVINCE_OFFICE = "province_office", "省产改办"
    LOCAL_OFFICE = "local_office", "市/县产改办"
    TOWN = "town", "乡镇/园区"
    MEMBER_UNIT = "member_unit", "成员单位联络员"
    INDUSTRY_LINE = "industry_line", "产业系统工会"
    ENTERPRISE_UNION = "enterprise_union", "企业工会"
    LIAISON = "liaison", "指导员/观察员/联络员"
    LEADER = "leader", "领导（只读）"


_VIEW = [
    "orgs.view_org",
    "orgs.view_linemembership",
    "core.view_job",
    "indicators.view_indicator",
    "indicators.view_dataset",
    "indicators.view_submission",
    "indicators.view_datavalue",
]
_REPORT = ["indicators.add_datavalue", "indicators.change_datavalue"]
_REVIEW = [*_REPORT, "indicators.change_submission", "indicators.add_deadlineexception"]
_PLANS_VIEW = [
    "worklists.view_plan",
    "worklists.view_planitem",
    "worklists.view_supervisionnotice",
    "worklists.view_progress",
    "worklists.view_checkpoint",
]
_PLANS_REPORT = [*_PLANS_VIEW, "worklists.add_progress", "worklists.change_supervisionnotice"]
_PLANS_MANAGE = [
    *_PLANS_REPORT,
    "worklists.add_plan",
    "worklists.change_plan",
    "worklists.add_planitem",
    "worklists.change_planitem",
    "worklists.add_supervisionnotice",
]
_CATALOGUE = [
    "indicators.add_indicator",
    "indicators.change_indicator",
    "indicators.add_dataset",
    "indicators.change_dataset",
]
_MANAGE_ORGS = [*_VIEW, "orgs.add_org", "orgs.change_org", "orgs.add_linemembership", "orgs.change_linemembership"]
_MANAGE_USERS = [
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "accounts.view_membership",
    "accounts.add_membership",
    "accounts.change_membership",
    "auditlog.view_logentry",
    "accounts.view_loginevent",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: [*_MANAGE_ORGS, *_MANAGE_USERS, *_REVIEW, *_CATALOGUE, "orgs.delete_org", "accounts.manage_divisions"],
    Role.PROVINCE_OFFICE: [*_MANAGE_ORGS, *_MANAGE_USERS, *_REVIEW, *_CATALOGUE, "accounts.manage_divisions"],
    Role.LOCAL_OFFICE: [*_MANAGE_ORGS, *_MANAGE_USERS, *_REVIEW],
    Role.TOWN: [*_MANAGE_ORGS, *_REVIEW, "accounts.view_user", "accounts.view_membership"],
    Role.MEMBER_UNIT: _VIEW,
    Role.INDUSTRY_LINE: [*_VIEW, *_REVIEW, "orgs.change_org", "accounts.view_user", "accounts.view_membership"],
    Role.ENTERPRISE_UNION: [*_VIEW, *_REPORT, "orgs.change_org"],
    Role.LIAISON: _VIEW,
    Role.LEADER: _VIEW,
}

# Work plans: offices manage them, responsible units report and answer notices, readers see them.
for _role, _perms in {
    Role.ADMIN: _PLANS_MANAGE,
    Role.PROVINCE_OFFICE: _PLANS_MANAGE,
    Role.LOCAL_OFFICE: _PLANS_MANAGE,
    Role.TOWN: _PLANS_MANAGE,
    Role.INDUSTRY_LINE: _PLANS_MANAGE,
    Role.MEMBER_UNIT: _PLANS_REPORT,
    Role.ENTERPRISE_UNION: _PLANS_REPORT,
    Role.LIAISON: _PLANS_VIEW,
    Role.LEADER: _PLANS_VIEW,
}.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# Pilots: everyone reads them; offices, towns and industry lines apply and run them; offices review them.
_PILOTS_VIEW = ["pilots.view_pilotunit", "pilots.view_pilotproject", "pilots.view_pairing", "pilots.view_pilottype"]
_PILOTS_RUN = [
    *_PILOTS_VIEW,
    "pilots.add_pilotunit",
    "pilots.change_pilotunit",
    "pilots.add_pilotproject",
    "pilots.change_pilotproject",
    "pilots.add_pairing",
    "pilots.change_pairing",
]
_PILOTS_REVIEW = [*_PILOTS_RUN, "pilots.review_pilotunit"]
for _role, _perms in {
    Role.ADMIN: [*_PILOTS_REVIEW, "pilots.add_pilottype", "pilots.change_pilottype"],
    Role.PROVINCE_OFFICE: [*_PILOTS_REVIEW, "pilots.add_pilottype", "pilots.change_pilottype"],
    Role.LOCAL_OFFICE: _PILOTS_REVIEW,
    Role.TOWN: _PILOTS_REVIEW,
    Role.INDUSTRY_LINE: _PILOTS_RUN,
    Role.MEMBER_UNIT: _PILOTS_VIEW,
    Role.ENTERPRISE_UNION: _PILOTS_VIEW,
    Role.LIAISON: _PILOTS_VIEW,
    Role.LEADER: _PILOTS_VIEW,
}.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]


# Supervision: spot checks, brands and joint meetings. Offices run them; the units ordered to rectify report back;
# everyone reads them. The brand standard is one province-wide table, so only the province edits it.
_SUPERVISION_MODELS = ["spotcheck", "finding", "rectification", "brand", "brandevaluation", "meeting", "decision"]
_SUPERVISION_VIEW = [f"supervision.view_{m}" for m in [*_SUPERVISION_MODELS, "brandcriterion"]]
_SUPERVISION_RESPOND = [*_SUPERVISION_VIEW, "supervision.change_rectification"]
_SUPERVISION_MANAGE = [
    *_SUPERVISION_VIEW,
    *(f"supervision.{action}_{m}" for m in _SUPERVISION_MODELS for action in ("add", "change")),
]
_SUPERVISION_CRITERIA = ["supervision.add_brandcriterion", "supervision.change_brandcriterion"]
for _role, _perms in {
    Role.ADMIN: [*_SUPERVISION_MANAGE, *_SUPERVISION_CRITERIA],
    Role.PROVINCE_OFFICE: [*_SUPERVISION_MANAGE, *_SUPERVISION_CRITERIA],
    Role.LOCAL_OFFICE: _SUPERVISION_MANAGE,
    Role.TOWN: _SUPERVISION_MANAGE,
    Role.INDUSTRY_LINE: _SUPERVISION_MANAGE,
    Role.MEMBER_UNIT: _SUPERVISION_RESPOND,
    Role.ENTERPRISE_UNION: _SUPERVISION_RESPOND,
    Role.LIAISON: _SUPERVISION_VIEW,
    Role.LEADER: _SUPERVISION_VIEW,
}.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# Assessment (考核): everyone reads the scorecards they may see; offices set them up and mark them; assessed orgs
# (towns, member units, enterprises, and counties assessed by their city) enter self-scores.
_EVAL_VIEW = [
    "evaluations.view_scorecard",
    "evaluations.view_scorerule",
    "evaluations.view_assessee",
    "evaluations.view_score",
]
_EVAL_SELF = [*_EVAL_VIEW, "evaluations.self_score"]
_EVAL_MANAGE = [
    *_EVAL_VIEW,
    "evaluations.add_scorecard",
    "evaluations.change_scorecard",
    "evaluations.add_scorerule",
    "evaluations.change_scorerule",
    "evaluations.add_assessee",
    "evaluations.change_assessee",
    "evaluations.review_score",
]
for _role, _perms in {
    Role.ADMIN: _EVAL_MANAGE,
    Role.PROVINCE_OFFICE: _EVAL_MANAGE,
    Role.LOCAL_OFFICE: [*_EVAL_MANAGE, "evaluations.self_score"],
    Role.TOWN: _EVAL_SELF,
    Role.MEMBER_UNIT: _EVAL_SELF,
    Role.ENTERPRISE_UNION: _EVAL_SELF,
    Role.INDUSTRY_LINE: _EVAL_VIEW,
    Role.LIAISON: _EVAL_VIEW,
    Role.LEADER: _EVAL_VIEW,
}.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# Policies going down (政策直达): offices, towns and industry lines draft and publish them to the orgs below;
# everyone reads the policies issued in their scope and those sent to their own org.
_POLICIES_VIEW = ["policies.view_policy"]
_POLICIES_PUBLISH = [*_POLICIES_VIEW, "policies.add_policy", "policies.change_policy", "policies.publish_policy"]
for _role, _perms in {
    Role.ADMIN: _POLICIES_PUBLISH,
    Role.PROVINCE_OFFICE: _POLICIES_PUBLISH,
    Role.LOCAL_OFFICE: _POLICIES_PUBLISH,
    Role.TOWN: _POLICIES_PUBLISH,
    Role.INDUSTRY_LINE: _POLICIES_PUBLISH,
    Role.MEMBER_UNIT: _POLICIES_VIEW,
    Role.ENTERPRISE_UNION: _POLICIES_VIEW,
    Role.LIAISON: _POLICIES_VIEW,
    Role.LEADER: _POLICIES_VIEW,
}.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# Worker suggestions (我为产改献一策): the enterprise union and the offices above it record, review and reward them
# and manage the enterprise's box; readers see them without the proposer's contact; the province keeps the
# categories.
_SUGGESTIONS_VIEW = ["suggestions.view_suggestion", "suggestions.view_suggestioncategory"]
_SUGGESTIONS_REVIEW = [
    *_SUGGESTIONS_VIEW,
    "suggestions.add_suggestion",
    "suggestions.review_suggestion",
    "suggestions.view_suggestionbox",
    "suggestions.change_suggestionbox",
]
_SUGGESTION_CATEGORIES = ["suggestions.add_suggestioncategory", "suggestions.change_suggestioncategory"]
for _role, _perms in {
    Role.ADMIN: [*_SUGGESTIONS_REVIEW, *_SUGGESTION_CATEGORIES],
    Role.PROVINCE_OFFICE: [*_SUGGESTIONS_REVIEW, *_SUGGESTION_CATEGORIES],
    Role.LOCAL_OFFICE: _SUGGESTIONS_REVIEW,
    Role.TOWN: _SUGGESTIONS_REVIEW,
    Role.INDUSTRY_LINE: _SUGGESTIONS_REVIEW,
    Role.ENTERPRISE_UNION: _SUGGESTIONS_REVIEW,
    Role.MEMBER_UNIT: _SUGGESTIONS_VIEW,
    Role.LIAISON: [*_SUGGESTIONS_VIEW, "suggestions.view_suggestionbox"],
    Role.LEADER: [*_SUGGESTIONS_VIEW, "suggestions.view_suggestionbox"],
}.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]


def group_name(role: str) -> str:
    return Role(role).label


def sync_role_groups(**kwargs) -> None:
    """Create one group per role and give it exactly the role's permissions (run after migrate)."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


# The two-way channel: offices triage and route; units handle what is routed to them; raisers raise.
_DEMANDS_VIEW = ["demands.view_demand", "demands.view_assignment", "demands.view_category"]
_DEMANDS_RAISE = [*_DEMANDS_VIEW, "demands.add_demand"]
_DEMANDS_HANDLE = [*_DEMANDS_VIEW, "demands.change_assignment"]
_DEMANDS_OFFICE = [*_DEMANDS_RAISE, *_DEMANDS_HANDLE, "demands.change_demand", "demands.add_callback"]
for _role, _perms in {
    Role.ADMIN: [*_DEMANDS_OFFICE, "demands.add_category", "demands.change_category"],
    Role.PROVINCE_OFFICE: [*_DEMANDS_OFFICE, "demands.add_category", "demands.change_category"],
    Role.LOCAL_OFFICE: _DEMANDS_OFFICE,
    Role.TOWN: [*_DEMANDS_RAISE, *_DEMANDS_HANDLE],
    Role.MEMBER_UNIT: _DEMANDS_HANDLE,
    Role.INDUSTRY_LINE: _DEMANDS_RAISE,
    Role.ENTERPRISE_UNION: _DEMANDS_RAISE,
    Role.LIAISON: _DEMANDS_RAISE,
    Role.LEADER: _DEMANDS_VIEW,
}.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]


# Later apps grant their own permissions: PERMISSIONS = {Role.X: [...]} in the app's roles.py.
def _extend_from_apps() -> None:
    from importlib import import_module

    for app in ("workers", "certificates", "allowances", "training", "careers", "bulletins", "narratives"):
        for role, perms in import_module(f"changai.{app}.roles").PERMISSIONS.items():
            ROLE_PERMISSIONS[role] = [*ROLE_PERMISSIONS[role], *perms]


_extend_from_apps()

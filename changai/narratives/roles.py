"""Permissions this app grants to each role (merged into changai.accounts.roles.ROLE_PERMISSIONS).

Offices, towns and industry lines upload and review the reports of the orgs in their scope; enterprise unions
upload their own; leaders read. Accepting a figure also needs indicators.add_datavalue, which these roles have.
"""

from changai.accounts.roles import Role

_VIEW = ["narratives.view_narrativereport", "narratives.view_factproposal"]
_UPLOAD = [*_VIEW, "narratives.add_narrativereport", "narratives.delete_narrativereport"]
_REVIEW = [*_UPLOAD, "narratives.change_narrativereport", "narratives.change_factproposal"]

PERMISSIONS = {
    Role.ADMIN: _REVIEW,
    Role.PROVINCE_OFFICE: _REVIEW,
    Role.LOCAL_OFFICE: _REVIEW,
    Role.TOWN: _REVIEW,
    Role.INDUSTRY_LINE: _REVIEW,
    Role.ENTERPRISE_UNION: _UPLOAD,
    Role.LEADER: _VIEW,
}

"""Permissions this app grants to each role (merged into changai.accounts.roles.ROLE_PERMISSIONS).

Offices (province, city, county) run their own series: draft, review and sign issues, decide on items sent to
them, and send items to the series above them. Towns and industry lines send items up; everyone who reads
bulletins reads the signed issues in their scope.
"""

from changai.accounts.roles import Role

_READ = ["bulletins.view_series", "bulletins.view_issue"]
_SUBMIT = [*_READ, "bulletins.view_item", "bulletins.add_item"]
_OFFICE = [
    *_SUBMIT,
    "bulletins.add_series",
    "bulletins.change_series",
    "bulletins.add_issue",
    "bulletins.change_issue",
    "bulletins.sign_issue",
    "bulletins.view_issueversion",
    "bulletins.decide_item",
]

PERMISSIONS = {
    Role.ADMIN: _OFFICE,
    Role.PROVINCE_OFFICE: _OFFICE,
    Role.LOCAL_OFFICE: _OFFICE,
    Role.TOWN: _SUBMIT,
    Role.INDUSTRY_LINE: _SUBMIT,
    Role.MEMBER_UNIT: _READ,
    Role.LIAISON: _READ,
    Role.LEADER: _READ,
}

"""Permissions this app grants to each role (merged into changai.accounts.roles.ROLE_PERMISSIONS).

Enterprise unions (a group head's union for its whole group) keep their policies, talent lists and rosters;
offices read them and run the cross-check of workers entitled but on no approved roster; leaders read.
"""

from changai.accounts.roles import Role

_READ = [
    "allowances.view_allowancepolicy",
    "allowances.view_talentdesignation",
    "allowances.view_roster",
    "allowances.view_rewardpayment",
]
_OFFICE = [*_READ, "allowances.check_unlisted"]
_MANAGE = [
    *_OFFICE,
    "allowances.add_allowancepolicy",
    "allowances.change_allowancepolicy",
    "allowances.add_talentdesignation",
    "allowances.change_talentdesignation",
    "allowances.add_roster",
    "allowances.approve_roster",
]

PERMISSIONS = {
    Role.ADMIN: _MANAGE,
    Role.PROVINCE_OFFICE: _OFFICE,
    Role.LOCAL_OFFICE: _OFFICE,
    Role.TOWN: _OFFICE,
    Role.INDUSTRY_LINE: _OFFICE,
    Role.ENTERPRISE_UNION: _MANAGE,
    Role.LEADER: _READ,
}

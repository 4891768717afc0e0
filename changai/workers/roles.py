"""Permissions this app grants to each role (merged into changai.accounts.roles.ROLE_PERMISSIONS).

The enterprise union keeps its own ledger (add, change, import) and sees its workers' full numbers, as the
employer that needs them for payroll, social insurance and certificates; offices and readers see the
ledgers in their scope with numbers masked; offices and the admin read the log of full-number views.
The province office keeps the occupation catalogue.
"""

from changai.accounts.roles import Role

_VIEW = ["workers.view_worker", "workers.view_employment", "workers.view_occupation"]
_LOG = ["workers.view_fullnumberview"]
_KEEP_LEDGER = [
    *_VIEW,
    "workers.add_worker",
    "workers.change_worker",
    "workers.add_employment",
    "workers.change_employment",
    "workers.view_full_number",
]
_CATALOGUE = ["workers.add_occupation", "workers.change_occupation"]

PERMISSIONS = {
    Role.ADMIN: [*_KEEP_LEDGER, *_LOG, *_CATALOGUE],
    Role.PROVINCE_OFFICE: [*_VIEW, *_LOG, *_CATALOGUE],
    Role.LOCAL_OFFICE: [*_VIEW, *_LOG],
    Role.TOWN: [*_VIEW, *_LOG],
    Role.INDUSTRY_LINE: [*_VIEW, *_LOG],
    Role.ENTERPRISE_UNION: _KEEP_LEDGER,
    Role.MEMBER_UNIT: _VIEW,
    Role.LIAISON: _VIEW,
    Role.LEADER: _VIEW,
}

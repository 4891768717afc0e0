"""Permissions this app grants to each role (merged into changai.accounts.roles.ROLE_PERMISSIONS).

Enterprises keep their workers' certificates and titles and run their own rating batches; offices do the
same for the enterprises in their scope and record the self-rating filings (备案) that the human-resources
bureaus grant; everyone else reads.
"""

from changai.accounts.roles import Role

_MODELS = ["certificate", "engineeringtitle", "selfratingauthorisation", "ratingbatch", "candidate"]
_VIEW = [f"certificates.view_{model}" for model in _MODELS]
_RECORD = [
    *_VIEW,
    "certificates.add_certificate",
    "certificates.change_certificate",
    "certificates.add_engineeringtitle",
    "certificates.change_engineeringtitle",
    "certificates.add_ratingbatch",
    "certificates.change_ratingbatch",
    "certificates.add_candidate",
    "certificates.change_candidate",
    "certificates.delete_candidate",
]
_GRANT = ["certificates.add_selfratingauthorisation", "certificates.change_selfratingauthorisation"]

PERMISSIONS = {
    Role.ADMIN: [*_RECORD, *_GRANT],
    Role.PROVINCE_OFFICE: [*_RECORD, *_GRANT],
    Role.LOCAL_OFFICE: [*_RECORD, *_GRANT],
    Role.TOWN: _RECORD,
    Role.ENTERPRISE_UNION: _RECORD,
    Role.INDUSTRY_LINE: _VIEW,
    Role.MEMBER_UNIT: _VIEW,
    Role.LIAISON: _VIEW,
    Role.LEADER: _VIEW,
}

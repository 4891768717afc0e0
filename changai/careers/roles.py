"""Permissions this app grants to each role (merged into changai.accounts.roles.ROLE_PERMISSIONS).

Enterprise unions (and the offices, towns and industry lines above them) record career moves and file
title-bridge applications for their workers. Only offices (county/city/province) record an application's
outcome: a pass creates an engineering title that counts in figures and allowances, so the side that files
an application does not also mark it passed.
"""

from changai.accounts.roles import Role

VIEW = ["careers.view_careermove", "careers.view_titleapplication"]
RECORD = [*VIEW, "careers.add_careermove", "careers.add_titleapplication"]
DECIDE = [*RECORD, "careers.decide_titleapplication"]

PERMISSIONS = {
    Role.ADMIN: DECIDE,
    Role.PROVINCE_OFFICE: DECIDE,
    Role.LOCAL_OFFICE: DECIDE,
    Role.TOWN: RECORD,
    Role.INDUSTRY_LINE: RECORD,
    Role.ENTERPRISE_UNION: RECORD,
    Role.MEMBER_UNIT: VIEW,
    Role.LIAISON: VIEW,
    Role.LEADER: VIEW,
}

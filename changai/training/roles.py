"""Permissions this app grants to each role (merged into changai.accounts.roles.ROLE_PERMISSIONS).

Whoever runs training in an org's subtree (enterprise unions for in-house classes, towns, industry lines and
offices for theirs) keeps courses, classes, rosters, attendance, education upgrades and scholarships; the rest
read them within their scope. Member units see only their own node, which holds no workers, so they read.
"""

from changai.accounts.roles import Role

_MODELS = ["course", "trainingclass", "trainingsession", "enrolment", "attendance", "educationupgrade"]
VIEW = [f"training.view_{model}" for model in [*_MODELS, "scholarshippayment"]]
RUN = [
    *VIEW,
    *(f"training.{action}_{model}" for model in _MODELS for action in ("add", "change")),
    "training.add_scholarshippayment",
]

PERMISSIONS = {
    Role.ADMIN: RUN,
    Role.PROVINCE_OFFICE: RUN,
    Role.LOCAL_OFFICE: RUN,
    Role.TOWN: RUN,
    Role.INDUSTRY_LINE: RUN,
    Role.ENTERPRISE_UNION: RUN,
    Role.MEMBER_UNIT: VIEW,
    Role.LIAISON: VIEW,
    Role.LEADER: VIEW,
}

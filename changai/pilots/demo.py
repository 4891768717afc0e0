"""Demo pilots in 江阴市 and 高邮市 at every stage of the lifecycle, built through the services."""

import random
from datetime import date

from django.utils import timezone

from changai.accounts.models import User
from changai.orgs.models import Kind, Org, PilotLevel

from . import services
from .models import PilotType, PilotUnit

# (county code, pilot kind, level, type code, batch, stage, applied on)
PLAN = [
    ("320281", Kind.ENTERPRISE, PilotLevel.PROVINCIAL, "party_led", "2023年第一批", "demonstration", date(2023, 3, 1)),
    ("320281", Kind.PARK, PilotLevel.CITY, "empowerment", "2024年第一批", "running", date(2024, 2, 20)),
    ("320281", Kind.ENTERPRISE, PilotLevel.COUNTY, "rights", "2024年第一批", "running", date(2024, 3, 5)),
    ("320281", Kind.ENTERPRISE, PilotLevel.COUNTY, "empowerment", "2025年第一批", "review", date(2025, 9, 1)),
    ("321084", Kind.ENTERPRISE, PilotLevel.PROVINCIAL, "empowerment", "2024年第一批", "acceptance", date(2024, 1, 15)),
    ("321084", Kind.PARK, PilotLevel.COUNTY, "party_led", "2025年第一批", "approved", date(2025, 4, 1)),
    ("321084", Kind.ENTERPRISE, PilotLevel.TOWN, "rights", "2025年第二批", "application", date(2025, 10, 10)),
    ("321084", Kind.ENTERPRISE, PilotLevel.COUNTY, "party_led", "2024年第一批", "withdrawn", date(2024, 3, 1)),
]
STAGES = ["application", "review", "approved", "running", "acceptance", "demonstration"]
PROJECTS = [
    ("党员先锋岗进车间", "political", "设立党员先锋岗10个，发展一线工人入党5名"),
    ("技能等级自主评价", "quality", "新增高级工以上技能人才60名"),
    ("首席技师工作室", "quality", "建成市级以上技能大师工作室1个"),
    ("能级工资集体协商", "rights", "签订能级工资专项集体合同，覆盖全体一线职工"),
]
REVIEWERS = {  # level -> username of the office that reviews it, per county
    PilotLevel.PROVINCIAL: {"320281": "sheng", "321084": "sheng"},
    PilotLevel.CITY: {"320281": "wuxi", "321084": "sheng"},
    PilotLevel.COUNTY: {"320281": "jiangyin", "321084": "gaoyou"},
    PilotLevel.TOWN: {"320281": "jiangyin", "321084": "gaoyou"},
}
APPLICANTS = {"320281": "jiangyin", "321084": "gaoyou"}


def _user(username: str) -> User:
    return User.objects.filter(username=username).first() or User.objects.filter(is_superuser=True).first()


def _on(day: date) -> date:
    return min(day, timezone.localdate())


def _months_after(day: date, months: int) -> date:
    index = day.month - 1 + months
    return _on(date(day.year + index // 12, index % 12 + 1, 1))


def load_demo_pilots(rng: random.Random) -> int:
    """Create the demo pilots (idempotent: a county that already has pilots is left alone); returns how many."""
    created = 0
    for code in ("320281", "321084"):
        county = Org.objects.filter(code=code).first()
        if county is None or PilotUnit.objects.filter(org__path__startswith=county.path).exists():
            continue
        firms = list(
            Org.objects.filter(path__startswith=county.path, kind=Kind.ENTERPRISE, is_active=True).order_by("path")
        )
        parks = list(Org.objects.filter(path__startswith=county.path, kind=Kind.PARK).order_by("path"))
        firms = rng.sample(firms, min(len(firms), 12))
        for row in [r for r in PLAN if r[0] == code]:
            pool = parks if row[1] == Kind.PARK else firms
            if not pool:
                continue
            org = pool.pop(0)
            pilot = _pilot(rng, code, org, *row[2:])
            if row[1] == Kind.ENTERPRISE and row[5] == "demonstration":
                _pairing(pilot, firms, code)
            created += 1
    return created


def _pilot(rng, code, org, level, type_code, batch, stage, applied_on) -> PilotUnit:
    applicant, reviewer = _user(APPLICANTS[code]), _user(REVIEWERS[level][code])
    year = applied_on.year
    pilot = services.apply_pilot(
        applicant,
        org,
        level=level,
        pilot_type=PilotType.objects.get(code=type_code),
        period_start=date(year, 1, 1),
        period_end=date(year + 2, 12, 31),
        batch=batch,
        summary=f"围绕{PilotType.objects.get(code=type_code).name}试点，探索产业工人队伍建设改革的基层经验。",
        on=_on(applied_on),
    )
    if stage == "withdrawn":
        return services.withdraw_pilot(reviewer, pilot, reason="企业经营调整，申请退出试点。", on=_on(date(year, 9, 1)))
    reached = STAGES.index(stage)
    if reached >= 1:
        pilot = services.start_review(reviewer, pilot, on=_months_after(applied_on, 1))
    if reached >= 2:
        number = rng.randint(2, 30)
        pilot = services.approve_pilot(
            reviewer, pilot, approval_no=f"产改办〔{year}〕{number}号", on=_months_after(applied_on, 2)
        )
    if reached >= 3:
        pilot = services.start_running(applicant, pilot, on=_months_after(applied_on, 3))
        for title, pillar, target in rng.sample(PROJECTS, 2):
            services.add_project(
                applicant,
                pilot,
                title=title,
                pillar=pillar,
                target=target,
                owner="工会主席",
                start_date=pilot.approved_on,
                deadline=pilot.period_end,
                progress=100 if stage in ("acceptance", "demonstration") else rng.choice([60, 85, 95]),
                status="done" if stage in ("acceptance", "demonstration") else "in_progress",
            )
    if reached >= 4:
        pilot = services.request_acceptance(applicant, pilot, on=_on(date(year + 2, 3, 1)))
    if reached >= 5:
        pilot = services.name_demonstration(reviewer, pilot, on=_on(date(year + 2, 6, 1)))
    return pilot


def _pairing(pilot, firms, code):
    partners = [firm for firm in firms if firm.path[: -Org.steplen] == pilot.org.path[: -Org.steplen]][:3] or firms[:3]
    if not partners:
        return None
    return services.create_pairing(
        _user(APPLICANTS[code]),
        lead_org=pilot.org,
        partners=partners,
        title=f"{pilot.org.name}“龙头带小微”结对共建",
        signed_on=_on(date(pilot.approved_on.year, 9, 1)),
        content="共享实训基地和技能评价资源，联合开展劳动竞赛和师带徒，帮助结对企业建立工会和职工之家。",
        pilot=pilot,
    )

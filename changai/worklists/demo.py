"""Demo work plans: a county's key-project list with items in every state, supervised on a cadence."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from changai.accounts.models import User
from changai.orgs.models import Org

from . import services
from .models import Plan

ITEMS = [
    ("1", "推进企业技能等级自主评价扩面", "quality", "human_resources", "新增自主评价企业20家"),
    ("2", "建设县级产业工人技能实训基地", "quality", "education", "建成实训基地2个"),
    ("3", "开展“产改进车间”宣讲", "political", "federation", "宣讲100场、覆盖1万人次"),
    ("4", "推行能级工资集体协商", "rights", "human_resources", "签订能级工资专项合同50份"),
    ("5", "落实技能人才津贴配套资金", "institutional", "finance", "拨付配套资金300万元"),
    ("6", "建设户外劳动者服务站", "rights", "federation", "新建服务站15个"),
]


@transaction.atomic
def load_demo_plans(today: date | None = None) -> int:
    """Idempotent: does nothing when the demo county already has a plan this year."""
    today = today or timezone.localdate()
    county = Org.objects.get(code="320281")
    if Plan.objects.filter(org=county, year=today.year).exists():
        return 0
    office = User.objects.get(username="jiangyin")
    start = date(today.year, 1, 1)
    plan = services.create_plan(
        office, county, year=today.year, title="江阴市产改重点项目清单", cadence=["monthly", "half_year", "year_end"]
    )
    items = []
    for number, title, pillar, unit_type, target in ITEMS:
        lead = Org.objects.get(code=f"MU-320281-{unit_type}")
        items.append(
            services.add_item(
                office,
                plan,
                number=number,
                title=title,
                pillar=pillar,
                lead_unit=lead,
                target=target,
                starts_on=start,
                deadline=date(today.year, 12, 31),
                on=start,
            )
        )
    _report_on_time(items[:4], today)
    services.supervise(today)  # the items nobody reported on turn red and receive notices
    return len(items)


def _report_on_time(items, today):
    """The first items' lead units report every checkpoint that has come due, on its due date."""
    for item in items:
        for checkpoint in item.checkpoints.filter(due_on__lt=today).order_by("due_on"):
            reporter = User.objects.filter(memberships__org=item.lead_unit).first() or User.objects.get(
                username="jiangyin"
            )
            services.submit_progress(
                reporter,
                item,
                percent=_expected(item, checkpoint.due_on),
                narrative=f"{checkpoint.get_kind_display()}：按计划推进",
                on=checkpoint.due_on - timedelta(days=1),
            )


def _expected(item, day):
    return min(95, services.expected_progress(item, day))

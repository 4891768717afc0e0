"""Demo suggestion boxes for enterprises in 江阴市 and 高邮市, with suggestions at every stage, built through the
services and spread over the past months. Idempotent: an enterprise that already has suggestions is left alone."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from changai.accounts.models import User
from changai.orgs.models import Kind, Org

from . import services
from .models import Suggestion, SuggestionCategory

# (title, category code, content)
IDEAS = [
    ("推行“师带徒”津贴制度", "skills", "对带徒满一年且徒弟取得中级工证书的师傅，每月发放带徒津贴。"),
    ("夜班补贴按工时计发", "pay", "夜班补贴目前按班次发放，建议按实际夜班工时计发，更加公平。"),
    ("冲压线增加光栅保护", "safety", "二号冲压线人工上料工位建议加装安全光栅，防止夹手事故。"),
    ("焊接夹具快速换型改造", "innovation", "采用定位销加快拆结构，换型时间可由40分钟降到10分钟。"),
    ("职代会提案办理结果公开", "democracy", "建议在厂务公开栏公布每条职代会提案的办理进度和结果。"),
    ("增设母婴关爱室", "services", "女职工比例较高，建议在综合楼设置母婴关爱室。"),
    ("开设技能等级培训夜校", "skills", "利用晚上时间开设中级工、高级工培训班，方便一线职工参加。"),
    ("食堂延长夜宵供应时间", "services", "夜班职工下班较晚，建议食堂夜宵供应延长到凌晨一点。"),
    ("废切削液回收再利用", "innovation", "增加过滤装置后切削液可循环使用，每年可节约成本约8万元。"),
    ("班组长竞聘上岗", "democracy", "班组长实行公开竞聘，由职工民主测评。"),
]
NAMES = ["王师傅", "李工", "张班长", "", "刘师傅", "", "陈工", "赵师傅"]
STAGES = ["pending", "pending", "declined", "adopted", "adopted_rewarded", "in_progress", "done"]


def _reviewer(org: Org, admin: User) -> User:
    """The enterprise's own union user where the demo has one, else the administrator."""
    return User.objects.filter(memberships__org=org).order_by("pk").first() or admin


@transaction.atomic
def load_demo_suggestions(rng: random.Random) -> int:
    """Open boxes for some demo enterprises and fill them; returns how many suggestions were created."""
    created = 0
    admin = User.objects.filter(is_superuser=True).first()
    if admin is None or not SuggestionCategory.objects.exists():
        return 0
    for code in ("320281", "321084"):
        county = Org.objects.filter(code=code).first()
        if county is None:
            continue
        firms = Org.objects.filter(path__startswith=county.path, kind=Kind.ENTERPRISE, is_active=True, has_union=True)
        for firm in list(firms.order_by("path")[:4]):
            if Suggestion.objects.filter(org=firm).exists():
                continue
            box = services.ensure_box(admin, firm)
            for title, category, content in rng.sample(IDEAS, 5):
                created += 1
                suggestion = services.submit_by_phone(
                    box,
                    title=title,
                    content=content,
                    category=SuggestionCategory.objects.get(code=category),
                    contact_name=rng.choice(NAMES),
                    contact_phone=f"139{rng.randint(10000000, 99999999)}" if rng.random() < 0.6 else "",
                )
                _review(rng, suggestion, _reviewer(firm, admin))
    return created


def _review(rng, suggestion: Suggestion, reviewer: User) -> None:
    stage = rng.choice(STAGES)
    if stage == "declined":
        services.decline_suggestion(reviewer, suggestion, reason="企业近期已有同类安排，暂不采纳，感谢建议。")
    elif stage != "pending":
        reward = rng.choice([200, 300, 500, 1000]) if stage != "adopted" else None
        services.adopt_suggestion(reviewer, suggestion, reward=reward, comment="建议切实可行，交生产部门落实。")
        if stage in ("in_progress", "done"):
            services.set_implementation(reviewer, suggestion, status="in_progress")
        if stage == "done":
            services.set_implementation(reviewer, suggestion, status="done", comment="已完成并通过验收。")
    _backdate(rng, suggestion)


def _backdate(rng, suggestion: Suggestion) -> None:
    """Spread the demo over the past half year, keeping the timeline in order."""
    received = timezone.now() - timedelta(days=rng.randint(20, 180), hours=rng.randint(0, 23))
    decided = received + timedelta(days=rng.randint(3, 15))
    Suggestion.objects.filter(pk=suggestion.pk).update(created_at=received)
    Suggestion.objects.filter(pk=suggestion.pk, decided_at__isnull=False).update(decided_at=decided)
    for step, event in enumerate(suggestion.events.order_by("at", "pk")):
        event.at = received if step == 0 else min(decided + timedelta(days=(step - 1) * 3), timezone.now())
        event.save(update_fields=["at"])

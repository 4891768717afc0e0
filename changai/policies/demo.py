"""Demo policies pushed down from the province, a member unit, 江阴市 and 高邮市, read in part, built through the
services; plus one draft. Idempotent: a policy whose title already exists is left alone."""

import random
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from changai.accounts.models import User
from changai.orgs.models import Org

from . import services
from .models import Policy, Receipt

# (issuer code, username, title, document number, target kinds, pilots only, published, share read, attachment)
PLAN = [
    (
        "320000",
        "sheng",
        "关于深化新时代产业工人队伍建设改革的实施意见",
        "苏产改办〔2025〕3号",
        ["county"],
        False,
        True,
        0.9,
        "实施意见.pdf",
    ),
    (
        "MU-320000-human_resources",
        "sheng",
        "关于支持产改试点单位开展技能等级自主评价的通知",
        "苏人社发〔2025〕41号",
        [],
        True,
        True,
        0.5,
        "",
    ),
    (
        "320281",
        "jiangyin",
        "江阴市产业工人技能提升补贴实施细则",
        "澄产改办〔2025〕5号",
        ["enterprise"],
        False,
        True,
        0.6,
        "补贴申报表.pdf",
    ),
    (
        "321084",
        "gaoyou",
        "关于在乡镇（街道）推行“产改指导站”建设的通知",
        "邮产改办〔2025〕2号",
        ["town"],
        False,
        True,
        0.4,
        "",
    ),
    ("320281", "jiangyin", "江阴市一线职工疗休养安排（征求意见稿）", "", ["enterprise"], False, False, 0, ""),
]
BODY = (
    "各有关单位：\n"
    "为贯彻落实产业工人队伍建设改革部署，现就有关事项通知如下：\n"
    "一、提高思想认识，把产改工作纳入年度重点任务。\n"
    "二、落实技能人才培养、使用、评价、激励措施，畅通一线职工成长通道。\n"
    "三、各单位收到后请认真组织学习，并结合实际抓好落实。"
)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first() or User.objects.filter(is_superuser=True).first()


@transaction.atomic
def load_demo_policies(rng: random.Random) -> int:
    """Create the demo policies; returns how many were created."""
    created = 0
    for code, username, title, number, kinds, pilots_only, publish, share, filename in PLAN:
        issuer = Org.objects.filter(code=code).first()
        user = _user(username)
        if issuer is None or user is None or Policy.objects.filter(title=title).exists():
            continue
        attachments = [ContentFile(f"%PDF-1.4 {title}".encode(), name=filename)] if filename else []
        policy = services.create_policy(
            user,
            issuer=issuer,
            title=title,
            doc_number=number,
            body=BODY,
            effective_from=date(timezone.localdate().year, 1, 1),
            target_kinds=kinds,
            pilots_only=pilots_only,
            attachments=attachments,
        )
        created += 1
        if not publish or not services.target_orgs(policy, user).exists():
            continue
        policy = services.publish_policy(user, policy)
        _read_some(rng, policy, share, days_ago=rng.randint(3, 40))
    return created


def _read_some(rng: random.Random, policy: Policy, share: float, days_ago: int) -> None:
    """The policy went out `days_ago`; users with demo accounts open it now, and a share of the other targets
    (demo orgs without users of their own) is shown as having read it in the days after publication."""
    published = timezone.now() - timedelta(days=days_ago)
    Policy.objects.filter(pk=policy.pk).update(published_at=published)
    policy.events.filter(action="published").update(at=published)
    Receipt.objects.filter(policy=policy).update(created_at=published)
    for member in User.objects.filter(memberships__org__policy_receipts__policy=policy).distinct():
        if rng.random() < share:
            services.mark_read(member, policy)
    unread = list(Receipt.objects.filter(policy=policy, read_at__isnull=True).values_list("pk", flat=True))
    for pk in rng.sample(unread, int(len(unread) * share)):
        Receipt.objects.filter(pk=pk).update(read_at=published + timedelta(minutes=rng.randint(5, days_ago * 24 * 60)))

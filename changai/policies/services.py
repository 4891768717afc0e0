"""Business rules of policies going down (政策直达): drafting with attachments, choosing the targets, publishing
(which materialises one receipt per target org and notifies its users), reading, reminding, withdrawing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from changai.accounts.models import Membership
from changai.accounts.scope import scope_for
from changai.core.models import Notification
from changai.core.uploads import check_attachment as check_upload
from changai.orgs.models import Kind, Org, current_line_memberships

from . import indicators
from .models import TARGET_KINDS, Policy, PolicyAttachment, PolicyEvent, Receipt
from .permissions import can_edit_policy, can_issue_for, can_publish, can_remind

Status = Policy.Status
Action = PolicyEvent.Action
POLICY_FIELDS = ["title", "doc_number", "body", "effective_from", "effective_to", "target_kinds", "pilots_only"]
# The pilot units that count as pilots for targeting (approved and not yet over).
LIVE_PILOT_STATUSES = ("approved", "running", "acceptance", "demonstration")
BATCH = 2000

MAX_ATTACHMENTS = 20


# ---------------------------------------------------------------------------- targets


def jurisdiction(issuer: Org) -> Q:
    """Where an issuer may send: its subtree; a member unit, its office's subtree; an industry line, its members."""
    if issuer.kind == Kind.INDUSTRY_LINE:
        return Q(pk__in=current_line_memberships().filter(line=issuer).values("org_id"))
    root = issuer.parent_org if issuer.kind == Kind.MEMBER_UNIT else issuer
    if root is None:
        return Q(pk__in=[])
    return Q(path__startswith=root.path) & ~Q(pk=root.pk) & ~Q(pk=issuer.pk)


def pilot_orgs_q() -> Q:
    """Orgs marked as reform pilots on the org itself, or pilot units of the pilots app that are under way."""
    from changai.pilots.models import PilotUnit

    live = PilotUnit.objects.filter(status__in=LIVE_PILOT_STATUSES).values("org_id")
    return ~Q(pilot_level="") | Q(pk__in=live)


def reachable_orgs(user, issuer: Org):
    """Every org a policy of `issuer` drafted by `user` could be sent to."""
    return Org.objects.filter(jurisdiction(issuer), scope_for(user).q(), is_active=True)


def target_orgs(policy: Policy, user):
    """The orgs the policy goes to: the chosen levels (only pilots, if so set) plus the listed orgs, all reachable."""
    chosen = Q(pk__in=[])
    if policy.target_kinds or policy.pilots_only:
        by_kind = Q(kind__in=policy.target_kinds) if policy.target_kinds else Q()
        chosen |= (by_kind & pilot_orgs_q()) if policy.pilots_only else by_kind
    if policy.pk:
        chosen |= Q(pk__in=policy.listed_orgs.values("pk"))
    return reachable_orgs(user, policy.issuer).filter(chosen)


def _check_targets(user, policy: Policy, listed: list[Org]) -> None:
    kinds = set(policy.target_kinds or [])
    if not kinds <= set(TARGET_KINDS):
        raise ValidationError({"target_kinds": "发送层级无效。"})
    policy.target_kinds = [kind.value for kind in TARGET_KINDS if kind in kinds]
    reachable = reachable_orgs(user, policy.issuer).filter(pk__in=[org.pk for org in listed])
    reachable = set(reachable.values_list("pk", flat=True))
    outside = [org.name for org in listed if org.pk not in reachable]
    if outside:
        raise ValidationError(
            {"listed_orgs": f"以下单位不在{policy.issuer.name}的管辖范围内，不能作为发送对象：{'、'.join(outside)}"}
        )


def _check_policy(user, policy: Policy, listed: list[Org]) -> None:
    if not user.has_perm("policies.add_policy") or not scope_for(user).contains(policy.issuer):
        raise PermissionDenied("您无权以该单位名义发布政策。")
    if not can_issue_for(user, policy.issuer):
        raise ValidationError({"issuer": "发布单位须是产改办、乡镇（园区）、成员单位或产业系统。"})
    if policy.effective_from and policy.effective_to and policy.effective_to < policy.effective_from:
        raise ValidationError({"effective_to": "有效期至不能早于生效日期。"})
    _check_targets(user, policy, listed)
    policy.full_clean(exclude=["created_by", "published_by", "listed_orgs", "target_kinds"])


# ---------------------------------------------------------------------------- drafting


@transaction.atomic
def create_policy(
    user,
    *,
    issuer: Org,
    title: str,
    body: str,
    effective_from: date,
    effective_to: date | None = None,
    doc_number: str = "",
    target_kinds: Iterable[str] = (),
    pilots_only: bool = False,
    listed_orgs: Iterable[Org] = (),
    attachments: Iterable = (),
) -> Policy:
    """Draft a policy in the name of `issuer`, with its targets and attachments; nothing is sent yet."""
    listed = list(listed_orgs)
    policy = Policy(
        issuer=issuer,
        title=(title or "").strip(),
        body=(body or "").strip(),
        doc_number=(doc_number or "").strip(),
        effective_from=effective_from,
        effective_to=effective_to,
        target_kinds=list(target_kinds),
        pilots_only=bool(pilots_only),
        created_by=_user_or_none(user),
    )
    _check_policy(user, policy, listed)
    policy.save()
    policy.listed_orgs.set(listed)
    _event(policy, Action.CREATED, user)
    _attach(user, policy, list(attachments))
    return policy


@transaction.atomic
def update_policy(
    user, policy: Policy, *, issuer: Org | None = None, listed_orgs=None, attachments: Iterable = (), **fields
) -> Policy:
    """Change a draft: its text, dates, targets or issuer, and attach more files."""
    policy = Policy.objects.select_for_update().select_related("issuer").get(pk=policy.pk)
    _check_editable(user, policy)
    for name, value in fields.items():
        if name not in POLICY_FIELDS:
            raise ValueError(f"{name} is not editable")
        setattr(policy, name, value.strip() if isinstance(value, str) else value)
    if issuer is not None:
        policy.issuer = issuer
    listed = list(policy.listed_orgs.all()) if listed_orgs is None else list(listed_orgs)
    _check_policy(user, policy, listed)
    policy.save()
    policy.listed_orgs.set(listed)
    _event(policy, Action.EDITED, user)
    _attach(user, policy, list(attachments))
    return policy


def _check_editable(user, policy: Policy) -> None:
    if policy.status != Status.DRAFT:
        raise ValidationError(f"当前状态为“{policy.get_status_display()}”，政策已不能修改。")
    if not can_edit_policy(user, policy):
        raise PermissionDenied("您无权修改该政策。")


# ---------------------------------------------------------------------------- attachments


def check_attachment(upload) -> None:
    """Refuse a file of the wrong type, over 20 MB, or whose content does not match its extension."""
    check_upload(upload, max_mb=20)


def _attach(user, policy: Policy, uploads: list) -> list[PolicyAttachment]:
    if not uploads:
        return []
    if policy.attachments.count() + len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": f"每项政策最多{MAX_ATTACHMENTS}个附件。"})
    errors = []
    for upload in uploads:
        try:
            check_attachment(upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    created = []
    for upload in uploads:
        name = PurePath(upload.name).name[:200]
        created.append(
            PolicyAttachment.objects.create(
                policy=policy, file=upload, name=name, size=upload.size, uploaded_by=_user_or_none(user)
            )
        )
    _event(policy, Action.ATTACHED, user, "、".join(a.name for a in created))
    return created


@transaction.atomic
def add_attachments(user, policy: Policy, uploads: Iterable) -> list[PolicyAttachment]:
    """Attach files to a draft (type and size checked, each message naming the file)."""
    policy = Policy.objects.select_for_update().select_related("issuer").get(pk=policy.pk)
    _check_editable(user, policy)
    return _attach(user, policy, list(uploads))


@transaction.atomic
def remove_attachment(user, attachment: PolicyAttachment) -> None:
    """Take a file off a draft."""
    policy = Policy.objects.select_for_update().select_related("issuer").get(pk=attachment.policy_id)
    _check_editable(user, policy)
    name = attachment.name
    attachment.file.delete(save=False)
    attachment.delete()
    _event(policy, Action.DETACHED, user, name)


# ---------------------------------------------------------------------------- publishing and reading


@transaction.atomic
def publish_policy(user, policy: Policy) -> Policy:
    """Publish a draft: one receipt per target org (all within the issuer's reach), and a notice to their users."""
    policy = Policy.objects.select_for_update().select_related("issuer").get(pk=policy.pk)
    if not can_publish(user, policy):
        raise PermissionDenied("您无权发布该政策。")
    if policy.status != Status.DRAFT:
        raise ValidationError(f"当前状态为“{policy.get_status_display()}”，不能再发布。")
    targets = list(target_orgs(policy, user).order_by("path").values_list("pk", flat=True))
    if not targets:
        raise ValidationError("按所选发送对象没有找到接收单位，请调整发送层级或指定单位。")
    now = timezone.now()
    Receipt.objects.bulk_create([Receipt(policy=policy, org_id=pk, created_at=now) for pk in targets], batch_size=BATCH)
    policy.status = Status.PUBLISHED
    policy.published_at = now
    policy.published_by = _user_or_none(user)
    policy.save()
    number = f"（{policy.doc_number}）" if policy.doc_number else ""
    notified = _notify(
        Receipt.objects.filter(policy=policy).values("org_id"),
        f"新政策：{policy.title}",
        f"{policy.issuer.name}发布了《{policy.title}》{number}，请及时阅读。",
        policy,
    )
    _event(policy, Action.PUBLISHED, user, f"送达{len(targets)}家单位，通知{notified}人。")
    _forget(policy.issuer)
    return policy


def mark_read(user, policy: Policy) -> int:
    """The user opened the policy: the unread receipts of the user's own orgs become read (the first read counts)."""
    if policy.status != Status.PUBLISHED or not getattr(user, "is_authenticated", False):
        return 0
    units = [m.org_id for m in user.active_memberships()]
    if not units:
        return 0
    marked = Receipt.objects.filter(policy=policy, org_id__in=units, read_at__isnull=True).update(
        read_at=timezone.now(), read_by=user
    )
    if marked:
        _forget(policy.issuer)
    return marked


@transaction.atomic
def remind_unread(user, policy: Policy) -> tuple[int, int]:
    """Send a reminder to the users of every target org that has not read the policy; returns (orgs, users)."""
    policy = Policy.objects.select_for_update().select_related("issuer").get(pk=policy.pk)
    if not can_remind(user, policy):
        if policy.status != Status.PUBLISHED:
            raise ValidationError(f"当前状态为“{policy.get_status_display()}”，不能催阅。")
        raise PermissionDenied("您无权催阅该政策。")
    unread = Receipt.objects.filter(policy=policy, read_at__isnull=True)
    orgs = unread.count()
    if not orgs:
        raise ValidationError("所有接收单位均已阅读，无需催阅。")
    users = _notify(
        unread.values("org_id"),
        f"请阅读：{policy.title}",
        f"{policy.issuer.name}发布的《{policy.title}》贵单位尚未阅读，请及时登录查阅。",
        policy,
    )
    unread.update(reminded_at=timezone.now(), remind_count=F("remind_count") + 1)
    _event(policy, Action.REMINDED, user, f"催阅{orgs}家未阅单位，通知{users}人。")
    return orgs, users


@transaction.atomic
def withdraw_policy(user, policy: Policy, *, reason: str) -> Policy:
    """Withdraw a published policy (the receipts stay as a record); a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写撤回原因。")
    policy = Policy.objects.select_for_update().select_related("issuer").get(pk=policy.pk)
    if not can_publish(user, policy):
        raise PermissionDenied("您无权撤回该政策。")
    if policy.status != Status.PUBLISHED:
        raise ValidationError(f"当前状态为“{policy.get_status_display()}”，不能撤回。")
    policy.status = Status.WITHDRAWN
    policy.withdrawn_at = timezone.now()
    policy.save()
    _event(policy, Action.WITHDRAWN, user, reason)
    _forget(policy.issuer)
    return policy


def receipt_summary(policy: Policy) -> dict:
    receipts = Receipt.objects.filter(policy=policy)
    total = receipts.count()
    read = receipts.filter(read_at__isnull=False).count()
    rate = round(read * 100 / total, 1) if total else None
    return {"total": total, "read": read, "unread": total - read, "rate": rate}


# ---------------------------------------------------------------------------- helpers


def _notify(org_ids, title: str, body: str, policy: Policy) -> int:
    """One notification per user holding an active membership at any of the orgs (a subquery of org ids)."""
    link = reverse("policies:detail", kwargs={"policy_pk": policy.pk})
    user_ids = Membership.objects.active().filter(org_id__in=org_ids).values_list("user_id", flat=True).distinct()
    batch, count = [], 0
    for user_id in user_ids.iterator(chunk_size=BATCH):
        batch.append(Notification(user_id=user_id, title=title[:120], body=body, link=link))
        if len(batch) >= BATCH:
            Notification.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    Notification.objects.bulk_create(batch)
    return count + len(batch)


def _event(policy: Policy, action: str, user, comment: str = "") -> None:
    PolicyEvent.objects.create(policy=policy, action=action, actor=_user_or_none(user), comment=(comment or "")[:2000])


def _forget(issuer: Org) -> None:
    transaction.on_commit(lambda: indicators.forget(issuer))


def _user_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None

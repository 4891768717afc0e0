"""Business rules of worker suggestions (我为产改献一策): the public box of each enterprise, submission by phone or by
the union's form, and review (adopt or decline, reward, implementation), each step writing the timeline."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from changai.accounts.models import Membership
from changai.core.models import Notification
from changai.orgs.models import Kind, Org

from . import indicators
from .models import Suggestion, SuggestionBox, SuggestionCategory, SuggestionEvent, new_token
from .permissions import can_add_for, can_manage_box, can_review

Status = Suggestion.Status
Implementation = Suggestion.Implementation
Action = SuggestionEvent.Action
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")
MAX_REWARD = Decimal("9999999999.99")


# ---------------------------------------------------------------------------- boxes


@transaction.atomic
def ensure_box(user, org: Org) -> SuggestionBox:
    """The enterprise's suggestion box, opened (with a fresh unguessable link) the first time it is asked for."""
    if not can_manage_box(user, org):
        raise PermissionDenied("您无权管理该企业的建议箱。")
    box, _ = SuggestionBox.objects.get_or_create(org=org)
    return box


@transaction.atomic
def reset_box_link(user, box: SuggestionBox) -> SuggestionBox:
    """Give the box a new link (the old one, and its QR code, stop working): for a link that went too far."""
    if not can_manage_box(user, box.org):
        raise PermissionDenied("您无权管理该企业的建议箱。")
    box.token = new_token()
    box.save(update_fields=["token", "updated_at"])
    return box


@transaction.atomic
def set_box_open(user, box: SuggestionBox, is_open: bool) -> SuggestionBox:
    """Open or pause the box's public page."""
    if not can_manage_box(user, box.org):
        raise PermissionDenied("您无权管理该企业的建议箱。")
    box.is_open = bool(is_open)
    box.save(update_fields=["is_open", "updated_at"])
    return box


# ---------------------------------------------------------------------------- submission


def _clean_fields(title: str, content: str, category: SuggestionCategory, name: str, phone: str) -> dict:
    fields = {
        "title": (title or "").strip(),
        "content": (content or "").strip(),
        "contact_name": (name or "").strip(),
        "contact_phone": (phone or "").strip(),
    }
    if not fields["title"]:
        raise ValidationError({"title": "请填写建议标题。"})
    if not fields["content"]:
        raise ValidationError({"content": "请填写建议内容。"})
    if category is None or not category.is_active:
        raise ValidationError({"category": "请选择有效的建议类别。"})
    if fields["contact_phone"] and not PHONE_RE.match(fields["contact_phone"]):
        raise ValidationError({"contact_phone": "请填写正确的手机号或电话号码。"})
    return fields


def _save(org: Org, category, channel: str, submitter, fields: dict) -> Suggestion:
    suggestion = Suggestion(org=org, category=category, channel=channel, submitter=submitter, **fields)
    suggestion.full_clean(exclude=["submitter", "category", "org"])
    suggestion.save()
    _event(suggestion, Action.SUBMITTED, submitter, suggestion.get_channel_display())
    link = reverse("suggestions:detail", kwargs={"suggestion_pk": suggestion.pk})
    members = Membership.objects.active().filter(org=org).exclude(user=submitter).select_related("user")
    Notification.objects.bulk_create(
        Notification(user=m.user, title=f"收到职工建议：{suggestion.title}"[:120], body=org.name, link=link)
        for m in members
    )
    _forget(org)
    return suggestion


@transaction.atomic
def submit_by_phone(
    box: SuggestionBox,
    *,
    title: str,
    content: str,
    category: SuggestionCategory,
    contact_name: str = "",
    contact_phone: str = "",
) -> Suggestion:
    """A worker's suggestion from the box's public page (no account; name and phone optional and private)."""
    box = SuggestionBox.objects.select_related("org").get(pk=box.pk)
    if not box.is_open or not box.org.is_active:
        raise ValidationError("该建议箱暂停接收建议。")
    fields = _clean_fields(title, content, category, contact_name, contact_phone)
    return _save(box.org, category, Suggestion.Channel.PHONE, None, fields)


@transaction.atomic
def create_suggestion(
    user,
    org: Org,
    *,
    title: str,
    content: str,
    category: SuggestionCategory,
    contact_name: str = "",
    contact_phone: str = "",
) -> Suggestion:
    """A suggestion recorded by the enterprise union (or an office) through the form."""
    if org.kind != Kind.ENTERPRISE:
        raise ValidationError({"org": "建议须提交给企业。"})
    if not can_add_for(user, org):
        raise PermissionDenied("您无权为该企业录入建议。")
    fields = _clean_fields(title, content, category, contact_name, contact_phone)
    return _save(org, category, Suggestion.Channel.FORM, _user_or_none(user), fields)


# ---------------------------------------------------------------------------- review


def _locked(user, suggestion: Suggestion, verb: str) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().select_related("org").get(pk=suggestion.pk)
    if not can_review(user, suggestion):
        raise PermissionDenied(f"您无权{verb}该建议。")
    return suggestion


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"reward": "奖励金额须是数字。"}) from None
    if amount < 0:
        raise ValidationError({"reward": "奖励金额不能为负数。"})
    if amount > MAX_REWARD:
        raise ValidationError({"reward": "奖励金额过大。"})
    return amount


def _require_pending(suggestion: Suggestion, verb: str) -> None:
    if suggestion.status != Status.PENDING:
        raise ValidationError(f"该建议当前为“{suggestion.get_status_display()}”，不能再{verb}。")


def _require_adopted(suggestion: Suggestion, verb: str) -> None:
    if suggestion.status != Status.ADOPTED:
        raise ValidationError(f"只有已采纳的建议才能{verb}，该建议当前为“{suggestion.get_status_display()}”。")


@transaction.atomic
def adopt_suggestion(user, suggestion: Suggestion, *, reward=None, comment: str = "") -> Suggestion:
    """Adopt a pending suggestion, optionally with the reward (元) it earns."""
    suggestion = _locked(user, suggestion, "采纳")
    _require_pending(suggestion, "采纳")
    amount = _amount(reward)
    suggestion.status = Status.ADOPTED
    suggestion.reward = amount
    suggestion.implementation = Implementation.NOT_STARTED
    suggestion.decision_reason = (comment or "").strip()
    suggestion.decided_at = timezone.now()
    suggestion.decided_by = _user_or_none(user)
    suggestion.save()
    text = "；".join(filter(None, [f"奖励{amount}元" if amount is not None else "", suggestion.decision_reason]))
    _event(suggestion, Action.ADOPTED, user, text)
    _tell_submitter(suggestion, f"您的建议已被采纳：{suggestion.title}")
    _forget(suggestion.org)
    return suggestion


@transaction.atomic
def decline_suggestion(user, suggestion: Suggestion, *, reason: str) -> Suggestion:
    """Decline a pending suggestion; the reason is required and recorded."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "不予采纳须填写理由。"})
    suggestion = _locked(user, suggestion, "处理")
    _require_pending(suggestion, "处理")
    suggestion.status = Status.DECLINED
    suggestion.decision_reason = reason
    suggestion.decided_at = timezone.now()
    suggestion.decided_by = _user_or_none(user)
    suggestion.save()
    _event(suggestion, Action.DECLINED, user, reason)
    _tell_submitter(suggestion, f"您的建议未被采纳：{suggestion.title}")
    _forget(suggestion.org)
    return suggestion


@transaction.atomic
def set_reward(user, suggestion: Suggestion, *, amount) -> Suggestion:
    """Set (or correct) the reward of an adopted suggestion, in 元 (0 or more)."""
    suggestion = _locked(user, suggestion, "奖励")
    _require_adopted(suggestion, "确定奖励")
    value = _amount(amount)
    if value is None:
        raise ValidationError({"reward": "请填写奖励金额。"})
    suggestion.reward = value
    suggestion.save(update_fields=["reward", "updated_at"])
    _event(suggestion, Action.REWARDED, user, f"奖励{value}元")
    _forget(suggestion.org)
    return suggestion


@transaction.atomic
def set_implementation(user, suggestion: Suggestion, *, status: str, comment: str = "") -> Suggestion:
    """Record how far an adopted suggestion has been carried out (未实施/实施中/已实施)."""
    if status not in Implementation.values:
        raise ValidationError({"implementation": "实施情况无效。"})
    suggestion = _locked(user, suggestion, "更新")
    _require_adopted(suggestion, "更新实施情况")
    if suggestion.implementation == status:
        raise ValidationError(f"实施情况已是“{suggestion.get_implementation_display()}”。")
    before = suggestion.get_implementation_display()
    suggestion.implementation = status
    suggestion.save(update_fields=["implementation", "updated_at"])
    text = f"{before} → {suggestion.get_implementation_display()}"
    _event(suggestion, Action.IMPLEMENTATION, user, "；".join(filter(None, [text, (comment or "").strip()])))
    return suggestion


SERVICES = {
    "adopt": adopt_suggestion,
    "decline": decline_suggestion,
    "reward": set_reward,
    "implementation": set_implementation,
}


def perform(user, suggestion: Suggestion, name: str, **kwargs) -> Suggestion:
    """Run the review step called `name` (as posted by a form or the API) through its service function."""
    if name not in SERVICES:
        raise ValidationError("未知的操作。")
    return SERVICES[name](user, suggestion, **kwargs)


# ---------------------------------------------------------------------------- categories


@transaction.atomic
def save_category(user, category: SuggestionCategory) -> SuggestionCategory:
    """Create or edit a suggestion category (an office's configuration, not a workflow)."""
    perm = "suggestions.change_suggestioncategory" if category.pk else "suggestions.add_suggestioncategory"
    if not user.has_perm(perm):
        raise PermissionDenied("您无权维护建议类别。")
    category.full_clean()
    category.save()
    return category


# ---------------------------------------------------------------------------- helpers


def _event(suggestion: Suggestion, action: str, user, comment: str = "") -> None:
    SuggestionEvent.objects.create(
        suggestion=suggestion, action=action, actor=_user_or_none(user), comment=(comment or "")[:2000]
    )


def _tell_submitter(suggestion: Suggestion, title: str) -> None:
    if suggestion.submitter_id:
        link = reverse("suggestions:detail", kwargs={"suggestion_pk": suggestion.pk})
        Notification.objects.create(
            user_id=suggestion.submitter_id, title=title[:120], body=suggestion.decision_reason, link=link
        )


def _forget(org: Org) -> None:
    transaction.on_commit(lambda: indicators.forget(org))


def _user_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None

"""Limits on the public suggestion page, kept in Django's cache: a phone on one network may send a few suggestions
an hour, and one enterprise's box takes a bounded number a day (so a script cannot flood a union's inbox)."""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

IP_LIMIT = 5  # per client address
IP_WINDOW = 60 * 60  # seconds, from its first submission
BOX_LIMIT = 100  # per enterprise per calendar day
DAY = 24 * 60 * 60


def client_ip(request) -> str:
    """The client's address; behind our TLS proxy, the address the proxy appended last (the one it saw)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(request, box) -> tuple[str, str]:
    return (
        f"suggestions:ip:{client_ip(request)}",
        f"suggestions:box:{box.pk}:{timezone.localdate():%Y%m%d}",
    )


def refusal(request, box) -> str | None:
    """Why another submission is refused now (a message for the 429 page), or None when it may go ahead."""
    ip_key, box_key = _keys(request, box)
    if (cache.get(ip_key) or 0) >= IP_LIMIT:
        return f"提交过于频繁：同一网络每小时最多提交{IP_LIMIT}条建议，请稍后再试。"
    if (cache.get(box_key) or 0) >= BOX_LIMIT:
        return f"本企业建议箱今天已收到{BOX_LIMIT}条建议，达到当日上限，请明天再提交。"
    return None


def record(request, box) -> None:
    ip_key, box_key = _keys(request, box)
    _count(ip_key, IP_WINDOW)
    _count(box_key, DAY)


def _count(key: str, timeout: int) -> None:
    # add() starts the window; incr() keeps the key's expiry (locmem and Redis both do).
    if not cache.add(key, 1, timeout):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout)

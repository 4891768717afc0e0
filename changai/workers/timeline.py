"""One talent timeline per worker, across employers: each app contributes its own entries.

An app registers a source in its AppConfig.ready():

    from changai.workers import timeline
    timeline.register(certificate_entries)   # certificate_entries(worker) -> list[TimelineEntry]

The worker's detail page shows every source's entries merged, newest first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from changai.orgs.models import Org

    from .models import Worker


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    kind: str  # a short Chinese label: 入职, 取得证书, 参加培训, 晋升 …
    text: str
    org: Org | None = None
    url: str | None = None


Source = Callable[["Worker"], list[TimelineEntry]]
_SOURCES: list[Source] = []


def register(source: Source) -> Source:
    """Add a source of entries (once, however often ready() runs); usable as a decorator."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def sources() -> list[Source]:
    return list(_SOURCES)


def timeline_for(worker: Worker) -> list[TimelineEntry]:
    """Every registered source's entries for the worker, newest first (same day: in registration order)."""
    entries = [entry for source in _SOURCES for entry in source(worker) if entry.day is not None]
    return sorted(entries, key=lambda entry: entry.day, reverse=True)


def employment_entries(worker: Worker) -> list[TimelineEntry]:
    """Hiring, moves and leaving: the workers app's own entries."""
    entries = []
    for job in worker.employments.select_related("enterprise", "occupation"):
        occupation = f"，{job.occupation.name}" if job.occupation_id else ""
        if job.hired_on:
            entries.append(
                TimelineEntry(job.hired_on, "入职", f"入职{job.enterprise.name}{occupation}", job.enterprise)
            )
        if job.left_on:
            kind = job.get_ended_by_display() or "离职"
            reason = f"（{job.leave_reason}）" if job.leave_reason else ""
            entries.append(TimelineEntry(job.left_on, kind, f"{kind}：{job.enterprise.name}{reason}", job.enterprise))
    return entries

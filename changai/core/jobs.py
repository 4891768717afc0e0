"""Long work as jobs: a registry of handlers, a Job row for progress, Celery to run them.

Without a broker (`CELERY_BROKER_URL` unset) a job runs at once in the calling process;
with one, it is queued for a worker after the current transaction commits.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Job

logger = logging.getLogger(__name__)
_HANDLERS: dict[str, Callable] = {}


def job_handler(kind: str):
    """Register `func(job)` as the handler of jobs of this kind."""

    def register(func):
        _HANDLERS[kind] = func
        return func

    return register


def start_job(kind: str, title: str, *, user=None, org=None, params=None, in_process=False) -> Job:
    """Record a job and run it: on a worker, or here and now when `in_process` (small work a page waits for)."""
    if kind not in _HANDLERS:
        raise KeyError(f"No job handler registered for {kind}")
    job = Job.objects.create(kind=kind, title=title, created_by=user, org=org, params=params or {})
    if in_process or settings.CELERY_TASK_ALWAYS_EAGER:
        run_job(job.pk)
        job.refresh_from_db()
    else:
        from .tasks import run_job_task

        transaction.on_commit(lambda: run_job_task.delay(job.pk))
    return job


def run_job(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    try:
        result = _HANDLERS[job.kind](job) or {}
    except Exception as exc:  # noqa: BLE001 - a job records any failure for the user to see
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, error=str(exc) or exc.__class__.__name__, finished_at=timezone.now()
        )
        return
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCEEDED, result=result, finished_at=timezone.now(), message="完成"
    )


def report_progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    fields = {"done": done, "message": message[:300]}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job.pk).update(**fields)

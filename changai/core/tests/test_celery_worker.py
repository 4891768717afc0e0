"""Runs a job through a real Celery worker and Redis broker (CI sets CELERY_TEST_BROKER_URL)."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import override_settings

from changai.celery import app
from changai.core.jobs import job_handler, report_progress, start_job
from changai.core.models import Job

BROKER = os.environ.get("CELERY_TEST_BROKER_URL")
pytestmark = pytest.mark.celery_worker


@job_handler("test.worker")
def _on_worker(job):
    report_progress(job, 1, 1, "在工作进程中完成")
    return {"worker": True}


@pytest.fixture
def broker_app():
    if not BROKER:
        if os.environ.get("CI"):
            pytest.fail("CELERY_TEST_BROKER_URL must be set in CI to run the real worker test")
        pytest.skip("set CELERY_TEST_BROKER_URL=redis://127.0.0.1:6379/15 to run a real worker")
    app.conf.update(broker_url=BROKER, task_always_eager=False, result_backend=None)
    app.control.purge()
    yield app
    app.conf.update(task_always_eager=True)


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_on_a_real_worker(broker_app):
    with (
        override_settings(CELERY_TASK_ALWAYS_EAGER=False),
        start_worker(broker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        job = start_job("test.worker", "工作进程任务")  # queued on commit (autocommit here)
        for _ in range(100):
            job.refresh_from_db()
            if job.is_finished:
                break
            import time

            time.sleep(0.1)
    assert job.status == Job.Status.SUCCEEDED and job.result == {"worker": True}

import pytest
from django.urls import reverse

from changai.core.jobs import job_handler, report_progress, start_job
from changai.core.models import Job


@job_handler("test.count")
def _count(job):
    for done in range(1, 4):
        report_progress(job, done, 3, f"第{done}步")
    return {"counted": 3}


@job_handler("test.fail")
def _fail(job):
    raise ValueError("模拟失败")


@pytest.mark.django_db
def test_a_job_runs_in_process_without_a_broker():
    job = start_job("test.count", "计数")
    assert job.status == Job.Status.SUCCEEDED and job.result == {"counted": 3}
    assert (job.done, job.total, job.percent) == (3, 3, 100)


@pytest.mark.django_db
def test_a_failing_job_records_its_error():
    job = start_job("test.fail", "失败任务")
    assert job.status == Job.Status.FAILED and "模拟失败" in job.error


@pytest.mark.django_db
def test_an_unknown_job_kind_is_refused():
    with pytest.raises(KeyError):
        start_job("test.nope", "无")


def test_the_progress_component_polls_until_finished(cast, client):
    job = Job.objects.create(
        kind="test.count",
        title="进行中任务",
        created_by=cast.users["jiangyin"],
        status=Job.Status.RUNNING,
        done=1,
        total=4,
    )
    client.force_login(cast.users["jiangyin"])
    html = client.get(reverse("core:job_progress", kwargs={"job_pk": job.pk})).content.decode()
    assert 'hx-trigger="every 1s"' in html and "25%" in html
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED)
    html = client.get(reverse("core:job_progress", kwargs={"job_pk": job.pk})).content.decode()
    assert "hx-trigger" not in html and "100%" in html


def test_jobs_are_visible_to_their_creator_and_their_org_scope(cast, client):
    job = Job.objects.create(kind="x", title="高邮任务", org=cast.gaoyou, created_by=cast.users["gaoyou"])
    client.force_login(cast.users["sheng"])
    assert client.get(reverse("core:job_detail", kwargs={"job_pk": job.pk})).status_code == 200
    client.force_login(cast.users["jiangyin"])
    assert client.get(reverse("core:job_detail", kwargs={"job_pk": job.pk})).status_code == 404

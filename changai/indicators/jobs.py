"""Rollup refreshes run as jobs: after a change (one org's ancestors) or in full."""

from changai.core.jobs import job_handler, report_progress, start_job
from changai.orgs.models import Org

from . import rollups


def schedule_refresh(org: Org, period: str, indicator_ids=None, user=None):
    params = {"org": org.pk, "period": period, "indicators": list(indicator_ids) if indicator_ids else None}
    return start_job("indicators.refresh_change", f"汇总更新：{org.name} {period}", user=user, org=org, params=params)


def schedule_full_refresh(user=None):
    return start_job("indicators.refresh_all", "全量刷新指标汇总", user=user)


@job_handler("indicators.refresh_change")
def run_refresh_change(job):
    org = Org.objects.get(pk=job.params["org"])
    written = rollups.refresh_for_change(org, job.params["period"], job.params.get("indicators"))
    return {"rows": written}


@job_handler("indicators.refresh_all")
def run_refresh_all(job):
    written = rollups.refresh_all(progress=lambda done, total: report_progress(job, done, total, "正在汇总"))
    return {"rows": written}

"""Rosters, cross-checks and exports too large for a request run as background jobs."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from changai.core.jobs import job_handler, report_progress, start_job
from changai.orgs.models import Org

from . import services
from .models import Roster

EXPORT_DIR = "exports/allowances"


def schedule_roster(user, roster: Roster):
    return start_job(
        "allowances.compute_roster", f"计算{roster}", user=user, org=roster.org, params={"roster": roster.pk}
    )


@job_handler("allowances.compute_roster")
def run_compute_roster(job):
    roster = Roster.objects.select_related("org").get(pk=job.params["roster"])
    ids = services.roster_enterprise_ids(roster.org, roster.whole_group)
    total = services.employment_count(ids, services.parse_month(roster.month))
    report_progress(job, 0, total, f"正在计算 {total:,} 个任职记录")
    roster = services.compute_roster(roster.org, roster.month, whole_group=roster.whole_group, user=job.created_by)
    report_progress(job, total, total, f"已计算 {roster.line_count:,} 行")
    return {"roster": roster.pk, "lines": roster.line_count, "amount": str(roster.total_amount)}


def schedule_check(user, org, month, *, in_process=False):
    title = f"应发未列核查：{org.name if org else '全部范围'} {month.label}"
    params = {"month": month.code, "org": org.pk if org else None}
    return start_job("allowances.unlisted_check", title, user=user, org=org, params=params, in_process=in_process)


def check_scope(user, org):
    visible = Org.objects.visible_to(user).filter(kind="enterprise")
    if org is not None:
        visible = visible.filter(pk__in=services.scope_enterprises(org))
    return visible


@job_handler("allowances.unlisted_check")
def run_unlisted_check(job):
    org = Org.objects.filter(pk=job.params.get("org")).first() if job.params.get("org") else None
    scope = check_scope(job.created_by, org)
    return services.entitled_but_unlisted(scope, job.params["month"], limit=5000).as_json()


def schedule_export(user, roster: Roster):
    return start_job(
        "allowances.export_roster", f"导出{roster}", user=user, org=roster.org, params={"roster": roster.pk}
    )


@job_handler("allowances.export_roster")
def run_export_roster(job):
    from io import BytesIO

    from .exports import export_filename, roster_workbook

    roster = Roster.objects.select_related("org", "approved_by").get(pk=job.params["roster"])
    report_progress(job, 0, roster.line_count, "正在生成表格")
    workbook, rows = roster_workbook(roster, job.created_by)
    buffer = BytesIO()
    workbook.save(buffer)
    name = default_storage.save(f"{EXPORT_DIR}/{uuid.uuid4().hex}.xlsx", ContentFile(buffer.getvalue()))
    return {"file": name, "filename": export_filename(roster), "rows": rows}

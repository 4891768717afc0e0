"""Converting a signed issue's stored .docx to PDF is long work (LibreOffice starts in seconds): a job."""

from django.core.files.base import ContentFile

from changai.core.jobs import job_handler, report_progress, start_job

from . import render
from .models import Issue


def pdf_available() -> bool:
    return render.soffice_binary() is not None


def schedule_pdf(issue: Issue, user=None):
    job = start_job(
        "bulletins.render_pdf",
        f"生成 PDF：{issue.series.name} {issue.number_label}",
        user=user,
        org=issue.series.org,
        params={"issue": issue.pk},
    )
    Issue.objects.filter(pk=issue.pk).update(pdf_job=job)
    return job


@job_handler("bulletins.render_pdf")
def render_pdf(job):
    issue = Issue.objects.select_related("series").get(pk=job.params["issue"])
    if not issue.is_signed or not issue.docx:
        raise ValueError("只有已签发的专报可以生成 PDF。")
    report_progress(job, 0, 1, "正在用 LibreOffice 转换")
    with issue.docx.open("rb") as stored:
        pdf = render.docx_to_pdf(stored.read())
    issue.pdf.save("bulletin.pdf", ContentFile(pdf), save=False)
    Issue.objects.filter(pk=issue.pk).update(pdf=issue.pdf.name)
    report_progress(job, 1, 1, "已生成")
    return {"issue": issue.pk, "bytes": len(pdf)}

"""Upload, validate and commit import batches; the two jobs that do the long work.

Nothing reaches the database until the user commits a batch that validated clean, and the
commit validates the file again (the data may have changed since the preview) before it
writes every row in one transaction.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from changai.accounts.scope import root_orgs, scope_for

from .imports import (
    ALLOWED_EXTENSIONS,
    Importer,
    ImportFileError,
    Validation,
    build_error_workbook,
    file_extension,
    get_importer,
    preview_rows,
    read_sheet,
    validate,
)
from .jobs import job_handler, report_progress, start_job
from .models import ImportBatch, Job

Status = ImportBatch.Status


def importer_for(user, importer_key: str) -> type[Importer]:
    """The importer class, if the user's role may use it (KeyError for an unknown key)."""
    importer_cls = get_importer(importer_key)
    if not user.has_perm(importer_cls.permission):
        raise PermissionDenied("您无权进行此类导入。")
    return importer_cls


def default_org(user):
    """The org an import writes into when the user holds exactly one scope root."""
    roots = list(root_orgs(user)[:2])
    return roots[0] if len(roots) == 1 else None


def check_file(file) -> None:
    if file_extension(file.name) not in ALLOWED_EXTENSIONS:
        raise ValidationError("只能导入 .xlsx、.xls、.ods 或 .csv 文件。")
    if not file.size:
        raise ValidationError("文件是空的。")
    if file.size > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES / 1024 / 1024
        raise ValidationError(f"文件过大：不能超过 {limit:g} MB，请拆分后分批导入。")


def upload(user, importer_key: str, file, org=None) -> ImportBatch:
    """Save the file as a new batch and start validating it; nothing else is written."""
    importer_cls = importer_for(user, importer_key)
    check_file(file)
    org = org or default_org(user)
    if org is None:
        raise ValidationError("请选择导入到哪个组织。")
    if not scope_for(user).contains(org):
        raise PermissionDenied("您无权向该组织导入数据。")
    original_name = PurePath(file.name).name
    file.name = f"{uuid.uuid4().hex}{file_extension(original_name)}"
    batch = ImportBatch.objects.create(
        importer_key=importer_key,
        file=file,
        filename=original_name[:255],
        org=org,
        created_by=user,
        status=Status.VALIDATING,
    )
    title = f"校验导入文件：{importer_cls.title}（{original_name}）"[:200]
    job = start_job("core.import_validate", title, user=user, org=org, params={"batch": batch.pk})
    ImportBatch.objects.filter(pk=batch.pk).update(validate_job=job)
    batch.refresh_from_db()
    return batch


def commit(user, batch: ImportBatch) -> ImportBatch:
    """Start writing a validated batch. A second call (a form posted twice) is refused."""
    importer_cls = importer_for(user, batch.importer_key)
    flipped = ImportBatch.objects.filter(pk=batch.pk, status=Status.READY).update(
        status=Status.COMMITTING, committed_by=user, updated_at=timezone.now()
    )
    if not flipped:
        batch.refresh_from_db()
        if batch.status in (Status.COMMITTING, Status.COMMITTED):
            raise ValidationError("该批次已提交或正在提交。")
        raise ValidationError("该批次未通过校验，不能提交。")
    title = f"导入数据：{importer_cls.title}（{batch.filename}）"[:200]
    job = start_job("core.import_commit", title, user=user, org=batch.org, params={"batch": batch.pk})
    ImportBatch.objects.filter(pk=batch.pk).update(commit_job=job)
    batch.refresh_from_db()
    return batch


def error_workbook(batch: ImportBatch) -> bytes:
    """The rows of the batch's file that have errors, for the user to correct and upload again."""
    importer_cls = get_importer(batch.importer_key)
    sheet = read_sheet(_file_bytes(batch), batch.filename, importer_cls.columns)
    return build_error_workbook(importer_cls, sheet, batch.errors)


def has_row_errors(batch: ImportBatch) -> bool:
    return any(error.get("row") for error in batch.errors)


# ---------------------------------------------------------------------------- jobs


@job_handler("core.import_validate")
def run_validation(job: Job) -> dict:
    batch = _job_batch(job)
    with _failure_recorded(batch):
        checked = _check_batch(batch, batch.created_by, job)
        if checked is None:
            return {"status": Status.INVALID}
        importer, result = checked
        status = Status.INVALID if result.errors else Status.READY
        _store(batch, importer, result, status=status, counts={} if result.errors else _plan(importer, result))
    return {"status": status, "errors": len(result.errors), "rows": result.total}


@job_handler("core.import_commit")
def run_commit(job: Job) -> dict:
    batch = _job_batch(job)
    with _failure_recorded(batch):
        checked = _check_batch(batch, job.created_by, job)
        if checked is None:
            return {"status": Status.INVALID}
        importer, result = checked
        if result.errors:
            _store(batch, importer, result, status=Status.INVALID, counts={})
            return {"status": Status.INVALID, "errors": len(result.errors)}
        report_progress(job, result.total, result.total, "正在写入数据")
        with transaction.atomic():
            counts = importer.write([row.values for row in result.rows], result.context)
        _store(batch, importer, result, status=Status.COMMITTED, counts=counts, committed_at=timezone.now())
    return {"status": Status.COMMITTED, **counts}


def _job_batch(job: Job) -> ImportBatch:
    return ImportBatch.objects.select_related("org", "created_by").get(pk=job.params["batch"])


def _file_bytes(batch: ImportBatch) -> bytes:
    with batch.file.open("rb") as handle:
        return handle.read()


def _check_batch(batch: ImportBatch, user, job: Job) -> tuple[Importer, Validation] | None:
    """Read and validate the whole file; None (and the batch marked invalid) if the file cannot be read."""
    importer = get_importer(batch.importer_key)(batch, user)
    report_progress(job, 0, message="正在读取文件")
    try:
        sheet = read_sheet(_file_bytes(batch), batch.filename, importer.columns)
    except ImportFileError as exc:
        _update(batch, status=Status.INVALID, errors=[_file_error(str(exc))], preview=[], counts={})
        return None
    if not sheet.rows:
        _update(batch, status=Status.INVALID, errors=[_file_error("表头下没有数据行。")], preview=[], counts={})
        return None
    report_progress(job, 0, len(sheet.rows), "正在校验")
    result = validate(importer, sheet, progress=lambda done, total: report_progress(job, done, total, "正在校验"))
    return importer, result


def _plan(importer: Importer, result: Validation) -> dict:
    return importer.plan([row.values for row in result.rows], result.context)


def _store(batch: ImportBatch, importer: Importer, result: Validation, **fields) -> None:
    _update(
        batch,
        total_rows=result.total,
        valid_rows=len(result.rows),
        errors=result.errors,
        preview=preview_rows(importer.columns, result.rows),
        skipped=result.skipped,
        skip_reasons=dict(result.skip_reasons),
        **fields,
    )


def _update(batch: ImportBatch, **fields) -> None:
    """Write only these fields: another request may be changing the batch's other fields."""
    fields["updated_at"] = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)
    for name, value in fields.items():
        setattr(batch, name, value)


def _file_error(message: str) -> dict:
    return {"row": None, "column": "", "header": "", "message": message}


@contextmanager
def _failure_recorded(batch: ImportBatch):
    """Mark the batch failed (the job records the exception itself) if anything unexpected goes wrong."""
    try:
        yield
    except Exception:
        message = "处理时发生错误，未写入任何数据。请稍后重试或联系管理员。"
        _update(batch, status=Status.FAILED, errors=[_file_error(message)])
        raise

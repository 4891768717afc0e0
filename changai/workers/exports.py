"""The ledger as a workbook: the import template filled with the workers, so an edited copy can be imported back.

Identity numbers and phones are masked unless the caller passes full=True (after checking the permission
and logging the export once); a masked copy cannot be imported back, which the instructions sheet says.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook

from changai.core.imports import build_template

from . import pii
from .importers import WorkerImporter

MAX_EXPORT_ROWS = 50_000
EXTRA_HEADERS = ("性别", "出生日期", "状态")


def _row(worker, full: bool) -> list:
    occupation = worker.occupation
    return [
        worker.name,
        pii.decrypt(worker.id_cipher) if full else worker.id_masked,
        (pii.decrypt(worker.phone_cipher) if full else worker.phone_masked) or None,
        worker.get_education_display() or None,
        worker.get_political_status_display() or None,
        occupation.code if occupation else None,
        occupation.name if occupation else None,
        "是" if worker.frontline else "否",
        worker.hired_on,
        worker.get_sequence_display(),
        worker.grade or None,
        worker.enterprise.name if worker.enterprise_id else None,
        None,  # 调入日期: only filled when moving someone in
        worker.get_gender_display(),
        worker.birth_date,
        "在职" if worker.enterprise_id else "离职",
    ]


def ledger_workbook(workers, *, full: bool):
    """The import template (headers, drop-downs, instructions) with one row per worker."""
    workbook = load_workbook(io.BytesIO(build_template(WorkerImporter)))
    sheet = workbook.worksheets[0]
    sheet.title = "职工台账"
    first_extra = len(WorkerImporter.columns) + 1
    for offset, header in enumerate(EXTRA_HEADERS):
        sheet.cell(row=1, column=first_extra + offset, value=header)
    for worker in workers:
        sheet.append(_row(worker, full))
    for row in sheet.iter_rows(min_row=2, min_col=9, max_col=9):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for row in sheet.iter_rows(min_row=2, min_col=first_extra + 1, max_col=first_extra + 1):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    notes = workbook["填写说明"]
    if full:
        notes.append(["本表含完整身份证号和手机号，属于个人敏感信息，请妥善保管，用后删除。本次导出已记录。"])
    else:
        notes.append(["本表中的身份证号和手机号已脱敏，不能直接用于导入；修改后导入请填写完整号码。"])
    return workbook

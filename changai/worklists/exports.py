"""Workbooks of a plan's items and of supervision notices."""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .importers import COLUMNS

STATUS_HEADERS = [("状态", 10), ("进度（%）", 10), ("状态灯", 12), ("下一报送节点", 16), ("节点截止", 12)]


def plan_workbook(plan, items):
    """The plan's items in the import layout (so the sheet can be edited and imported back) plus their state."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "任务清单"
    sheet.append([f"{plan.org.name}{plan}（{plan.get_kind_display()}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([column.labelled_header for column in COLUMNS] + [header for header, _ in STATUS_HEADERS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for item in items:
        checkpoint = getattr(item, "next_due", None)
        sheet.append(
            [
                item.number,
                item.title,
                item.get_pillar_display(),
                item.lead_unit.name,
                "、".join(unit.name for unit in item.supporting_units.all()),
                item.target,
                float(item.target_value) if item.target_value is not None else None,
                item.starts_on,
                item.deadline,
                item.evidence_required,
                item.get_status_display(),
                item.progress,
                item.get_light_display() if item.status == item.Status.ACTIVE else "",
                str(checkpoint) if checkpoint else "",
                checkpoint.due_on if checkpoint else None,
            ]
        )
    widths = [column.width for column in COLUMNS] + [width for _, width in STATUS_HEADERS]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if hasattr(cell.value, "year"):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "C3"
    return workbook


NOTICE_HEADERS = [
    ("计划", 28),
    ("序号", 8),
    ("任务", 36),
    ("督办对象", 24),
    ("督办事由", 40),
    ("下发时间", 18),
    ("答复期限", 12),
    ("状态", 10),
    ("催办时间", 18),
    ("通报时间", 18),
    ("答复时间", 18),
    ("答复", 40),
]


def _stamp(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def notices_workbook(notices):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "督办单"
    sheet.append([header for header, _ in NOTICE_HEADERS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for notice in notices:
        item = notice.item
        sheet.append(
            [
                f"{item.plan.org.name}{item.plan}",
                item.number,
                item.title,
                notice.unit.name,
                notice.reason,
                _stamp(notice.issued_at),
                notice.reply_due,
                notice.get_status_display(),
                _stamp(notice.chased_at),
                _stamp(notice.circulated_at),
                _stamp(notice.replied_at),
                notice.reply,
            ]
        )
    for index, (_, width) in enumerate(NOTICE_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet["G"][1:]:
        cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    return workbook

"""Workbooks of demands and of the handling ledger. A raiser's contact is never exported."""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .models import Assignment

DEMAND_HEADERS = [
    ("编号", 16),
    ("提出时间", 17),
    ("涉及企业/单位", 28),
    ("类别", 14),
    ("标题", 30),
    ("诉求内容", 50),
    ("来源", 10),
    ("提出人", 12),
    ("状态", 10),
    ("主办单位", 24),
    ("协办单位", 28),
    ("答复期限", 12),
    ("答复时间", 17),
    ("答复内容", 50),
    ("落实计划", 30),
    ("计划落实日期", 12),
    ("评价", 10),
    ("评价意见", 30),
]

LEDGER_HEADERS = [
    ("排名", 6),
    ("承办单位", 28),
    ("受理件数", 10),
    ("已答复", 10),
    ("答复率（%）", 12),
    ("按时答复", 10),
    ("按时答复率（%）", 14),
    ("已落实", 10),
    ("落实率（%）", 12),
    ("已评价", 10),
    ("满意及基本满意", 14),
    ("满意率（%）", 12),
    ("当前逾期", 10),
    ("平均答复用时（工作日）", 20),
]


def _stamp(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _header(sheet, headers, row=1):
    for index, (header, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=index, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width


def demands_workbook(demands):
    """One row per demand with its lead unit's clock and answer (prefetch assignments with their units)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "诉求清单"
    _header(sheet, DEMAND_HEADERS)
    for demand in demands:
        live = [a for a in demand.assignments.all() if a.status != Assignment.Status.RETURNED]
        lead = next((a for a in live if a.role == Assignment.Role.LEAD), None)
        sheet.append(
            [
                demand.number,
                _stamp(demand.created_at),
                demand.org.name,
                demand.category.name,
                demand.title,
                demand.content,
                demand.get_channel_display(),
                demand.raiser_label,
                demand.get_status_display(),
                lead.unit.name if lead else "",
                "、".join(a.unit.name for a in live if a.role == Assignment.Role.CO),
                lead.due if lead else None,
                _stamp(lead.answered_at) if lead else "",
                lead.answer if lead else "",
                demand.plan_text,
                demand.plan_date,
                demand.get_rating_display() if demand.rating else "",
                demand.rating_comment,
            ]
        )
    for letter in ("L", "P"):
        for cell in sheet[letter][1:]:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "B2"
    return workbook


def _or_blank(value):
    return "" if value is None else value


def ledger_workbook(rows, start, end):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "诉求办理台账"
    sheet.append([f"诉求办理台账（{start:%Y-%m-%d} 至 {end:%Y-%m-%d} 提出的诉求）"])
    sheet["A1"].font = Font(bold=True, size=14)
    _header(sheet, LEDGER_HEADERS, row=2)
    for rank, row in enumerate(rows, start=1):
        sheet.append(
            [
                rank,
                row.unit.name,
                row.received,
                row.answered,
                _or_blank(row.answer_rate),
                row.answered_on_time,
                _or_blank(row.on_time_rate),
                row.implemented,
                _or_blank(row.implemented_rate),
                row.rated,
                row.satisfied,
                _or_blank(row.satisfaction_rate),
                row.overdue_now,
                _or_blank(row.average_days),
            ]
        )
    sheet.freeze_panes = "C3"
    return workbook

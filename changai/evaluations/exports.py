"""The ranking workbook an office circulates: one row per assessee, a column per rule, the final mark."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .services import fmt, full_marks


def _number(value):
    return float(value) if value is not None else None


def ranking_workbook(scorecard, rules, rows) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "考核排名"
    sheet.append([f"{scorecard.year}年{scorecard.title}得分排名"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            f"考核单位：{scorecard.org.name}；满分{fmt(scorecard.max_points)}分（细则合计{fmt(full_marks(rules))}分折算）；"
            f"状态：{scorecard.get_status_display()}"
        ]
    )
    headers = ["名次", "被考核单位", *[f"{rule.name}（{fmt(rule.max_score)}分）" for rule in rules]]
    headers += ["细则合计", "自评合计", f"最终得分（满分{fmt(scorecard.max_points)}分）"]
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        marks = [_number(mark.effective) if mark else None for mark in row.marks]
        self_sum = _number(row.totals.self_sum) if row.totals.self_entered else None
        sheet.append(
            [row.rank, row.assessee.org.name, *marks, _number(row.totals.sum), self_sum, _number(row.totals.total)]
        )
    widths = [6, 30, *[14] * len(rules), 10, 10, 16]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=3, column=index).column_letter].width = width
    sheet.freeze_panes = "C4"
    return workbook

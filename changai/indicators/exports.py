from openpyxl import Workbook
from openpyxl.styles import Font


def completeness_workbook(report):
    """The completeness table of one data set and period, as the office would circulate it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "填报情况"
    sheet.append([f"{report.dataset.name}（{report.period.label}）填报情况"])
    sheet.append(
        [
            f"应报 {report.expected} 家，已报 {report.reported} 家，上报率 {report.rate}%，"
            f"按时率 {report.timely_rate}%，截止日期 {report.deadline:%Y年%-m月%-d日}"
        ]
    )
    sheet.append(["单位", "类型", "状态", "上报时间", "是否按时"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=14)
    for row in report.rows:
        on_time = "" if row.on_time is None else ("按时" if row.on_time else "逾期")
        submitted = row.submitted_at.strftime("%Y-%m-%d %H:%M") if row.submitted_at else ""
        sheet.append([row.org.name, row.org.get_kind_display(), row.status_label, submitted, on_time])
    for column, width in zip("ABCDE", [32, 12, 10, 18, 10], strict=True):
        sheet.column_dimensions[column].width = width
    return workbook


def prefilled_workbook(importer_cls, orgs, values_by_org):
    """The bulk-entry sheet: one row per org in scope, today's values filled in, ready to complete."""
    from openpyxl.styles import PatternFill

    from .importers import org_reference

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "填报"
    columns = importer_cls.columns
    sheet.append([importer_cls.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([column.labelled_header for column in columns])
    locked = PatternFill("solid", fgColor="EEEEEE")
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for org in orgs:
        current = values_by_org.get(org.pk, {})
        row = [org_reference(org), org.name]
        row += [float(current[c.key]) if c.key in current else None for c in columns[2:]]
        sheet.append(row)
    for row in sheet.iter_rows(min_row=3, max_col=2):
        for cell in row:
            cell.fill = locked
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = column.width
    sheet.freeze_panes = "C3"
    return workbook

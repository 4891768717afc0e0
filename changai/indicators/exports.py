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

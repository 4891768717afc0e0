"""The workbook of a suggestion list. The proposer's private name and phone are never written here."""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

HEADERS = [
    "提交时间",
    "企业",
    "标题",
    "类别",
    "来源",
    "录入/提出",
    "状态",
    "实施情况",
    "奖励金额（元）",
    "处理时间",
    "建议内容",
]
WIDTHS = [18, 30, 30, 10, 10, 16, 8, 10, 14, 18, 60]


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def suggestions_workbook(suggestions) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "职工建议"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    for s in suggestions.select_related("org", "category", "submitter"):
        adopted = s.status == s.Status.ADOPTED
        sheet.append(
            [
                _local(s.created_at),
                s.org.name,
                s.title,
                s.category.name,
                s.get_channel_display(),
                s.proposer,
                s.get_status_display(),
                s.get_implementation_display() if adopted else "",
                s.reward if adopted else None,
                _local(s.decided_at),
                s.content,
            ]
        )
    for row in sheet.iter_rows(min_row=2):
        for index in (0, 9):
            row[index].number_format = "yyyy-mm-dd hh:mm"
        row[8].number_format = "#,##0.00"
    return book

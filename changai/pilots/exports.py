"""Workbooks of pilot lists and of the pilot map (the same rows the map draws)."""

from django.db.models import Count
from openpyxl import Workbook
from openpyxl.styles import Font

from changai.orgs.models import Org

HEADERS = [
    "试点单位",
    "单位类型",
    "统一社会信用代码",
    "设区市",
    "县（市、区）",
    "试点层级",
    "试点类型",
    "批次",
    "开始日期",
    "结束日期",
    "主管产改办",
    "状态",
    "批准日期",
    "批准文号",
    "示范称号",
    "命名日期",
    "试点项目数",
]
WIDTHS = [36, 10, 22, 10, 14, 12, 12, 16, 12, 12, 20, 10, 12, 20, 22, 12, 10]


def _bold_header(sheet, headers, widths):
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width


def pilots_workbook(pilots) -> Workbook:
    """An xlsx of the given pilots (already scoped and filtered by the caller)."""
    pilots = list(pilots.select_related("org", "pilot_type", "supervisor").annotate(project_count=Count("projects")))
    steplen = Org.steplen
    prefixes = {p.org.path[: steplen * depth] for p in pilots for depth in (2, 3)}
    names = dict(Org.objects.filter(path__in=prefixes, kind__in=["city", "county"]).values_list("path", "name"))
    book = Workbook()
    sheet = book.active
    sheet.title = "试点单位"
    _bold_header(sheet, HEADERS, WIDTHS)
    for p in pilots:
        sheet.append(
            [
                p.org.name,
                p.org.get_kind_display(),
                p.org.credit_code or "",
                names.get(p.org.path[: steplen * 2], ""),
                names.get(p.org.path[: steplen * 3], ""),
                p.get_level_display(),
                p.pilot_type.name,
                p.batch,
                p.period_start,
                p.period_end,
                p.supervisor.name if p.supervisor else "",
                p.get_status_display(),
                p.approved_on,
                p.approval_no,
                p.demonstration_title,
                p.demonstration_on,
                p.project_count,
            ]
        )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.is_date:
                cell.number_format = "yyyy-mm-dd"
    return book


def table_workbook(title: str, columns: list[str], rows: list[list]) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    _bold_header(sheet, columns, [max(len(str(c)) * 2 + 2, 10) for c in columns])
    for row in rows:
        sheet.append(row)
    return book

"""Workbooks: the list of reports, and one report's figures with how each was reviewed."""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from changai.core.periods import Period

REPORT_HEADERS = [
    ("标题", 40),
    ("报送单位", 28),
    ("所属期间", 14),
    ("文件类型", 10),
    ("上传人", 14),
    ("上传时间", 17),
    ("识别数字", 10),
    ("待审核", 10),
    ("已采用", 10),
]
FACT_HEADERS = [
    ("序号", 6),
    ("引文", 60),
    ("数值", 12),
    ("单位", 8),
    ("限定", 14),
    ("时间表述", 14),
    ("所指单位", 24),
    ("建议指标", 28),
    ("状态", 12),
    ("采用为指标", 28),
    ("计入单位", 24),
    ("计入期间", 12),
    ("采用数值", 12),
    ("审核说明", 30),
    ("审核人", 14),
    ("审核时间", 17),
]


def _stamp(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _sheet(workbook_title: str, headers):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = workbook_title
    for index, (header, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return workbook, sheet


def _period_label(code: str) -> str:
    try:
        return Period.parse(code).label
    except ValueError:
        return code


def reports_workbook(reports) -> Workbook:
    workbook, sheet = _sheet("材料清单", REPORT_HEADERS)
    for report in reports:
        sheet.append(
            [
                report.title,
                report.org.name,
                _period_label(report.period),
                report.get_file_type_display(),
                str(report.uploaded_by) if report.uploaded_by_id else "",
                _stamp(report.uploaded_at),
                report.fact_count,
                report.open_count,
                report.taken_count,
            ]
        )
    return workbook


def facts_workbook(report, facts) -> Workbook:
    workbook, sheet = _sheet("数字核对", FACT_HEADERS)
    for fact in facts.select_related("reviewed_by"):
        sheet.append(
            [
                fact.position,
                fact.quote,
                fact.figure,
                fact.unit,
                fact.get_qualifier_display(),
                fact.period_phrase,
                fact.subject,
                fact.suggested_indicator.name if fact.suggested_indicator else "",
                fact.get_status_display(),
                fact.indicator.name if fact.indicator else "",
                fact.org.name if fact.org else "",
                _period_label(fact.period) if fact.period else "",
                f"{fact.accepted_value.normalize():f}" if fact.accepted_value is not None else "",
                fact.note,
                str(fact.reviewed_by) if fact.reviewed_by else "",
                _stamp(fact.reviewed_at),
            ]
        )
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    return workbook

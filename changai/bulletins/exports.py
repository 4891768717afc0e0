"""Workbooks of the bulletin archive and of submitted items."""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .models import Article

ISSUE_HEADERS = [
    ("专报系列", 18),
    ("编发单位", 20),
    ("期号", 26),
    ("印发日期", 12),
    ("状态", 10),
    ("本期主题", 36),
    ("目录", 60),
    ("工作信息来源", 40),
    ("签发时间", 17),
]
ITEM_HEADERS = [
    ("投稿时间", 17),
    ("投稿单位", 24),
    ("投往专报", 18),
    ("标题", 36),
    ("署名", 18),
    ("状态", 10),
    ("刊用情况", 30),
    ("未采用原因", 30),
    ("正文", 60),
]


def _stamp(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _sheet(title, headers):
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for index, (header, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return book, sheet


def issues_workbook(issues) -> Workbook:
    book, sheet = _sheet("专报库", ISSUE_HEADERS)
    for issue in issues:
        articles = sorted(issue.articles.all(), key=lambda a: a.position)
        infos = [a for a in articles if a.kind == Article.Kind.INFO]
        sheet.append(
            [
                issue.series.name,
                issue.series.issuing_office,
                issue.number_label,
                issue.issue_date.isoformat() if issue.issue_date and issue.is_signed else "",
                issue.get_status_display(),
                issue.title or next((a.title for a in articles if a.kind == Article.Kind.LEAD), ""),
                "；".join(a.title for a in articles),
                "；".join(sorted({a.source for a in infos if a.source})) if infos else "",
                _stamp(issue.signed_at),
            ]
        )
    return book


def items_workbook(items) -> Workbook:
    book, sheet = _sheet("专报投稿", ITEM_HEADERS)
    for item in items:
        article = getattr(item, "article", None)
        used = f"{article.issue.series.name} {article.issue.number_label}" if article else ""
        sheet.append(
            [
                _stamp(item.submitted_at),
                item.org.name,
                item.series.name,
                item.title,
                item.source,
                item.get_status_display(),
                used,
                item.decline_reason,
                item.body,
            ]
        )
    return book

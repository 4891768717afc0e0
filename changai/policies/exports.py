"""The workbook of a policy's receipts: who received it, who has read it, who has been reminded."""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from changai.orgs.models import Org

HEADERS = ["接收单位", "单位类型", "统一社会信用代码/代码", "上级单位", "阅读状态", "阅读时间", "阅读人", "催阅次数"]
WIDTHS = [36, 12, 22, 20, 10, 18, 16, 10]


def parent_names(orgs) -> dict[str, str]:
    """The name of each org's territorial parent, by the parent's path (one query)."""
    paths = {org.path[: -Org.steplen] for org in orgs if org.depth > 1}
    return dict(Org.objects.filter(path__in=paths).values_list("path", "name"))


def receipts_workbook(policy, receipts) -> Workbook:
    receipts = list(receipts.select_related("org", "read_by"))
    parents = parent_names([r.org for r in receipts])
    book = Workbook()
    sheet = book.active
    sheet.title = "阅读回执"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    for receipt in receipts:
        org = receipt.org
        read_at = timezone.localtime(receipt.read_at).replace(tzinfo=None) if receipt.read_at else None
        sheet.append(
            [
                org.name,
                org.get_kind_display(),
                org.credit_code or org.code or "",
                parents.get(org.path[: -Org.steplen], ""),
                "已读" if receipt.read_at else "未读",
                read_at,
                str(receipt.read_by) if receipt.read_by else "",
                receipt.remind_count,
            ]
        )
    for row in sheet.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in row:
            cell.number_format = "yyyy-mm-dd hh:mm"
    return book

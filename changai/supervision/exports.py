"""Workbooks of spot checks, rectifications, the brand ranking and meetings (rows already scoped by the caller)."""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from .services import fmt


def _sheet(title: str, headers: list[str], widths: list[int]):
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    return book, sheet


def _dates(sheet):
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.is_date:
                cell.number_format = "yyyy-mm-dd"


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def spot_checks_workbook(spot_checks) -> Workbook:
    headers = [
        "工作计划",
        "制定单位",
        "抽查季度",
        "抽取比例（%）",
        "随机种子",
        "抽样总体（项）",
        "抽中（项）",
        "发现问题",
        "检查人",
        "抽查时间",
    ]
    book, sheet = _sheet("季度抽查", headers, [30, 20, 10, 12, 14, 14, 10, 10, 12, 18])
    for sc in spot_checks:
        sheet.append(
            [
                str(sc.plan),
                sc.plan.org.name,
                sc.period,
                sc.sample_pct,
                str(sc.seed),
                len(sc.population),
                sc.sample_count,
                sc.finding_count,
                str(sc.checker or ""),
                _local(sc.created_at),
            ]
        )
    return book


def sample_workbook(spot_check, rows) -> Workbook:
    """The sample of one spot check, one row per finding (or one empty row per item without findings)."""
    headers = [
        "抽取顺序",
        "序号",
        "任务",
        "牵头单位",
        "完成时限",
        "进度（%）",
        "发现问题",
        "严重程度",
        "整改任务",
        "责任单位",
        "整改时限",
        "整改状态",
    ]
    book, sheet = _sheet(f"{spot_check.period}抽查", headers, [8, 8, 40, 20, 12, 10, 40, 10, 30, 20, 12, 10])
    for position, item, findings in rows:
        base = [position, item.number, item.title, item.lead_unit.name, item.deadline, item.progress]
        if not findings:
            sheet.append(base)
        for finding in findings:
            rectifications = list(finding.rectifications.all()) or [None]
            for r in rectifications:
                tail = [r.task, r.unit.name, r.deadline, r.get_status_display()] if r else []
                sheet.append([*base, finding.text, finding.get_severity_display(), *tail])
    _dates(sheet)
    return book


def rectifications_workbook(rectifications) -> Workbook:
    headers = [
        "工作计划",
        "抽查季度",
        "任务",
        "发现问题",
        "整改任务",
        "责任单位",
        "整改时限",
        "状态",
        "完成时间",
        "整改情况",
    ]
    book, sheet = _sheet("整改台账", headers, [30, 10, 36, 36, 30, 20, 12, 10, 18, 40])
    for r in rectifications:
        spot_check = r.finding.spot_check
        sheet.append(
            [
                str(spot_check.plan),
                spot_check.period,
                r.finding.item.title,
                r.finding.text,
                r.task,
                r.unit.name,
                r.deadline,
                r.get_status_display(),
                _local(r.done_at),
                r.note,
            ]
        )
    _dates(sheet)
    return book


def brands_workbook(brands) -> Workbook:
    headers = [
        "排名",
        "品牌名称",
        "任务",
        "所属计划",
        "制定单位",
        "牵头单位",
        "命名日期",
        "最近得分",
        "满分",
        "评价日期",
    ]
    book, sheet = _sheet("品牌排名", headers, [6, 30, 36, 30, 20, 20, 12, 10, 8, 12])
    for rank, brand in enumerate(brands, start=1):
        scored = brand.latest_total is not None
        sheet.append(
            [
                rank if scored else "",
                brand.name,
                brand.item.title,
                str(brand.item.plan),
                brand.item.plan.org.name,
                brand.item.lead_unit.name,
                timezone.localdate(brand.promoted_at),
                fmt(brand.latest_total) if scored else "",
                fmt(brand.latest_max) if scored else "",
                brand.latest_date,
            ]
        )
    _dates(sheet)
    return book


def meetings_workbook(meetings) -> Workbook:
    headers = ["会议名称", "会议类型", "召集单位", "会议日期", "参会单位数", "议定事项数", "已转任务数"]
    book, sheet = _sheet("联席会议", headers, [36, 10, 20, 12, 10, 10, 10])
    for m in meetings:
        sheet.append(
            [m.title, m.get_kind_display(), m.org.name, m.date, m.attendee_count, m.decision_count, m.item_count]
        )
    _dates(sheet)
    return book

"""The roster as a payroll workbook: a summary sheet and the lines (masked identity numbers unless the user may
see them in full, in which case each enterprise's full view is logged)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from changai.certificates.models import Level, TitleRank
from changai.orgs.models import Org

from .models import LINE_FIGURES, RosterLine, Tier

MAX_SHEET_ROWS = 1_000_000
LINE_HEADERS = [
    ("序号", 8),
    ("企业", 28),
    ("姓名", 10),
    ("身份证号", 21),
    ("技能等级", 14),
    ("职称", 12),
    ("享受等级", 14),
    ("享受依据", 10),
    ("等级津贴（元）", 12),
    ("人才类别", 14),
    ("人才津贴（元）", 12),
    ("一次性奖励（元）", 14),
    ("合计（元）", 12),
    ("计发天数", 9),
    ("上月合计（元）", 13),
    ("变动", 8),
    ("变动原因", 40),
]
LEVELS = dict(Level.choices)
TITLES = dict(TitleRank.choices)
TIERS = dict(Tier.choices)
CHANGES = dict(RosterLine.Change.choices)
SOURCES = {"skill": "技能等级", "title": "职称对应"}


def full_number_enterprises(user, enterprise_ids) -> set[int]:
    """Enterprises whose workers' full numbers this user may see (workers.services decides; masked without it)."""
    from changai.workers.services import can_see_full_numbers

    if user is None:
        return set()
    return {org.pk for org in Org.objects.filter(pk__in=list(enterprise_ids)) if can_see_full_numbers(user, org)}


def _log_full_views(user, counts: dict[int, int]) -> None:
    """One logged full view per enterprise, with the number of rows exported."""
    from changai.workers.models import FullNumberView
    from changai.workers.services import log_full_view

    for enterprise in Org.objects.filter(pk__in=[pk for pk, rows in counts.items() if rows]):
        log_full_view(
            user,
            field=FullNumberView.Field.ID_NUMBER,
            channel=FullNumberView.Channel.EXPORT,
            enterprise=enterprise,
            rows=counts[enterprise.pk],
        )


def _bold(sheet, values):
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        cells.append(cell)
    return cells


def _summary(workbook, roster):
    sheet = workbook.create_sheet("汇总")
    sheet.column_dimensions["A"].width = 30
    for column in "BCD":
        sheet.column_dimensions[column].width = 16
    sheet.append(_bold(sheet, [str(roster)]))
    sheet.append(["状态", roster.get_status_display(), "审批人", str(roster.approved_by or "")])
    sheet.append(["发放人数", roster.paid_count, "合计金额（元）", float(roster.total_amount)])
    sheet.append([])
    totals = roster.totals or {}
    for title, rows in (
        ("按享受等级", totals.get("levels", [])),
        ("按人才类别", totals.get("tiers", [])),
        ("一次性晋级奖励", totals.get("rewards", [])),
        ("按企业", totals.get("enterprises", [])),
    ):
        sheet.append(_bold(sheet, [title, "人数", "金额（元）"]))
        for row in rows:
            sheet.append([row.get("label") or row.get("name"), row["count"], float(row["amount"])])
        sheet.append([])


def _lines_sheet(workbook, number: int):
    sheet = workbook.create_sheet("明细" if number == 1 else f"明细{number}")
    for index, (_, width) in enumerate(LINE_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_bold(sheet, [header for header, _ in LINE_HEADERS]))
    return sheet


def roster_workbook(roster, user) -> tuple[Workbook, int]:
    """The workbook and how many lines it holds."""
    from changai.workers.pii import decrypt

    workbook = Workbook(write_only=True)
    _summary(workbook, roster)
    enterprise_names = {row["id"]: row["name"] for row in (roster.totals or {}).get("enterprises", [])}
    lines = RosterLine.objects.filter(roster=roster).order_by("enterprise_id", "name", "pk")
    enterprise_ids = set(lines.values_list("enterprise_id", flat=True).distinct())
    missing = enterprise_ids - set(enterprise_names)
    enterprise_names.update(Org.objects.filter(pk__in=missing).values_list("pk", "name"))
    full = full_number_enterprises(user, enterprise_ids)
    fields = ["enterprise_id", *LINE_FIGURES]
    if full:
        fields.append("worker__id_cipher")
    revealed: dict[int, int] = {}
    sheet, number, written = None, 0, 0
    for row in lines.values_list(*fields).iterator(chunk_size=10_000):
        if written % MAX_SHEET_ROWS == 0:
            number += 1
            sheet = _lines_sheet(workbook, number)
        written += 1
        enterprise_id = row[0]
        id_number = row[2]
        if full and enterprise_id in full:
            id_number = decrypt(row[16]) or row[2]
            revealed[enterprise_id] = revealed.get(enterprise_id, 0) + 1
        sheet.append(
            [
                written,
                enterprise_names.get(enterprise_id, ""),
                row[1],
                id_number,
                LEVELS.get(row[3], ""),
                TITLES.get(row[4], ""),
                LEVELS.get(row[5], ""),
                SOURCES.get(row[6], ""),
                float(row[7]),
                TIERS.get(row[8], ""),
                float(row[9]),
                float(row[10]),
                float(row[11]),
                row[12],
                float(row[13]) if row[13] is not None else None,
                CHANGES.get(row[14], ""),
                row[15],
            ]
        )
    if sheet is None:
        sheet = _lines_sheet(workbook, 1)
        sheet.append(["本花名册没有发放人员。"])
    if revealed:
        _log_full_views(user, revealed)
    return workbook, written


def export_filename(roster) -> str:
    group = "集团" if roster.whole_group else ""
    return f"技能津贴花名册_{roster.org.name}{group}_{roster.month}.xlsx"

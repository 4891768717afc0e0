"""Workbooks of career moves, the title-bridge eligibility list and the applications. Identity numbers masked."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

DATE_FORMAT = "yyyy-mm-dd"


def _sheet(title: str, headers: list[tuple[str, int]], caption: str):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.cell(row=1, column=1, value=caption).font = Font(bold=True, size=13)
    for index, (header, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=index, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C3"
    return workbook, sheet


def _dates(sheet, columns: list[int]) -> None:
    for column in columns:
        for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
            cell.number_format = DATE_FORMAT


def moves_workbook(moves, caption: str):
    headers = [("姓名", 10), ("身份证号", 20), ("企业", 28), ("变动类型", 10), ("原岗位", 22), ("新岗位", 22)]
    headers += [("一线职工晋升管理岗位", 12), ("生效日期", 12), ("批准机构", 24), ("文号", 18), ("备注", 30)]
    workbook, sheet = _sheet("岗位变动", headers, caption)
    for move in moves:
        sheet.append(
            [
                move.worker.name,
                move.worker.id_masked,
                move.enterprise.name,
                move.get_kind_display(),
                move.from_label,
                move.to_label,
                "是" if move.frontline_promotion else "",
                move.effective_on,
                move.approving_body,
                move.document,
                move.note,
            ]
        )
    _dates(sheet, [8])
    return workbook


def eligibility_workbook(standings, caption: str):
    headers = [("姓名", 10), ("身份证号", 20), ("企业", 28), ("最高技能等级", 16), ("已取得职称", 12)]
    headers += [("可申报职称", 12), ("依据等级", 16), ("依据等级取得日期", 14), ("下一职称", 12)]
    headers += [("下一职称可申报日期", 16), ("申报情况", 14)]
    workbook, sheet = _sheet("贯通评审可申报名单", headers, caption)
    for standing in standings:
        worker = standing.worker
        pending = standing.pending
        sheet.append(
            [
                worker.name,
                worker.id_masked,
                worker.enterprise.name if worker.enterprise_id else "",
                standing.level_label,
                standing.held_label,
                standing.target_label,
                standing.qualifying_label,
                standing.since,
                standing.next_label,
                standing.next_from,
                f"已申报{pending.get_target_rank_display()}，待评审" if pending else "",
            ]
        )
    _dates(sheet, [8, 10])
    return workbook


def applications_workbook(applications, caption: str):
    headers = [("姓名", 10), ("身份证号", 20), ("企业", 28), ("申报职称", 12), ("申报专业", 16), ("依据等级", 16)]
    headers += [("评审机构", 28), ("申报日期", 12), ("状态", 10), ("评审结果日期", 14), ("评审意见", 30)]
    workbook, sheet = _sheet("贯通评审申报", headers, caption)
    for application in applications:
        sheet.append(
            [
                application.worker.name,
                application.worker.id_masked,
                application.enterprise.name,
                application.get_target_rank_display(),
                application.specialty,
                application.get_qualifying_level_display(),
                application.body,
                application.submitted_on,
                application.get_status_display(),
                application.decided_on,
                application.decision_note,
            ]
        )
    _dates(sheet, [8, 10])
    return workbook

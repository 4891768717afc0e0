"""Workbooks of courses, classes, a class roster, education upgrades and scholarships.
Identity numbers appear masked, as on the pages."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

DATE_FORMAT = "yyyy-mm-dd"


def _sheet(title: str, headers: list[tuple[str, int]], caption: str = ""):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    row = 1
    if caption:
        sheet.cell(row=1, column=1, value=caption).font = Font(bold=True, size=13)
        row = 2
    for index, (header, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=index, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=row + 1, column=2)
    return workbook, sheet


def _dates(sheet, columns: list[int], first_row: int = 2) -> None:
    for column in columns:
        for (cell,) in sheet.iter_rows(min_row=first_row, min_col=column, max_col=column):
            cell.number_format = DATE_FORMAT


def courses_workbook(courses):
    headers = [("课程名称", 30), ("主办单位", 26), ("培训方式", 10), ("课程学时", 10), ("对应职业", 18)]
    headers += [("开班数", 8), ("启用", 6), ("课程简介", 50)]
    workbook, sheet = _sheet("培训课程", headers)
    for course in courses:
        sheet.append(
            [
                course.title,
                course.organiser.name,
                course.get_mode_display(),
                float(course.hours),
                course.occupation.name if course.occupation_id else "",
                course.class_count,
                "是" if course.is_active else "否",
                course.description,
            ]
        )
    return workbook


def classes_workbook(classes):
    headers = [("班级名称", 32), ("课程", 26), ("主办单位", 26), ("培训方式", 10), ("开班日期", 12), ("结业日期", 12)]
    headers += [("培训地点", 24), ("限额", 8), ("报名人数", 10), ("结业人数", 10), ("参训人次", 10), ("结业学时", 10)]
    workbook, sheet = _sheet("培训班", headers)
    for item in classes:
        sheet.append(
            [
                item.title,
                item.course.title,
                item.organiser.name,
                item.course.get_mode_display(),
                item.starts_on,
                item.ends_on,
                item.place,
                item.capacity,
                item.enrolled_count,
                item.completed_count,
                item.person_times,
                float(item.required_hours),
            ]
        )
    _dates(sheet, [5, 6])
    return workbook


def roster_workbook(training_class, enrolments, sessions, present: set[tuple[int, int]]):
    """One row per enrolment, a column per session (✓ when present), then the totals and completion."""
    headers = [("姓名", 10), ("身份证号", 20), ("报名时所在企业", 28), ("报名日期", 12)]
    headers += [(f"第{s.number}次\n{s.held_on:%m-%d}（{s.hours}学时）", 12) for s in sessions]
    headers += [("出勤课次", 10), ("参训学时", 10), ("是否结业", 10), ("结业日期", 12)]
    caption = (
        f"{training_class.title}（{training_class.starts_on:%Y-%m-%d} 至 {training_class.ends_on:%Y-%m-%d}，"
        f"结业学时{training_class.required_hours}）"
    )
    workbook, sheet = _sheet("学员名册", headers, caption)
    for enrolment in enrolments:
        marks = ["✓" if (s.pk, enrolment.pk) in present else "" for s in sessions]
        sheet.append(
            [
                enrolment.worker.name,
                enrolment.worker.id_masked,
                enrolment.enterprise.name,
                enrolment.enrolled_on,
                *marks,
                enrolment.attended_sessions,
                float(enrolment.attended_hours),
                "是" if enrolment.completed else "否",
                enrolment.completed_on,
            ]
        )
    _dates(sheet, [4, len(headers)], first_row=3)
    return workbook


def upgrades_workbook(upgrades):
    headers = [("姓名", 10), ("身份证号", 20), ("所在企业", 28), ("就读院校", 26), ("专业", 20), ("学历层次", 10)]
    headers += [("入学日期", 12), ("预计毕业", 12), ("毕业日期", 12), ("退学日期", 12), ("状态", 8)]
    headers += [("助学金（元）", 12)]
    workbook, sheet = _sheet("学历提升", headers)
    for upgrade in upgrades:
        sheet.append(
            [
                upgrade.worker.name,
                upgrade.worker.id_masked,
                upgrade.enterprise.name,
                upgrade.school,
                upgrade.programme,
                upgrade.get_level_display(),
                upgrade.started_on,
                upgrade.expected_on,
                upgrade.graduated_on,
                upgrade.withdrawn_on,
                upgrade.get_status_display(),
                float(upgrade.paid_total or 0),
            ]
        )
    _dates(sheet, [7, 8, 9, 10])
    return workbook


def payments_workbook(payments, total, caption: str):
    headers = [("发放日期", 12), ("姓名", 10), ("身份证号", 20), ("所在企业", 28), ("就读院校", 26), ("学历层次", 10)]
    headers += [("金额（元）", 12), ("发放单位", 26), ("说明", 30)]
    workbook, sheet = _sheet("助学金发放", headers, caption)
    for payment in payments:
        upgrade = payment.upgrade
        sheet.append(
            [
                payment.paid_on,
                upgrade.worker.name,
                upgrade.worker.id_masked,
                upgrade.enterprise.name,
                upgrade.school,
                upgrade.get_level_display(),
                float(payment.amount),
                payment.payer.name,
                payment.note,
            ]
        )
    sheet.append(["合计", "", "", "", "", "", float(total), "", ""])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    _dates(sheet, [1], first_row=3)
    return workbook

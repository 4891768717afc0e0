"""Workbooks of certificate lists and rating batches (identity numbers masked, as on the pages)."""

from openpyxl import Workbook
from openpyxl.styles import Font

from .models import Candidate, Certificate, RatingBatch

CERTIFICATE_HEADERS = [
    "姓名",
    "身份证号（脱敏）",
    "现工作单位",
    "职业编码",
    "职业名称",
    "技能等级",
    "评价途径",
    "证书编号",
    "发证日期",
    "有效期至",
    "发证机构",
    "自主评价企业",
    "状态",
]
WIDTHS = [10, 22, 30, 14, 16, 16, 18, 24, 12, 12, 24, 24, 10]


def _sheet(workbook: Workbook, title: str, headers: list[str], widths: list[int]):
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(headers)
    return sheet


def certificate_status(certificate: Certificate, day) -> str:
    if certificate.revoked:
        return "已撤销"
    if certificate.expires_on and certificate.expires_on < day:
        return "已过期"
    if certificate.issued_on > day:
        return "未生效"
    return "有效"


def certificates_workbook(certificates, day, title="技能等级证书") -> Workbook:
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, title, CERTIFICATE_HEADERS, WIDTHS)
    for c in certificates.iterator(chunk_size=2000):
        worker = c.worker
        sheet.append(
            [
                worker.name,
                worker.id_masked,
                worker.enterprise.name if worker.enterprise_id else "",
                c.occupation.code,
                c.occupation.name,
                c.get_level_display(),
                c.get_route_display(),
                c.number,
                c.issued_on,
                c.expires_on,
                c.issuer,
                c.rating_enterprise.name if c.rating_enterprise_id else "",
                certificate_status(c, day),
            ]
        )
    return workbook


def candidates_workbook(batch: RatingBatch, candidates: list[Candidate]) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "考生名单"
    sheet.append([batch.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"{batch.enterprise.name}　评价日期 {batch.assessed_on:%Y-%m-%d}　合格分数线 {batch.pass_mark}"])
    headers = [
        "序号",
        "姓名",
        "身份证号（脱敏）",
        "职业编码",
        "职业名称",
        "申报等级",
        "理论成绩",
        "实操成绩",
        "结果",
        "证书编号",
    ]
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for c in candidates:
        sheet.append(
            [
                c.row,
                c.worker.name,
                c.worker.id_masked,
                c.occupation.code,
                c.occupation.name,
                c.get_level_display(),
                c.theory_score,
                c.practice_score,
                c.get_result_display(),
                c.certificate.number if c.certificate_id else c.certificate_number,
            ]
        )
    for letter, width in zip("ABCDEFGHIJ", [6, 10, 22, 14, 16, 16, 10, 10, 8, 24], strict=True):
        sheet.column_dimensions[letter].width = width
    return workbook

from openpyxl import Workbook
from openpyxl.styles import Font

HEADERS = [
    "名称",
    "类型",
    "代码",
    "统一社会信用代码",
    "所有制",
    "行业门类",
    "企业规模",
    "职工人数",
    "已建工会",
    "上级",
    "有效",
]


def orgs_workbook(orgs):
    """An xlsx of the given orgs (already scoped by the caller)."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "组织名录"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    orgs = list(orgs)
    parent_paths = {org.path[: -org.steplen] for org in orgs if org.depth > 1}
    parents = dict(type(orgs[0]).objects.filter(path__in=parent_paths).values_list("path", "name")) if orgs else {}
    for org in orgs:
        sheet.append(
            [
                org.name,
                org.get_kind_display(),
                org.code or "",
                org.credit_code or "",
                org.get_ownership_display(),
                org.get_industry_display(),
                org.get_size_display(),
                org.headcount,
                "是" if org.has_union else "否",
                parents.get(org.path[: -org.steplen], ""),
                "是" if org.is_active else "否",
            ]
        )
    for column, width in zip("ABCDEFGHIJK", [36, 12, 14, 22, 10, 24, 10, 10, 8, 20, 6], strict=True):
        sheet.column_dimensions[column].width = width
    return workbook

"""The one import framework: columns, cell parsing, reading sheets, importers, template and error workbooks.

An importer describes one kind of sheet: its columns, how a row is checked against the
database and how the rows are written. Everything else is shared here: finding the header
row, cleaning cells, keeping Excel row numbers, duplicate keys, the template to download and
the workbook of errors. The upload/commit services and their jobs are in `import_services.py`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any, ClassVar

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

KINDS = ("text", "code", "int", "decimal", "date", "bool", "choice")
KIND_LABELS = {
    "text": "文本",
    "code": "代码（按文本填写）",
    "int": "整数",
    "decimal": "数字",
    "date": "日期，如 2024-06-24 或 2024年6月24日",
    "bool": "是 / 否",
    "choice": "从下拉列表中选择",
}
SPREADSHEET_EXTENSIONS = (".xlsx", ".xls", ".ods")
ALLOWED_EXTENSIONS = (*SPREADSHEET_EXTENSIONS, ".csv")
HEADER_SEARCH_ROWS = 20
PREVIEW_ROWS = 20
PROGRESS_EVERY = 500
QUERY_CHUNK = 500
UNREADABLE = (
    "无法读取该文件，请确认它是未加密的 Excel（.xlsx/.xls）或 .ods 文件；"
    "其他系统导出的文件请先用 Excel 或 WPS 打开，另存为 .xlsx 后再上传。"
)

TRUE_WORDS = {"是", "y", "yes", "true", "1", "有", "√", "对"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "无", "×", "x", "错"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
EXCEL_EPOCH = date(1899, 12, 30)
# Beyond 15 significant digits a spreadsheet has already rounded the number away.
FLOAT_EXACT_LIMIT = 10**15


# ---------------------------------------------------------------------------- columns and cells


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    kind: str = "text"
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    width: int = 16
    max_length: int | None = None
    min_value: int | None = None
    aliases: tuple[str, ...] = ()
    _choice_lookup: dict = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r}")
        choices = tuple((str(value), str(label)) for value, label in self.choices)
        object.__setattr__(self, "choices", choices)
        lookup = {}
        for value, label in choices:
            lookup.setdefault(_choice_key(label), value)
            lookup.setdefault(_choice_key(value), value)
        object.__setattr__(self, "_choice_lookup", lookup)

    @property
    def labelled_header(self) -> str:
        return f"*{self.header}" if self.required else self.header

    @property
    def header_keys(self) -> set[str]:
        return {normalise_header(name) for name in (self.header, *self.aliases)}

    def label_of(self, value) -> str:
        return dict(self.choices).get(value, str(value))


class CellError(ValueError):
    """A cell that cannot be read as its column's kind; the message is shown to the user."""


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _choice_key(text: str) -> str:
    return re.sub(r"\s+", "", _nfkc(str(text))).casefold()


def normalise_header(text) -> str:
    text = _nfkc(str(text or ""))
    text = re.sub(r"[(（]\s*必填\s*[)）]", "", text)
    return re.sub(r"[\s*]+", "", text).casefold()


def is_empty(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _is_number(raw) -> bool:
    return isinstance(raw, int | float) and not isinstance(raw, bool)


def _float_to_text(raw: float) -> str:
    if not raw.is_integer():
        return repr(raw)
    if abs(raw) >= FLOAT_EXACT_LIMIT:
        raise CellError("数字位数过多，表格软件已把末几位变成0；请把该列设为“文本”格式后重新填写")
    return str(int(raw))


def _parse_text(column: Column, raw) -> str:
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        return _float_to_text(raw)
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.strftime("%Y-%m-%d %H:%M")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def _parse_code(column: Column, raw) -> str:
    if isinstance(raw, bool):
        raise CellError("应为代码，不能是“是/否”")
    if isinstance(raw, float):
        return _float_to_text(raw)
    text = re.sub(r"\s+", "", _nfkc(str(raw))).upper()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    if re.fullmatch(r"\d+(\.\d+)?E\+\d+", text):
        raise CellError("代码被表格软件显示成了科学计数法；请把该列设为“文本”格式后重新填写")
    return text


def _number_text(raw) -> str:
    return re.sub(r"[\s,，]", "", _nfkc(str(raw)))


def _parse_decimal(column: Column, raw) -> Decimal:
    if isinstance(raw, bool):
        raise CellError("应为数字")
    try:
        number = Decimal(repr(raw) if isinstance(raw, float) else _number_text(raw))
    except InvalidOperation:
        raise CellError(f"“{raw}”不是数字") from None
    if not number.is_finite():
        raise CellError(f"“{raw}”不是数字")
    return number


def _parse_int(column: Column, raw) -> int:
    try:
        number = _parse_decimal(column, raw)
    except CellError:
        raise CellError(f"“{raw}”不是整数") from None
    if number != number.to_integral_value():
        raise CellError(f"“{raw}”不是整数，不能有小数")
    return int(number)


def _date_from_number(raw) -> date:
    digits = str(int(raw))
    if raw == int(raw) and len(digits) == 8:
        return _date_from_text(digits)
    if 1 <= raw < 2958466:  # Excel serial numbers up to 9999-12-31
        return EXCEL_EPOCH + timedelta(days=int(raw))
    raise CellError(f"“{raw}”不是日期")


def _date_from_text(text: str) -> date:
    text = re.sub(r"[ T]\d{1,2}:\d{2}.*$", "", _nfkc(text).strip())
    text = re.sub(r"\s+", "", text)
    formats = ("%Y%m%d",) if re.fullmatch(r"\d{8}", text) else DATE_FORMATS
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(f"“{text}”不是有效日期，请按 2024-06-24 或 2024年6月24日 填写")


def _parse_date(column: Column, raw) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, bool):
        raise CellError("应为日期")
    if _is_number(raw):
        return _date_from_number(raw)
    return _date_from_text(str(raw))


def _parse_bool(column: Column, raw) -> bool:
    if isinstance(raw, bool):
        return raw
    word = _parse_text(column, raw) if isinstance(raw, float) else _nfkc(str(raw)).strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f"“{raw}”无法识别，请填写“是”或“否”")


def _parse_choice(column: Column, raw) -> str:
    text = _parse_text(column, raw)
    value = column._choice_lookup.get(_choice_key(text))
    if value is not None:
        return value
    labels = [label for _, label in column.choices]
    allowed = "、".join(labels) if len(labels) <= 10 else "见下拉列表"
    raise CellError(f"“{text}”不是可选值（可选：{allowed}）")


_PARSERS: dict[str, Callable[[Column, Any], Any]] = {
    "text": _parse_text,
    "code": _parse_code,
    "int": _parse_int,
    "decimal": _parse_decimal,
    "date": _parse_date,
    "bool": _parse_bool,
    "choice": _parse_choice,
}


def parse_cell(column: Column, raw):
    """The cleaned value of one cell (None when empty); raises CellError with a Chinese message."""
    if is_empty(raw):
        return None
    value = _PARSERS[column.kind](column, raw)
    if isinstance(value, str) and column.max_length and len(value) > column.max_length:
        raise CellError(f"不能超过{column.max_length}个字符（现有{len(value)}个）")
    if column.min_value is not None and isinstance(value, int | Decimal) and value < column.min_value:
        raise CellError(f"不能小于{column.min_value}")
    return value


def display_value(column: Column, value) -> str:
    if value is None:
        return ""
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "choice":
        return column.label_of(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------- reading files


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, no header, missing columns)."""


@dataclass
class SheetRow:
    number: int  # the row number the user sees in Excel
    cells: dict[str, Any]  # column key -> raw cell value


@dataclass
class ParsedSheet:
    header_row: int
    rows: list[SheetRow]


def file_extension(filename: str) -> str:
    return PurePath(filename or "").suffix.lower()


def load_tables(data: bytes, filename: str) -> list[Callable[[int | None], list[list]]]:
    """One loader per visible worksheet; a loader returns rows from Excel row 1 (optionally only the first n)."""
    if file_extension(filename) == ".csv":
        rows = _read_csv(data)
        return [lambda nrows=None: rows[:nrows] if nrows else rows]
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise ImportFileError(UNREADABLE) from exc
    return [
        _sheet_loader(workbook, meta.name)
        for meta in workbook.sheets_metadata
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
    ]


def _sheet_loader(workbook: CalamineWorkbook, name: str):
    parsed = {}  # calamine parses the whole sheet on every get: keep it from the header search to the full read

    def load(nrows: int | None = None) -> list[list]:
        try:
            sheet = parsed.get("sheet") or workbook.get_sheet_by_name(name)
            parsed["sheet"] = sheet if nrows is not None else None
            rows = sheet.to_python(skip_empty_area=False, nrows=nrows)
        except CalamineError as exc:
            raise ImportFileError(UNREADABLE) from exc
        _fill_merged_cells(rows, sheet.merged_cell_ranges or [])
        return rows

    return load


def _fill_merged_cells(rows: list[list], ranges) -> None:
    """Give every cell of a merged range the value of its top-left cell, as the user sees it."""
    for (top, left), (bottom, right) in ranges:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for row in rows[top : bottom + 1]:
            for col in range(left, min(right + 1, len(row))):
                row[col] = value


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(f"CSV 文件格式有误：{exc}") from exc


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码。")


def match_header(cells: list, columns: Iterable[Column]) -> dict[int, str]:
    """Which cell of a candidate header row holds which column (first occurrence wins)."""
    by_header = {name: column.key for column in columns for name in column.header_keys}
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = by_header.get(normalise_header(cell)) if isinstance(cell, str) else None
        if key and key not in found.values():
            found[index] = key
    return found


def _best_header(tables, columns) -> tuple[int, int, dict[int, str]]:
    """(table index, row index, cell index -> key) of the row that matches the most headers."""
    best = (0, 0, {})
    for table_index, load in enumerate(tables):
        for row_index, cells in enumerate(load(HEADER_SEARCH_ROWS)):
            found = match_header(cells, columns)
            if len(found) > len(best[2]):
                best = (table_index, row_index, found)
    return best


def read_sheet(data: bytes, filename: str, columns: list[Column]) -> ParsedSheet:
    """The data rows of the best-matching sheet, each keyed by column, with its Excel row number."""
    tables = load_tables(data, filename)
    table_index, header_index, found = _best_header(tables, columns)
    if not found:
        headers = "、".join(column.header for column in columns)
        raise ImportFileError(f"在前{HEADER_SEARCH_ROWS}行中没有找到表头。请使用下载的模板，表头应包括：{headers}。")
    missing = [c.header for c in columns if c.required and c.key not in found.values()]
    if missing:
        raise ImportFileError(f"缺少必填列：{'、'.join(missing)}。请使用下载的模板。")
    rows = []
    for index, cells in enumerate(tables[table_index](None)[header_index + 1 :], start=header_index + 2):
        values = {key: cells[col] if col < len(cells) else None for col, key in found.items()}
        if not all(is_empty(value) for value in values.values()):
            rows.append(SheetRow(number=index, cells=values))
    return ParsedSheet(header_row=header_index + 1, rows=rows)


# ---------------------------------------------------------------------------- importers


class RowError(Exception):
    """A problem with one row, attributed to a column (key) where possible."""

    def __init__(self, column: str | None, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


class RowErrors(Exception):
    """Several problems with one row, raised together."""

    def __init__(self, errors: Iterable[RowError]):
        self.errors = list(errors)
        super().__init__("; ".join(error.message for error in self.errors))


class SkipRow(Exception):
    """A row that is deliberately not imported (e.g. outside the user's scope); counted by reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Importer:
    """One kind of sheet. Subclass, set the class attributes, and register it with @register_importer."""

    key: ClassVar[str]
    title: ClassVar[str]
    columns: ClassVar[list[Column]]
    permission: ClassVar[str]
    key_columns: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""
    do_not_call_in_templates: ClassVar[bool] = True  # templates receive the class itself

    def __init__(self, batch, user):
        self.batch = batch
        self.user = user
        self.org = batch.org

    @classmethod
    def column(cls, key: str) -> Column:
        return next(column for column in cls.columns if column.key == key)

    def natural_key(self, row: dict) -> tuple | None:
        values = tuple(row.get(key) for key in self.key_columns)
        return None if any(value in (None, "") for value in values) else values

    def prepare(self, rows: list[dict]) -> Any:
        """Load in bulk whatever clean_row needs (rows are the parsed cells of every row)."""
        return None

    def clean_row(self, values: dict, context) -> dict:
        """Cross-field and database checks; raise RowError/RowErrors/SkipRow; return the row to write.

        Called for every row, also one with bad cells (already reported; their values are None here),
        so the user sees all of a row's problems at once.
        """
        return values

    def plan(self, rows: list[dict], context) -> dict:
        """What write() would do, without writing: {"created": n, "updated": n, "unchanged": n}."""
        return {}

    def write(self, rows: list[dict], context) -> dict:
        """Upsert the rows on their natural key in bulk; return {"created", "updated", "unchanged"}."""
        raise NotImplementedError


_IMPORTERS: dict[str, type[Importer]] = {}


def register_importer(cls: type[Importer]) -> type[Importer]:
    _IMPORTERS[cls.key] = cls
    return cls


_FACTORIES: dict[str, Callable[[str], type[Importer]]] = {}


def register_importer_factory(prefix: str, factory: Callable[[str], type[Importer]]) -> None:
    """Importers whose columns depend on data (e.g. one per data set): key `prefix:rest` → factory(rest)."""
    _FACTORIES[prefix] = factory


def get_importer(key: str) -> type[Importer]:
    """The importer registered under `key`; raises KeyError for an unknown key."""
    if key in _IMPORTERS:
        return _IMPORTERS[key]
    prefix, _, rest = key.partition(":")
    if prefix in _FACTORIES and rest:
        return _FACTORIES[prefix](rest)
    raise KeyError(key)


def all_importers() -> list[type[Importer]]:
    return sorted(_IMPORTERS.values(), key=lambda cls: cls.key)


def in_chunks(values: Iterable, size: int = QUERY_CHUNK):
    """Split a long list for `__in` look-ups (databases limit the parameters of one query)."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


# ---------------------------------------------------------------------------- validation


@dataclass
class CleanRow:
    number: int
    values: dict


@dataclass
class Validation:
    total: int = 0
    rows: list[CleanRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    skip_reasons: Counter = field(default_factory=Counter)
    context: Any = None

    @property
    def skipped(self) -> int:
        return sum(self.skip_reasons.values())

    def add_error(self, row: int | None, column: Column | None, message: str) -> None:
        self.errors.append(
            {
                "row": row,
                "column": column.key if column else "",
                "header": column.header if column else "",
                "message": message,
            }
        )


def parse_row(columns: list[Column], cells: dict) -> tuple[dict, list[tuple[Column, str]]]:
    values, errors = {}, []
    for column in columns:
        try:
            values[column.key] = parse_cell(column, cells.get(column.key))
        except CellError as exc:
            values[column.key] = None
            errors.append((column, str(exc)))
            continue
        if column.required and values[column.key] in (None, ""):
            errors.append((column, "必填，不能为空"))
    return values, errors


def validate(importer: Importer, sheet: ParsedSheet, progress: Callable | None = None) -> Validation:
    """Check every row: cells, duplicates within the sheet, then the importer's own checks."""
    result = Validation(total=len(sheet.rows))
    parsed = [(row.number, *parse_row(importer.columns, row.cells)) for row in sheet.rows]
    result.context = importer.prepare([values for _, values, _ in parsed])
    seen: dict[tuple, int] = {}
    for done, (number, values, cell_errors) in enumerate(parsed, start=1):
        _check_row(importer, result, number, values, cell_errors, seen)
        if progress and (done % PROGRESS_EVERY == 0 or done == result.total):
            progress(done, result.total)
    return result


def _check_row(importer, result: Validation, number, values, cell_errors, seen) -> None:
    """Record every problem of a row at once, so one round of corrections is enough."""
    errors = [(column, message) for column, message in cell_errors]
    duplicate_of = _remember_key(importer, values, number, seen)
    if duplicate_of:
        column = importer.column(importer.key_columns[0]) if importer.key_columns else None
        errors.append((column, f"与第{duplicate_of}行重复"))
    try:
        cleaned = importer.clean_row(values, result.context)
    except SkipRow as skip:
        # A row that is not imported anyway (e.g. outside the user's scope) needs no corrections.
        result.skip_reasons[skip.reason] += 1
        return
    except RowError as error:
        errors.extend(_with_columns(importer, [error]))
    except RowErrors as row_errors:
        errors.extend(_with_columns(importer, row_errors.errors))
    for column, message in errors:
        result.add_error(number, column, message)
    if not errors:
        result.rows.append(CleanRow(number, cleaned))


def _remember_key(importer, values, number, seen) -> int | None:
    """The row number of an earlier row with the same natural key, if any."""
    key = importer.natural_key(values)
    if key is None:
        return None
    if key in seen:
        return seen[key]
    seen[key] = number
    return None


def _with_columns(importer, errors: list[RowError]) -> list[tuple[Column | None, str]]:
    known = {column.key: column for column in importer.columns}
    return [(known.get(error.column), error.message) for error in errors]


def preview_rows(columns: list[Column], rows: list[CleanRow], limit: int = PREVIEW_ROWS) -> list[dict]:
    return [
        {"row": row.number, "values": [display_value(column, row.values.get(column.key)) for column in columns]}
        for row in rows[:limit]
    ]


def error_text(error: dict) -> str:
    where = f"第{error['row']}行" if error.get("row") else "文件"
    return f"{where} {error['header']}：{error['message']}" if error.get("header") else f"{where}：{error['message']}"


# ---------------------------------------------------------------------------- workbooks to download

REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C00000")
LISTS_SHEET = "选项"
INSTRUCTIONS_SHEET = "填写说明"
# Excel allows 255 characters in an inline list; counting UTF-8 bytes keeps Chinese lists safe in WPS too.
INLINE_LIST_BYTES = 255


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "数据"


def _write_header(sheet, columns: list[Column], comments: bool = True) -> None:
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.labelled_header)
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if comments and column.help:
            cell.comment = Comment(column.help, "产改通", width=240, height=100)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.kind in ("code", "text"):
            # Stops Excel turning credit codes and phone numbers into numbers.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"


def _choice_labels(column: Column) -> list[str]:
    return ["是", "否"] if column.kind == "bool" else [label for _, label in column.choices]


def _add_dropdowns(workbook: Workbook, sheet, columns: list[Column]) -> None:
    lists_sheet = None
    for index, column in enumerate(columns, start=1):
        labels = _choice_labels(column) if column.kind in ("bool", "choice") else []
        if not labels:
            continue
        inline = ",".join(labels)
        if len(inline.encode()) <= INLINE_LIST_BYTES and not any("," in label for label in labels):
            formula = f'"{inline}"'
        else:
            lists_sheet = lists_sheet or _lists_sheet(workbook)
            formula = _write_list(lists_sheet, column, labels)
        validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
        validation.error = "请从下拉列表中选择。"
        validation.errorTitle = column.header
        validation.add(f"{get_column_letter(index)}2:{get_column_letter(index)}1048576")
        sheet.add_data_validation(validation)


def _lists_sheet(workbook: Workbook):
    sheet = workbook.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    return sheet


def _write_list(lists_sheet, column: Column, labels: list[str]) -> str:
    col = 1 if lists_sheet["A1"].value is None else lists_sheet.max_column + 1
    letter = get_column_letter(col)
    lists_sheet.cell(row=1, column=col, value=column.header)
    for row, label in enumerate(labels, start=2):
        lists_sheet.cell(row=row, column=col, value=label)
    return f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(labels) + 1}"


def _write_instructions(workbook: Workbook, importer_cls: type[Importer]) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    sheet.append([f"{importer_cls.title}：填写说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    if importer_cls.description:
        sheet.append([importer_cls.description])
    sheet.append(["带 * 的列必须填写；从第2行起每行一条记录；不要修改表头；多余的列会被忽略。"])
    sheet.append([])
    sheet.append(["列名", "是否必填", "填写格式", "可选值", "说明"])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = HEADER_FONT
        cell.fill = OPTIONAL_FILL
    for column in importer_cls.columns:
        allowed = "、".join(_choice_labels(column)) if column.kind in ("bool", "choice") else ""
        sheet.append(
            [column.header, "必填" if column.required else "选填", KIND_LABELS[column.kind], allowed, column.help]
        )
    for letter, width in zip("ABCDE", (22, 10, 30, 50, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def build_template(importer_cls: type[Importer]) -> bytes:
    """An empty sheet to fill in: marked headers, widths, help comments, drop-downs and instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(importer_cls.title)
    _write_header(sheet, importer_cls.columns)
    _write_instructions(workbook, importer_cls)
    _add_dropdowns(workbook, sheet, importer_cls.columns)
    return workbook_bytes(workbook)


def _cell_value(raw):
    # Old .xls files carry control characters that openpyxl refuses to write.
    return ILLEGAL_CHARACTERS_RE.sub("", raw) if isinstance(raw, str) else raw


def build_error_workbook(importer_cls: type[Importer], sheet: ParsedSheet, errors: list[dict]) -> bytes:
    """The rows that have errors with their original values, bad cells in red and an explanation column."""
    columns = importer_cls.columns
    by_row: dict[int, list[dict]] = {}
    for error in errors:
        if error.get("row"):
            by_row.setdefault(error["row"], []).append(error)
    workbook = Workbook()
    out = workbook.active
    out.title = _sheet_title(importer_cls.title)
    _write_header(out, columns, comments=False)
    note = out.cell(row=1, column=len(columns) + 1, value="错误说明")
    note.font, note.fill = REQUIRED_FONT, ERROR_FILL
    out.column_dimensions[get_column_letter(len(columns) + 1)].width = 60
    for source in sheet.rows:
        row_errors = by_row.get(source.number)
        if row_errors:
            _write_error_row(out, columns, source, row_errors)
    return workbook_bytes(workbook)


def _write_error_row(out, columns: list[Column], source: SheetRow, row_errors: list[dict]) -> None:
    out.append(
        [_cell_value(source.cells.get(column.key)) for column in columns]
        + [_cell_value("\n".join(map(error_text, row_errors)))]
    )
    row = out.max_row
    bad = {error["column"] for error in row_errors}
    for index, column in enumerate(columns, start=1):
        if column.key in bad:
            out.cell(row=row, column=index).fill = ERROR_FILL
    out.cell(row=row, column=len(columns) + 1).alignment = Alignment(wrap_text=True, vertical="top")

"""Cleaning the personal data real sheets carry: identity numbers, dates and phones, as users type them.

Shared by every app that reads people from sheets or forms (workers, certificates, training). Each
function accepts a raw cell value (str, int, float, date) and either returns the normalised value or
raises django.core.exceptions.ValidationError with a message in Chinese the user can act on.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.core.exceptions import ValidationError
from stdnum import numdb
from stdnum.cn import ric

from .models import Gender

# U+FF01..U+FF5E are the full-width forms of ASCII 0x21..0x7E; U+3000 is the ideographic space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_LAST_SERIAL = 2958465  # 9999-12-31
# A spreadsheet keeps 15 significant digits; beyond that the number's last digits are already gone.
FLOAT_EXACT_LIMIT = 10**15
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E[+-]?\d+$")
_ID_SEPARATORS = re.compile(r"[\s\-—_'‘’\"“”]+")
_TEXT_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")

SCIENTIFIC_MESSAGE = (
    "身份证号被表格软件存成了数字（显示为 3.2E+17 这样的科学计数法），末几位已经丢失；"
    "请把该列设为“文本”格式，重新填写完整的18位号码"
)


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation (１２３Ｘ－) as their ASCII forms; other text unchanged."""
    return str(text).translate(_HALFWIDTH)


# ---------------------------------------------------------------------------- identity numbers


def normalise_id_number(value) -> str:
    """The 18-character identity number of a cell, validated (python-stdnum cn.ric), check letter upper case.

    Accepts text with spaces or full-width digits, whole numbers, a 17-digit number whose check digit
    is X (sheets that stored the number as a number dropped the X), and old 15-digit numbers (converted).
    """
    text = _id_text(value)
    if len(text) == 15 and text.isdigit():
        text = _upgrade_15_digits(text)
    elif len(text) == 17 and text.isdigit():
        text = _complete_check_letter(text)
    _check_id_shape(text)
    if ric.calc_check_digit(text) != text[17]:
        raise ValidationError("身份证号校验位不正确，请核对号码（最后一位）")
    _id_birth_date(text[6:14])
    if not _known_place(text[:6]):
        raise ValidationError("身份证号前6位不是有效的行政区划代码，请核对号码")
    return text


def _id_text(value) -> str:
    if value is None or isinstance(value, bool):
        raise ValidationError("身份证号不能为空")
    if isinstance(value, float):
        return _id_from_float(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and len(value) == 18 and value.isascii() and value[:17].isdigit():
        return value.upper()  # the common case: already clean
    if isinstance(value, date):
        raise ValidationError("身份证号被表格软件识别成了日期，请把该列设为“文本”格式后重新填写")
    text = _ID_SEPARATORS.sub("", to_halfwidth(str(value))).upper()
    if not text:
        raise ValidationError("身份证号不能为空")
    if _SCIENTIFIC.match(text):
        raise ValidationError(SCIENTIFIC_MESSAGE)
    if re.fullmatch(r"\d{15,18}\.0+", text):
        text = text.split(".")[0]
    return text


def _id_from_float(value: float) -> str:
    if value != value or not value.is_integer():
        raise ValidationError("身份证号格式不正确：应为18位号码，不能有小数")
    if abs(value) >= FLOAT_EXACT_LIMIT:
        raise ValidationError(SCIENTIFIC_MESSAGE)
    return str(int(value))


def _complete_check_letter(text: str) -> str:
    if ric.calc_check_digit(text + "0") == "X":
        return text + "X"
    raise ValidationError("身份证号只有17位，缺少最后一位校验码，请核对号码")


def _upgrade_15_digits(text: str) -> str:
    """First-generation cards (15 digits, two-digit year of the 1900s) in today's 18-digit form."""
    body = text[:6] + "19" + text[6:]
    return body + ric.calc_check_digit(body + "0")


def _check_id_shape(text: str) -> None:
    if len(text) != 18:
        raise ValidationError(f"身份证号应为18位（现有{len(text)}位）")
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise ValidationError("身份证号前17位应为数字，最后一位为数字或 X")


@lru_cache(maxsize=50_000)
def _id_birth_date(digits: str) -> date:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValidationError("身份证号中的出生日期（第7至14位）不是有效日期") from None
    if born > date.today() or born.year < 1900:
        raise ValidationError("身份证号中的出生日期（第7至14位）不合理，请核对号码")
    return born


@lru_cache(maxsize=8192)
def _known_place(prefix: str) -> bool:
    """Whether the six digits are a division code of GB/T 2260 at any time (stdnum's copy of the list).

    Deliberately not stdnum's own check that the code existed in the birth year: numbers are given
    where a person is registered when the card is issued, so a worker born in 1965 in Jiangyin
    rightly carries 320281, a code created in 1989.
    """
    info = {key: value for _, props in numdb.get("cn/loc").info(prefix) for key, value in props.items()}
    return bool(info.get("county"))


def id_facts(number: str) -> tuple[str, date]:
    """(gender, birth date) that a valid 18-digit identity number carries: the 17th digit odd for men."""
    return (Gender.MALE if int(number[16]) % 2 else Gender.FEMALE), _id_birth_date(number[6:14])


def is_valid_id_number(value) -> bool:
    try:
        normalise_id_number(value)
    except ValidationError:
        return False
    return True


# ---------------------------------------------------------------------------- dates


def parse_date(value) -> date:
    """A date from a cell: date/datetime, an Excel serial, or text like 2024-06-01, 2024.6.1, 2024年6月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None or isinstance(value, bool):
        raise ValidationError("日期不能为空")
    if isinstance(value, int | float):
        return _date_from_serial(value)
    return _date_from_text(str(value))


def _date_from_serial(value: float) -> date:
    if value != value:
        raise ValidationError("不是有效日期")
    if float(value).is_integer() and len(str(int(value))) == 8:
        return _date_from_text(str(int(value)))  # 20240601 typed as a number
    if 1 <= value <= EXCEL_LAST_SERIAL:
        return EXCEL_EPOCH + timedelta(days=int(value))
    raise ValidationError(f"“{value:g}”不是有效日期，请按 2024-06-01 或 2024年6月1日 填写")


def _date_from_text(raw: str) -> date:
    text = to_halfwidth(raw).strip()
    if not text:
        raise ValidationError("日期不能为空")
    text = _TIME_SUFFIX.sub("", text).strip()
    match = _TEXT_DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None and re.fullmatch(r"\d{1,7}(\.\d+)?", text):
        return _date_from_serial(float(text))
    if match is None:
        raise ValidationError(f"“{raw}”不是有效日期，请按 2024-06-01 或 2024年6月1日 填写")
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(f"“{raw}”不是有效日期（{year}年没有{month}月{day}日）") from None


# ---------------------------------------------------------------------------- phones


def normalise_phone(value) -> str:
    """An 11-digit mobile or a landline with its area code, digits only; "" for an empty cell."""
    if isinstance(value, str) and len(value) == 11 and _MOBILE.match(value):
        return value  # the common case, checked first
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):
        if value != value or not value.is_integer():
            raise ValidationError("手机号格式不正确，应为11位手机号或带区号的固定电话")
        value = int(value)
    text = re.sub(r"[\s\-—()（）]+", "", to_halfwidth(str(value)))
    if not text:
        return ""
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if _MOBILE.match(text) or _LANDLINE.match(text):
        return text
    if text.isdigit() and text.startswith("1") and len(text) != 11:
        raise ValidationError(f"手机号应为11位（现有{len(text)}位）")
    raise ValidationError("手机号格式不正确，应为11位手机号或带区号的固定电话（如 0510-86001234）")


__all__ = [
    "SCIENTIFIC_MESSAGE",
    "id_facts",
    "is_valid_id_number",
    "normalise_id_number",
    "normalise_phone",
    "parse_date",
    "to_halfwidth",
]

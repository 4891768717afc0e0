from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from changai.workers.cleaning import (
    id_facts,
    is_valid_id_number,
    normalise_id_number,
    normalise_phone,
    parse_date,
    to_halfwidth,
)
from changai.workers.idgen import JIANGSU_REGIONS, make_id_number
from changai.workers.models import Gender

WITH_X = "11010519491231002X"  # the example number of GB 11643
JIANGYIN_MAN = make_id_number("320281", date(1988, 3, 9), 123)


def errors_of(value, function=normalise_id_number) -> str:
    with pytest.raises(ValidationError) as caught:
        function(value)
    return " ".join(caught.value.messages)


@pytest.mark.parametrize(
    "raw",
    [
        WITH_X,
        WITH_X.lower(),
        " 110105 19491231 002X ",
        "110105-19491231-002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "'11010519491231002X",
        "11010519491231002",  # the X lost by a system that stored numbers
        11010519491231002,
        "110105491231002",  # first-generation 15-digit card
    ],
)
def test_identity_numbers_as_users_type_them(raw):
    assert normalise_id_number(raw) == WITH_X


def test_a_whole_number_cell_with_a_digit_check_is_kept():
    assert normalise_id_number(int(JIANGYIN_MAN)) == JIANGYIN_MAN
    assert normalise_id_number(JIANGYIN_MAN + ".0") == JIANGYIN_MAN


@pytest.mark.parametrize("raw", ["3.2E+17", "3.20281E+17", "３．２Ｅ＋１７", 3.2e17, float(JIANGYIN_MAN[:17])])
def test_numbers_a_spreadsheet_has_rounded_are_refused_with_the_reason(raw):
    assert "科学计数法" in errors_of(raw)


def test_a_17_digit_number_whose_check_is_not_x_is_missing_a_digit():
    assert "缺少最后一位校验码" in errors_of(JIANGYIN_MAN[:17])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "不能为空"),
        ("  ", "不能为空"),
        ("3202811988", "应为18位（现有10位）"),
        ("32028119880309123Y", "前17位应为数字"),
        (JIANGYIN_MAN[:17] + ("0" if JIANGYIN_MAN[17] != "0" else "1"), "校验位不正确"),
        (12.5, "不能有小数"),
        (date(2024, 1, 1), "识别成了日期"),
    ],
)
def test_bad_identity_numbers_say_what_is_wrong(raw, message):
    assert message in errors_of(raw)


def test_an_impossible_birth_date_is_refused():
    body = "32028119880230123"  # 30 February
    assert "出生日期" in errors_of(body + ric.calc_check_digit(body + "0"))


def test_a_birth_date_in_the_future_is_refused():
    body = f"320281{date.today().year + 1}0101123"
    assert "不合理" in errors_of(body + ric.calc_check_digit(body + "0"))


def test_an_unknown_division_code_is_refused():
    body = "99999919880309123"
    assert "行政区划代码" in errors_of(body + ric.calc_check_digit(body + "0"))


def test_a_division_code_newer_than_the_birth_year_is_accepted():
    # 320281 (江阴市) dates from 1989; people born before were given it when their cards were issued.
    number = make_id_number("320281", date(1965, 5, 1), 17)
    assert normalise_id_number(number) == number
    assert is_valid_id_number(number)
    assert not is_valid_id_number("320281")


def test_every_generated_region_is_valid():
    for region in JIANGSU_REGIONS:
        assert is_valid_id_number(make_id_number(region, date(1970, 1, 1), 1)), region


def test_id_facts_give_gender_and_birth_date():
    assert id_facts(WITH_X) == (Gender.FEMALE, date(1949, 12, 31))
    assert id_facts(JIANGYIN_MAN) == (Gender.MALE, date(1988, 3, 9))


@pytest.mark.parametrize(
    "raw",
    [
        date(2024, 6, 1),
        datetime(2024, 6, 1, 8, 30),
        45444,
        45444.0,
        "45444",
        "2024-06-01",
        "2024-6-1",
        "2024/6/1",
        "2024.6.1",
        "2024.06.01",
        "2024年6月1日",
        "2024年06月01日",
        "2024 年 6 月 1 日",
        "２０２４年６月１日",
        "２０２４．６．１",
        "20240601",
        20240601,
        "2024-06-01 00:00:00",
    ],
)
def test_dates_as_sheets_carry_them(raw):
    assert parse_date(raw) == date(2024, 6, 1)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2024-02-30", "没有2月30日"),
        ("下个月", "不是有效日期"),
        ("", "不能为空"),
        (None, "不能为空"),
        (-3, "不是有效日期"),
        (True, "不能为空"),
    ],
)
def test_bad_dates_are_refused_in_chinese(raw, message):
    assert message in errors_of(raw, parse_date)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("139-1234-5678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
        (13912345678, "13912345678"),
        (13912345678.0, "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("8613912345678", "13912345678"),
        ("0510-86001234", "051086001234"),
        ("(025)84001234", "02584001234"),
        ("", ""),
        (None, ""),
    ],
)
def test_phones(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"), [("1391234567", "应为11位"), ("12345678901", "格式不正确"), ("电话", "格式不正确")]
)
def test_bad_phones(raw, message):
    assert message in errors_of(raw, normalise_phone)


def test_to_halfwidth_leaves_chinese_alone():
    assert to_halfwidth("张三　１２３ＡＢｃ－（）") == "张三 123ABc-()"

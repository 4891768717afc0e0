from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from changai.core.periods import HALF_YEAR, MONTH, QUARTER, WEEK, YEAR, InvalidPeriod, Period


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("2024W25", date(2024, 6, 17), date(2024, 6, 23), "2024年第25周"),
        ("2024M06", date(2024, 6, 1), date(2024, 6, 30), "2024年6月"),
        ("2024Q2", date(2024, 4, 1), date(2024, 6, 30), "2024年第2季度"),
        ("2024H1", date(2024, 1, 1), date(2024, 6, 30), "2024年上半年"),
        ("2024", date(2024, 1, 1), date(2024, 12, 31), "2024年"),
    ],
)
def test_codes_parse_to_dates_and_back(code, start, end, label):
    period = Period.parse(code)
    assert (period.start, period.end, period.label, period.code) == (start, end, label, code)


def test_neighbours_and_same_period_last_year():
    assert Period.parse("2024M01").previous().code == "2023M12"
    assert Period.parse("2024Q4").next().code == "2025Q1"
    assert Period.parse("2024H2").same_period_last_year().code == "2023H2"
    assert Period.parse("2021W01").previous().code == "2020W53"


@pytest.mark.parametrize("bad", ["2024M13", "2024Q5", "2024H3", "2023W53", "24M01", "2024X1", ""])
def test_malformed_codes_are_refused(bad):
    with pytest.raises(InvalidPeriod):
        Period.parse(bad)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from([WEEK, MONTH, QUARTER, HALF_YEAR, YEAR]),
)
def test_every_day_falls_in_the_period_that_contains_it(day, period_type):
    period = Period.containing(day, period_type)
    assert period.start <= day <= period.end
    assert Period.parse(period.code) == period
    assert period.next().start == period.end.fromordinal(period.end.toordinal() + 1)

from datetime import date
from unittest import mock

import pytest

from changai.indicators.tests.factories import indicator, quarterly_form

PERIOD = "2026Q3"  # ends 2026-09-30; the deadline is 10 working days later
IN_WINDOW = date(2026, 10, 9)


@pytest.fixture
def form(db):
    """A quarterly town form of two indicators."""
    return quarterly_form(indicator("training_person_times", "培训人次"), indicator("certified", "取证人数", unit="人"))


@pytest.fixture(autouse=True)
def today_in_window():
    """Reporting windows are judged on a date inside the 2026Q3 round."""
    with mock.patch("changai.indicators.services.today", return_value=IN_WINDOW):
        yield

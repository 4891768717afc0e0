"""Reporting periods with stable codes: 2024W25, 2024M06, 2024Q2, 2024H1, 2024."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

WEEK, MONTH, QUARTER, HALF_YEAR, YEAR = "week", "month", "quarter", "half_year", "year"
PERIOD_TYPE_CHOICES = [(WEEK, "周"), (MONTH, "月"), (QUARTER, "季度"), (HALF_YEAR, "半年"), (YEAR, "年")]

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:(?P<kind>[WMQH])(?P<index>\d{1,2}))?$")
_KIND_LETTER = {WEEK: "W", MONTH: "M", QUARTER: "Q", HALF_YEAR: "H"}
_LETTER_KIND = {letter: kind for kind, letter in _KIND_LETTER.items()}
_MONTHS_PER = {MONTH: 1, QUARTER: 3, HALF_YEAR: 6, YEAR: 12}
_COUNT = {MONTH: 12, QUARTER: 4, HALF_YEAR: 2, YEAR: 1}


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    type: str
    index: int = 1

    @classmethod
    def parse(cls, code: str) -> Period:
        match = _PATTERN.match(code.strip().upper())
        if not match:
            raise InvalidPeriod(f"无法识别的期间代码：{code}")
        year = int(match["year"])
        if not match["kind"]:
            return cls(year, YEAR, 1)
        kind, index = _LETTER_KIND[match["kind"]], int(match["index"])
        limit = _weeks_in_year(year) if kind == WEEK else _COUNT[kind]
        if not 1 <= index <= limit:
            raise InvalidPeriod(f"期间序号超出范围：{code}")
        return cls(year, kind, index)

    @classmethod
    def containing(cls, day: date, period_type: str) -> Period:
        if period_type == WEEK:
            iso_year, iso_week, _ = day.isocalendar()
            return cls(iso_year, WEEK, iso_week)
        months = _MONTHS_PER[period_type]
        return cls(day.year, period_type, (day.month - 1) // months + 1)

    @property
    def code(self) -> str:
        if self.type == YEAR:
            return str(self.year)
        width = 2 if self.type in (WEEK, MONTH) else 1
        return f"{self.year}{_KIND_LETTER[self.type]}{self.index:0{width}d}"

    @property
    def start(self) -> date:
        if self.type == WEEK:
            return date.fromisocalendar(self.year, self.index, 1)
        return date(self.year, (self.index - 1) * _MONTHS_PER[self.type] + 1, 1)

    @property
    def end(self) -> date:
        if self.type == WEEK:
            return self.start + timedelta(days=6)
        return self.next().start - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.type == YEAR:
            return f"{self.year}年"
        if self.type == HALF_YEAR:
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        if self.type == QUARTER:
            return f"{self.year}年第{self.index}季度"
        if self.type == MONTH:
            return f"{self.year}年{self.index}月"
        return f"{self.year}年第{self.index}周"

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def shift(self, steps: int) -> Period:
        if self.type == WEEK:
            return Period.containing(self.start + timedelta(weeks=steps), WEEK)
        ordinal = self.year * _COUNT[self.type] + (self.index - 1) + steps
        year, offset = divmod(ordinal, _COUNT[self.type])
        return Period(year, self.type, offset + 1)

    def same_period_last_year(self) -> Period:
        if self.type == WEEK:
            return Period(self.year - 1, WEEK, min(self.index, _weeks_in_year(self.year - 1)))
        return Period(self.year - 1, self.type, self.index)

    def __str__(self) -> str:
        return self.code


def _weeks_in_year(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]

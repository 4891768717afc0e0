from datetime import date

from changai.core.workdays import add_working_days, is_working_day, working_days_between


def test_national_day_is_a_holiday_and_swapped_saturday_a_working_day():
    assert not is_working_day(date(2024, 10, 1))
    assert is_working_day(date(2024, 9, 29))  # Sunday worked in exchange for the National Day break


def test_deadlines_skip_the_spring_festival():
    # The 2024 Spring Festival break ran 10–17 February; Sunday the 18th was a working day.
    assert add_working_days(date(2024, 2, 9), 1) == date(2024, 2, 18)


def test_counting_working_days():
    assert working_days_between(date(2024, 6, 17), date(2024, 6, 21)) == 4
    assert add_working_days(date(2024, 6, 21), -1) == date(2024, 6, 20)


def test_years_beyond_the_official_calendar_fall_back_to_weekdays():
    assert is_working_day(date(2099, 6, 1)) is (date(2099, 6, 1).weekday() < 5)

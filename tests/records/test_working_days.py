from datetime import date

import pytest

from thinktank.records.working_days import add_working_days, is_working_day, parse_holidays

FRIDAY = date(2026, 11, 27)
NATIONAL_DAY = parse_holidays(["2026-10-01", " 2026-10-02 "])


def test_a_weekend_is_skipped():
    assert add_working_days(FRIDAY, 1) == date(2026, 11, 30)  # the Monday
    assert add_working_days(FRIDAY, 5) == date(2026, 12, 4)  # the next Friday


def test_within_the_week():
    assert add_working_days(date(2026, 11, 23), 3) == date(2026, 11, 26)


def test_a_saturday_start_counts_from_monday():
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)


def test_holidays_are_skipped():
    # Wednesday 30 Sept: Thursday and Friday are holidays, then the weekend.
    assert add_working_days(date(2026, 9, 30), 1, NATIONAL_DAY) == date(2026, 10, 5)
    assert add_working_days(date(2026, 9, 30), 5, NATIONAL_DAY) == date(2026, 10, 9)
    assert add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 7)


def test_zero_days_is_the_same_day_and_negative_is_refused():
    assert add_working_days(FRIDAY, 0) == FRIDAY
    with pytest.raises(ValueError):
        add_working_days(FRIDAY, -1)


def test_holidays_are_parsed_as_iso_dates():
    assert NATIONAL_DAY == {date(2026, 10, 1), date(2026, 10, 2)}
    assert not is_working_day(date(2026, 10, 1), NATIONAL_DAY)
    assert is_working_day(date(2026, 10, 8), NATIONAL_DAY)
    with pytest.raises(ValueError):
        parse_holidays(["10/01/2026"])

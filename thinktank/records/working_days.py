"""Working days: weekdays that are not holidays. Pure functions."""

from collections.abc import Collection, Iterable
from datetime import date, timedelta


def parse_holidays(values: Iterable[str | date]) -> frozenset[date]:
    """The configured holidays (ISO dates such as ``"2026-10-01"``) as dates."""
    return frozenset(v if isinstance(v, date) else date.fromisoformat(v.strip()) for v in values)


def is_working_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(day: date, n: int, holidays: Collection[date] = ()) -> date:
    """The ``n``-th working day after ``day`` (``day`` itself never counts)."""
    if n < 0:
        raise ValueError("n must not be negative")
    while n:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            n -= 1
    return day

"""The calendar: French public holidays (from `holidays`), working days (Monday–Friday but
holidays), the SLA clock and legal delays in months (`months_later`); month arithmetic is
`core.clock.add_months`.

Working time counts the minutes that fall on working days (whole days, Paris wall-clock): an email
received on Friday at 18:00 and answered on Monday at 9:00 waited 6 h + 9 h = 15 working hours; a
target of 48 working hours is two working days. The vectorised twin uses the same definition.
"""

import calendar
import datetime as dt
import functools
from typing import TypeVar

import holidays
import numpy as np

from justedroit.core.clock import PARIS

FIRST_YEAR, LAST_YEAR = 2015, 2035


@functools.cache
def french_holidays() -> frozenset[dt.date]:
    return frozenset(holidays.France(years=range(FIRST_YEAR, LAST_YEAR + 1)))


@functools.cache
def holiday_array() -> np.ndarray:
    return np.array(sorted(french_holidays()), dtype="datetime64[D]")


@functools.cache
def _holidays_of(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.France(years=year))


def is_holiday(day: dt.date) -> bool:
    return day in _holidays_of(day.year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def working_minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    """Minutes between two aware instants that fall on French working days."""
    if end <= start:
        return 0
    start = start.astimezone(PARIS).replace(tzinfo=None)
    end = end.astimezone(PARIS).replace(tzinfo=None)
    first, last = start.date(), end.date()
    if first == last:
        return int((end - start).total_seconds()) // 60 if is_working_day(first) else 0
    seconds = 0
    if is_working_day(first):
        next_midnight = dt.datetime.combine(first + dt.timedelta(days=1), dt.time())
        seconds += int((next_midnight - start).total_seconds())
    if is_working_day(last):
        seconds += int((end - dt.datetime.combine(last, dt.time())).total_seconds())
    middle = np.busday_count(first + dt.timedelta(days=1), last, holidays=holiday_array())
    return (seconds + int(middle) * 86_400) // 60


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in [start, end)."""
    return int(np.busday_count(start, end, holidays=holiday_array()))


def working_minutes_vector(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """`working_minutes_between` for arrays of Paris wall-clock datetime64[s] (twin path)."""
    start_day, end_day = start.astype("datetime64[D]"), end.astype("datetime64[D]")
    hol = holiday_array()
    start_works = np.is_busday(start_day, holidays=hol)
    end_works = np.is_busday(end_day, holidays=hol)
    same = start_day == end_day
    seconds_same = (end - start).astype(np.int64)
    head = ((start_day + 1).astype("datetime64[s]") - start).astype(np.int64)
    tail = (end - end_day.astype("datetime64[s]")).astype(np.int64)
    middle = np.busday_count(start_day + 1, np.maximum(end_day, start_day + 1), holidays=hol)
    total = np.where(
        same,
        np.where(start_works, seconds_same, 0),
        np.where(start_works, head, 0) + np.where(end_works, tail, 0) + middle * 86_400,
    )
    return np.maximum(total, 0) // 60


Day = TypeVar("Day", bound=dt.date)  # a date, or an instant (datetime)


def months_later(day: Day, months: int) -> Day:
    """The same day (and time, for an instant) `months` later — earlier when negative — or the
    month's last day when it has no such day (a legal delay « d'un mois » from 31 January ends on
    28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))

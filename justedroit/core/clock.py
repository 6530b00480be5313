"""The one clock. Every "now" and "today" in the code comes from here.

`JUSTEDROIT_TODAY` (settings/environment) pins the date — the demo pins it to the twin's reference
date — while the time of day keeps running so that recorded instants stay ordered. With a time
(`2022-12-30T10:30`), each process starts at that instant and its clock runs from there: the demo
opens on a morning with people waiting. Tests freeze the whole instant with `frozen()`.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

# Month arithmetic lives with the law, which may import nothing of the project; one copy.
from justedroit.rules.situation import add_months
from justedroit.rules.situation import first_of_month as month_start

__all__ = ["PARIS", "add_months", "frozen", "month_start", "now", "parse_month", "today"]
PARIS = ZoneInfo("Europe/Paris")
_frozen: dt.datetime | None = None
_tick: dt.timedelta | None = None
_STARTED = timezone.now()  # the process's start, from which a pinned instant runs


def now() -> dt.datetime:
    """The current instant, aware, in Europe/Paris."""
    global _frozen
    if _frozen is not None:
        if _tick is not None:
            _frozen += _tick
        return _frozen
    current = timezone.now().astimezone(PARIS)
    pinned = settings.JUSTEDROIT_TODAY
    if pinned and "T" in pinned:
        start = dt.datetime.fromisoformat(pinned).replace(tzinfo=PARIS)
        return start + (timezone.now() - _STARTED)
    if pinned:
        day = dt.date.fromisoformat(pinned)
        current = current.replace(year=day.year, month=day.month, day=day.day)
    return current


def today() -> dt.date:
    return now().date()


@contextlib.contextmanager
def frozen(instant: dt.datetime, *, tick: dt.timedelta | None = None) -> Iterator[dt.datetime]:
    """Freeze the clock at `instant` (naive values are taken as Paris time). With `tick`, each
    reading is that much later than the one before: replaying a past month in one process, two
    successive writes never share an instant, as they never do in a live process."""
    global _frozen, _tick
    if timezone.is_naive(instant):
        instant = instant.replace(tzinfo=PARIS)
    previous = _frozen, _tick
    _frozen, _tick = instant.astimezone(PARIS), tick
    try:
        yield _frozen
    finally:
        _frozen, _tick = previous


def parse_month(text: str) -> dt.date:
    """'2022-06' → date(2022, 6, 1); a French message on bad input."""
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as error:
        raise ValueError(f"Mois invalide « {text} » : format attendu AAAA-MM.") from error

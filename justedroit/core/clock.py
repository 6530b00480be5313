"""The one clock. Every "now" and "today" in the code comes from here.

`JUSTEDROIT_TODAY` (settings/environment) pins the date — the demo pins it to the twin's reference
date — while the time of day keeps running so that recorded instants stay ordered. Tests freeze the
whole instant with `frozen()`.
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


def now() -> dt.datetime:
    """The current instant, aware, in Europe/Paris."""
    if _frozen is not None:
        return _frozen
    current = timezone.now().astimezone(PARIS)
    pinned = settings.JUSTEDROIT_TODAY
    if pinned:
        day = dt.date.fromisoformat(pinned)
        current = current.replace(year=day.year, month=day.month, day=day.day)
    return current


def today() -> dt.date:
    return now().date()


@contextlib.contextmanager
def frozen(instant: dt.datetime) -> Iterator[dt.datetime]:
    """Freeze the clock at `instant` (naive values are taken as Paris time)."""
    global _frozen
    if timezone.is_naive(instant):
        instant = instant.replace(tzinfo=PARIS)
    previous, _frozen = _frozen, instant.astimezone(PARIS)
    try:
        yield _frozen
    finally:
        _frozen = previous


def parse_month(text: str) -> dt.date:
    """'2022-06' → date(2022, 6, 1); a French message on bad input."""
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as error:
        raise ValueError(f"Mois invalide « {text} » : format attendu AAAA-MM.") from error

"""French words for dates, shared by the pages and the texts the domains write."""

import datetime as dt

from justedroit.core.clock import PARIS

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
MONTHS_SHORT = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)
# Django's ExtractWeekDay order: 1 = Sunday … 7 = Saturday.
WEEKDAYS_FROM_SUNDAY = ("dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")


def month_label(month: dt.date | str) -> str:
    """'mars 2022' for a date or a 'YYYY-MM' string."""
    if isinstance(month, str):
        month = dt.date.fromisoformat(month[:7] + "-01")
    return f"{MONTHS[month.month - 1]} {month.year}"


def time_label(at: dt.datetime) -> str:
    """'9 h 30', '14 h' (Paris time)."""
    local = at.astimezone(PARIS)
    return f"{local.hour} h {local.minute:02d}" if local.minute else f"{local.hour} h"


def day_and_time(at: dt.datetime) -> str:
    """'mardi 3 janvier à 9 h 30' (Paris time), as a confirmation message says it."""
    local = at.astimezone(PARIS)
    weekday = WEEKDAYS_FROM_SUNDAY[(local.weekday() + 1) % 7]
    first = "1er" if local.day == 1 else str(local.day)
    return f"{weekday} {first} {MONTHS[local.month - 1]} à {time_label(local)}"

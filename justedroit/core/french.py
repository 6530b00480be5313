"""French words for dates, shared by the pages and the texts the domains write."""

import datetime as dt

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

"""French words for dates, shared by the pages and the texts the domains write."""

import datetime as dt
from decimal import Decimal

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


# French typography: a narrow no-break space groups thousands and precedes « % » and units.
THIN_SPACE = "\u202f"
MINUS = "\u2212"


def number_fr(value: Decimal | int | float | None, places: int | None = None) -> str:
    """57 262 ; 12,5 ; −3 (a proper minus sign); '—' when there is no figure. `places` fixes the
    decimals; without it, a whole value is written without any."""
    if value is None:
        return "—"
    figure = Decimal(str(value))
    if places is not None:
        figure = figure.quantize(Decimal(1).scaleb(-places))
    elif figure == figure.to_integral_value():
        figure = figure.quantize(Decimal(1))
    text = f"{figure:,}".replace(",", THIN_SPACE).replace(".", ",")
    return text.replace("-", MINUS)


def percent_fr(value: Decimal | int | float | None, places: int | None = None) -> str:
    """22 % ; 19,2 %."""
    return "—" if value is None else f"{number_fr(value, places)}{THIN_SPACE}%"


def signed_fr(value: Decimal | int | float, places: int | None = None) -> str:
    """+43 ; −2 ; 0 — a change always shows its sign."""
    text = number_fr(value, places)
    return f"+{text}" if Decimal(str(value)) > 0 else text


def change_percent_fr(value: Decimal | int, previous: Decimal | int) -> str | None:
    """The relative change from `previous` to `value`: to the unit ('+43 %', '−2 %'), to a tenth
    below 1 % ('−0,4 %') so that a small change does not read as none; None when `previous` is
    zero (no ratio)."""
    if not previous:
        return None
    change = (Decimal(value) - Decimal(previous)) * 100 / Decimal(previous)
    shown = change.quantize(Decimal(1) if abs(change) >= 1 else Decimal("0.1"))
    if not shown:
        return f"0{THIN_SPACE}%"
    return f"{signed_fr(shown)}{THIN_SPACE}%"


def change_points_fr(value: Decimal | int, previous: Decimal | int) -> str:
    """The change between two percentages, in points: '+2 points', '−0,4 point'."""
    change = Decimal(value) - Decimal(previous)
    places = 0 if change == change.to_integral_value() else 1
    word = "point" if abs(change) < 2 else "points"
    return f"{signed_fr(change, places)} {word}"

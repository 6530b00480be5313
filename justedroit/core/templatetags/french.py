"""French display of figures and dates in every page: 1 234,50 €; 30/12/2022 à 09:28; mars 2022.
Aware datetimes are shown in Europe/Paris (the one clock)."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

from justedroit.core.french import month_label, number_fr
from justedroit.core.money import format_euros

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def euros(value) -> str:
    """Decimal, int or string → '1 234,50 €' ('—' when there is no amount)."""
    amount = _decimal(value)
    return "—" if amount is None else format_euros(amount)


@register.filter
def number(value, places=None) -> str:
    """A count or a figure with French separators: 12 345 ; 12,5. `places` fixes the decimals."""
    figure = _decimal(value)
    return number_fr(figure, None if places is None else int(places))


def _local(value):
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value


@register.filter
def date_fr(value) -> str:
    """30/12/2022 (a date, datetime or ISO string)."""
    return "—" if value in (None, "") else f"{_local(value):%d/%m/%Y}"


@register.filter
def datetime_fr(value) -> str:
    """30/12/2022 à 09:28, in Europe/Paris."""
    return "—" if value in (None, "") else f"{_local(value):%d/%m/%Y à %H:%M}"


@register.filter
def month_fr(value) -> str:
    """'mars 2022' for a date or 'YYYY-MM' string."""
    return "—" if value in (None, "") else month_label(value)

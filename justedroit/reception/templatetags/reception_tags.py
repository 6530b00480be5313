"""Durations as people read them at a front desk: « 7 min », « 1 h 05 »."""

import datetime as dt

from django import template

register = template.Library()


@register.filter
def waited(value: dt.timedelta | None) -> str:
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d}"

from django import template

register = template.Library()

NARROW_NBSP = "\u202f"


@register.filter
def nombre(value) -> str:
    """An integer as French typography writes it: thousands grouped by a narrow no-break space
    (12 345), so that a screen reader and a line break never split it."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,}".replace(",", NARROW_NBSP)

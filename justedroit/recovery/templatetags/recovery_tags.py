from django import template

from justedroit.core.money import format_euros

register = template.Library()


@register.filter
def euros(value) -> str:
    """1234.5 → '1 234,50 €' (French display of money)."""
    return "" if value is None else format_euros(value)

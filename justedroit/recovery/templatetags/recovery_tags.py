from django import template

from justedroit.core.money import format_euros
from justedroit.recovery.models import EntryKind

register = template.Library()


@register.filter
def euros(value) -> str:
    """1234.5 → '1 234,50 €' (French display of money)."""
    return "" if value is None else format_euros(value)


@register.filter
def entry_kind(code: str) -> str:
    """'retained' → 'Retenue sur prestations'."""
    return EntryKind(code).label if code in EntryKind.values else code

from django import template

from justedroit.registry.models import Benefit

register = template.Library()
LABELS = dict(Benefit.choices)


@register.filter
def benefit_label(code: str) -> str:
    """'ppa' → 'Prime d'activité'."""
    return LABELS.get(code, code)

from django import template

from justedroit.registry.facts import value_label
from justedroit.registry.models import Benefit

register = template.Library()
LABELS = dict(Benefit.choices)


@register.filter
def benefit_label(code: str) -> str:
    """'ppa' → 'Prime d'activité'."""
    return LABELS.get(code, code)


@register.filter
def fact_value(fact) -> str:
    """A fact's value in French: amounts in euros, codes and communes by their name."""
    return value_label(fact.kind, fact.amount, fact.code)

from django import template

from justedroit.core.roles import Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    """A role's French name (the audit trail stores the code)."""
    return Role(value).label if value in Role.values else value

"""Who may read or write the registry. Deny by default; what each role reads follows the
need-to-know table (`core.need_to_know`)."""

from justedroit.core.need_to_know import DataKind, needs
from justedroit.core.roles import Role

FACT_RECORDERS = frozenset({Role.CASE_WORKER, Role.CONTROLLER})


def can_search_households(user) -> bool:
    return needs(user, DataKind.IDENTITY)


def can_view_household(user) -> bool:
    """Identity and composition, NIR masked."""
    return needs(user, DataKind.IDENTITY)


def can_view_full_nir(user) -> bool:
    return needs(user, DataKind.FULL_NIR)


def can_view_claims(user) -> bool:
    return needs(user, DataKind.CLAIMS)


def can_view_household_contacts(user) -> bool:
    return needs(user, DataKind.CONTACTS)


def can_view_household_resources(user) -> bool:
    """Incomes and the rest of the situation: the facts recorded."""
    return needs(user, DataKind.RESOURCES)


def can_record_fact(user) -> bool:
    return can_view_household_resources(user) and user.role in FACT_RECORDERS

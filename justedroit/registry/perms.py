"""Who may read or write the registry. Deny by default."""

from justedroit.core.roles import Role

# Agents whose work needs a household's file.
HOUSEHOLD_READERS = frozenset(
    {
        Role.RECEPTION,
        Role.CASE_WORKER,
        Role.CONTROLLER,
        Role.RECOVERY_AGENT,
        Role.CRA_SECRETARY,
        Role.VERIFIER,
        Role.MANAGER,
        Role.ADMINISTRATOR,
    }
)
FACT_RECORDERS = frozenset({Role.CASE_WORKER, Role.CONTROLLER})


def can_search_households(user) -> bool:
    return user.is_active and user.role in HOUSEHOLD_READERS


def can_view_household(user) -> bool:
    return user.is_active and user.role in HOUSEHOLD_READERS


def can_record_fact(user) -> bool:
    return user.is_active and user.role in FACT_RECORDERS

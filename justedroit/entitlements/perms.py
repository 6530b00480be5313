"""Who may see and recompute rights. Deny by default."""

from justedroit.core.roles import Role
from justedroit.registry.perms import HOUSEHOLD_READERS

RECOMPUTERS = frozenset({Role.CASE_WORKER, Role.CONTROLLER})


def can_view_entitlements(user) -> bool:
    return user.is_active and user.role in HOUSEHOLD_READERS


def can_recompute_household(user) -> bool:
    return user.is_active and user.role in RECOMPUTERS

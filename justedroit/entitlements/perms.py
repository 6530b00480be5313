"""Who may see and recompute rights. Deny by default; reading follows the need-to-know table
(`core.need_to_know`)."""

from justedroit.core.need_to_know import DataKind, needs
from justedroit.core.roles import Role

RECOMPUTERS = frozenset({Role.CASE_WORKER, Role.CONTROLLER})


def can_view_entitlements(user) -> bool:
    """Payments, rappels and indus of a household."""
    return needs(user, DataKind.PAYMENTS)


def can_view_explanation(user) -> bool:
    return needs(user, DataKind.EXPLANATIONS)


def can_recompute_household(user) -> bool:
    return can_view_entitlements(user) and user.role in RECOMPUTERS

"""Who may see the partner files received. Deny by default: a role not named is refused."""

from justedroit.core.roles import Role

# Refused rows quote NIRs and amounts: the controllers who act on exchanges and their managers.
EXCHANGE_READERS = frozenset({Role.CONTROLLER, Role.MANAGER})


def can_view_exchange_files(user) -> bool:
    return user.is_active and user.role in EXCHANGE_READERS

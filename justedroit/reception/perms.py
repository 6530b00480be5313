"""Who may do what at reception. Deny by default: a role not named is refused."""

from justedroit.core.roles import PARTNER_ROLES, Role

# Front-desk and case workers serve the public; managers supervise the day.
DESK_STAFF = frozenset({Role.RECEPTION, Role.CASE_WORKER, Role.MANAGER, Role.ADMINISTRATOR})
PLANNERS = frozenset({Role.MANAGER, Role.ADMINISTRATOR})


def can_serve_reception(user) -> bool:
    """Walk-in queue, day screen, check-in, attendance statuses."""
    return user.is_active and user.role in DESK_STAFF


def can_book_appointment(user) -> bool:
    """Book for any household (agents)."""
    return user.is_active and user.role in DESK_STAFF


def can_plan_reception(user) -> bool:
    """Opening slots, absences, closures."""
    return user.is_active and user.role in PLANNERS


def can_book_own_appointment(user) -> bool:
    return user.is_active and user.role == Role.CLAIMANT


def can_book_for_claimant(user) -> bool:
    """Relay partners book on an allocataire's behalf (recorded as such)."""
    return user.is_active and user.role in PARTNER_ROLES

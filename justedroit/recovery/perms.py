"""Who may see and act on debts. Deny by default; a household's debts follow the need-to-know
table (`core.need_to_know`: debts are indus, kind « Paiements »)."""

from justedroit.core.need_to_know import DataKind, needs
from justedroit.core.roles import Role


def can_view_debts(user) -> bool:
    """A household's debts, their ledger, letters and plan."""
    return needs(user, DataKind.PAYMENTS)


def can_record_debt_movement(user) -> bool:
    """Enter a direct payment, grant a plan, record a contentious step."""
    return can_view_debts(user) and user.role == Role.RECOVERY_AGENT


def can_view_recovery_worklist(user) -> bool:
    return user.is_active and user.role in {Role.RECOVERY_AGENT, Role.MANAGER}


def can_view_debt_balance(user) -> bool:
    """The accountant's balance by year and benefit (aggregates only)."""
    return user.is_active and user.role in {Role.ACCOUNTANT, Role.VERIFIER, Role.DIRECTOR}


def can_view_own_debts(user) -> bool:
    return user.is_claimant

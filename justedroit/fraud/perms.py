"""Who may do what with fraud files. Deny by default. The fraud team are controllers (the
référent fraude is one of them); managers read; the director decides sanctions and complaints
and reads the files submitted to his or her decision (art. L114-17 CSS: the director pronounces
the penalty), nothing else of a household."""

from justedroit.core.need_to_know import DataKind, needs
from justedroit.core.roles import Role

FILE_READERS = frozenset({Role.CONTROLLER, Role.MANAGER})


def _has(user, roles) -> bool:
    return user.is_active and user.role in roles


def can_view_fraud_files(user) -> bool:
    """The fraud worklist and the fraud files."""
    return _has(user, FILE_READERS) and needs(user, DataKind.RESOURCES)


def can_work_fraud_files(user) -> bool:
    """Open a file, instruct the intent, qualify, notify, record observations and opinions."""
    return _has(user, {Role.CONTROLLER}) and needs(user, DataKind.RESOURCES)


def can_decide_sanctions(user) -> bool:
    """The director's decision page: qualify, refer to the commission, decide, file the
    complaint (only files awaiting a decision of the director are shown)."""
    return _has(user, {Role.DIRECTOR})


def can_view_fraud_letters(user) -> bool:
    return can_view_fraud_files(user) or can_decide_sanctions(user)

"""Who may do what with appeals. Deny by default. The CRA secretariat receives, instructs and
prepares the sessions (managers read); the commission's members read the agenda and files of the
sessions they are convened to, nothing else; the legal department follows the court cases; the
allocataire sees their own requests (portal)."""

from justedroit.core.need_to_know import DataKind, needs
from justedroit.core.roles import Role


def _has(user, roles) -> bool:
    return user.is_active and user.role in roles


def can_view_cra_cases(user) -> bool:
    """The secretariat's worklist, the case files and the sessions."""
    return _has(user, {Role.CRA_SECRETARY, Role.MANAGER}) and needs(user, DataKind.RESOURCES)


def can_work_cra_cases(user) -> bool:
    """Receive, instruct, convene, record attendance and decisions, close the minutes."""
    return _has(user, {Role.CRA_SECRETARY}) and needs(user, DataKind.RESOURCES)


def can_sit_on_cra(user) -> bool:
    """A member's space: their sessions; each file only if on their session's agenda (views)."""
    return _has(user, {Role.CRA_MEMBER})


def can_view_session(user) -> bool:
    return can_view_cra_cases(user) or can_sit_on_cra(user)


def can_view_court_cases(user) -> bool:
    return _has(user, {Role.LEGAL, Role.MANAGER})


def can_work_court_cases(user) -> bool:
    return _has(user, {Role.LEGAL})


def can_view_own_appeals(user) -> bool:
    return _has(user, {Role.CLAIMANT})

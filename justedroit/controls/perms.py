"""Who may do what with controls. Deny by default: a role not named is refused. Reading a control
file follows the need-to-know table (resources, payments and documents of a household)."""

from justedroit.core.need_to_know import DataKind, needs
from justedroit.core.roles import Role

CONTROL_READERS = frozenset({Role.CONTROLLER, Role.MANAGER})
PLAN_READERS = frozenset({Role.MANAGER, Role.PROCESS_PILOT, Role.DIRECTOR})


def _has(user, roles) -> bool:
    return user.is_active and user.role in roles


def can_view_controls(user) -> bool:
    """The controllers' worklist and the control files."""
    return _has(user, CONTROL_READERS) and needs(user, DataKind.RESOURCES)


def can_work_controls(user) -> bool:
    """Open, request documents, assign, schedule, notify findings, record answers, close."""
    return _has(user, {Role.CONTROLLER}) and needs(user, DataKind.RESOURCES)


def can_write_visit_report(user) -> bool:
    """A sworn controller (art. L114-10 CSS); the service checks the oath and the assignment."""
    return can_work_controls(user)


def can_view_control_plan(user) -> bool:
    """The year's control plan: volumes and impact, no household."""
    return _has(user, PLAN_READERS)


def can_view_targeting_model(user) -> bool:
    """The targeting model's variables and coefficients are published to every agent."""
    return user.is_active and user.is_agent


def can_view_targeting_list(user) -> bool:
    """The scored list: households and their scores, for those who open controls."""
    return can_view_controls(user)


def can_decide_targeting(user) -> bool:
    """Select a scored household for a control, or set it aside: a controller or a manager."""
    return _has(user, CONTROL_READERS) and needs(user, DataKind.RESOURCES)


def can_view_targeting_audit(user) -> bool:
    """The bias audit: figures by group, no household."""
    return _has(user, CONTROL_READERS | PLAN_READERS | {Role.DATA_PROTECTION_OFFICER})

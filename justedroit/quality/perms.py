"""Who may do what with the quality of processing. Deny by default.

The verification service (direction comptable) draws plans and reviews acts; the accountant and
the direction read the results; every agent sees their own reviewed acts, never a colleague's;
a manager sees the results of every agent, to plan supervision and quality actions."""

from justedroit.core.need_to_know import DataKind, needs
from justedroit.core.roles import Role

RESULT_READERS = frozenset({Role.VERIFIER, Role.ACCOUNTANT, Role.DIRECTOR, Role.PROCESS_PILOT})


def can_view_verification(user) -> bool:
    """Plans and their estimates (no household on these pages for readers who do not review)."""
    return user.is_active and user.role in RESULT_READERS


def can_review_acts(user) -> bool:
    """Draw plans, see the worklist of sampled acts (households) and record reviews."""
    return user.is_active and user.role == Role.VERIFIER and needs(user, DataKind.RESOURCES)


def can_view_own_quality(user) -> bool:
    return user.is_active and user.is_agent


def can_view_agents_quality(user) -> bool:
    """Results per agent: the managers, who plan supervision and quality actions."""
    return user.is_active and user.role == Role.MANAGER


def can_supervise(user) -> bool:
    """Draw supervision plans of an agent's acts, review them, open and close quality actions."""
    return user.is_active and user.role == Role.MANAGER and needs(user, DataKind.RESOURCES)


def can_open_plan_pages(user) -> bool:
    return can_view_verification(user) or can_supervise(user)


def can_see_plan(user, plan) -> bool:
    """Verification plans: their readers; supervision plans: the managers."""
    return can_supervise(user) if plan.agent_id else can_view_verification(user)


def can_review_item(user, item) -> bool:
    """The verifier reviews verification samples; a manager, supervision samples."""
    return can_supervise(user) if item.plan.agent_id else can_review_acts(user)


# The DQI process map (no household on these pages).
MAP_READERS = frozenset(
    {Role.PROCESS_PILOT, Role.MANAGER, Role.DIRECTOR, Role.VERIFIER, Role.ACCOUNTANT}
)


def can_view_process_map(user) -> bool:
    return user.is_active and user.role in MAP_READERS


def can_open_process_pages(user) -> bool:
    """The process pages: the pilots (each their own process) and the direction."""
    return user.is_active and user.role in {Role.PROCESS_PILOT, Role.DIRECTOR}


def can_view_process(user, process) -> bool:
    return user.is_active and (
        user.role == Role.DIRECTOR
        or (user.role == Role.PROCESS_PILOT and process.pilot_id == user.pk)
    )


def can_pilot_process(user, process) -> bool:
    """Open and close the process's action plans: its pilot."""
    return user.is_active and user.role == Role.PROCESS_PILOT and process.pilot_id == user.pk


def can_set_targets(user, process) -> bool:
    """Set or clear the targets of the process's indicators: its pilot, or the direction (the
    management that names the pilots and reads every process page)."""
    return can_pilot_process(user, process) or (user.is_active and user.role == Role.DIRECTOR)


def can_name_pilots(user) -> bool:
    return user.is_active and user.role == Role.DIRECTOR

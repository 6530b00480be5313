from justedroit.core.roles import Role

INDICATOR_READERS = frozenset(
    {Role.MANAGER, Role.PROCESS_PILOT, Role.DIRECTOR, Role.VERIFIER, Role.ADMINISTRATOR}
)


def can_view_indicators(user) -> bool:
    return user.is_active and user.role in INDICATOR_READERS

from justedroit.core.roles import Role

INDICATOR_READERS = frozenset(
    {Role.MANAGER, Role.PROCESS_PILOT, Role.DIRECTOR, Role.VERIFIER, Role.ADMINISTRATOR}
)


def can_view_indicators(user) -> bool:
    return user.is_active and user.role in INDICATOR_READERS


# The annual report: the direction, the managers and pilots who write their section, and those
# who read the indicators already.
REPORT_READERS = INDICATOR_READERS


def can_view_report(user) -> bool:
    return user.is_active and user.role in REPORT_READERS


# Who builds a version of the report, writes its sections' free text and its « Temps forts »: the
# direction (the communication team works for it; there is no communication role yet).
REPORT_EDITORS = frozenset({Role.DIRECTOR, Role.ADMINISTRATOR})


def can_edit_report(user) -> bool:
    return user.is_active and user.role in REPORT_EDITORS


# The managers' dashboards: those who read the indicators.
def can_view_dashboards(user) -> bool:
    return can_view_indicators(user)


# The targets shown on the dashboards: set by the direction (and the administrator).
TARGET_EDITORS = REPORT_EDITORS


def can_set_targets(user) -> bool:
    return user.is_active and user.role in TARGET_EDITORS

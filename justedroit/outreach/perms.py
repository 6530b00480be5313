"""Who may do what with partners and mandates. Deny by default: a role not named is refused."""

from justedroit.core.roles import Role

# Agents who receive allocataires and their papers record a mandate signed on paper.
MANDATE_RECORDERS = frozenset({Role.RECEPTION, Role.CASE_WORKER, Role.MANAGER, Role.ADMINISTRATOR})


def can_grant_mandate(user) -> bool:
    """The allocataire gives or withdraws a mandate to a partner, in the portal."""
    return user.is_active and user.role == Role.CLAIMANT


def can_record_mandate(user) -> bool:
    """An agent records (or withdraws) a mandate from a signed paper."""
    return user.is_active and user.role in MANDATE_RECORDERS

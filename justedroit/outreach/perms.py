"""Who may do what with partners and mandates. Deny by default: a role not named is refused."""

from justedroit.core.roles import PARTNER_ROLES, Role

# Agents who receive allocataires and their papers record a mandate signed on paper.
MANDATE_RECORDERS = frozenset({Role.RECEPTION, Role.CASE_WORKER, Role.MANAGER, Role.ADMINISTRATOR})


def can_grant_mandate(user) -> bool:
    """The allocataire gives or withdraws a mandate to a partner, in the portal."""
    return user.is_active and user.role == Role.CLAIMANT


def can_record_mandate(user) -> bool:
    """An agent records (or withdraws) a mandate from a signed paper."""
    return user.is_active and user.role in MANDATE_RECORDERS


REFERRAL_HANDLERS = frozenset({Role.RECEPTION, Role.CASE_WORKER, Role.MANAGER})


def can_act_as_partner(user) -> bool:
    """A partner's staff: looks up, refers and books for households under its mandate."""
    return user.is_active and user.role in PARTNER_ROLES


def can_handle_referrals(user) -> bool:
    """The agents who take the partners' referrals from the worklist and record the outcome."""
    return user.is_active and user.role in REFERRAL_HANDLERS


CAMPAIGN_CALLERS = frozenset({Role.RECEPTION, Role.CASE_WORKER, Role.MANAGER})


def can_call_candidates(user) -> bool:
    """The agents who follow a campaign: its funnel, and the calls of its phone worklist."""
    return user.is_active and user.role in CAMPAIGN_CALLERS


# The Caf's access-to-rights team: the partners' meetings and material, the collective actions.
NETWORK_TEAM = frozenset({Role.CASE_WORKER, Role.MANAGER})


def can_run_partner_network(user) -> bool:
    """Plan the partners' meetings, record attendance, upload the information material, and
    organise the collective actions and record what they led to."""
    return user.is_active and user.role in NETWORK_TEAM

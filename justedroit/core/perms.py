"""Permissions of the core pages. Deny by default: a role not named is refused."""

from justedroit.core.roles import Role


def can_view_audit_trail(user) -> bool:
    return user.is_active and user.role in {Role.DATA_PROTECTION_OFFICER, Role.ADMINISTRATOR}


def can_manage_failed_sends(user) -> bool:
    """The page of failed SMS and e-mails, and sending them again."""
    return user.is_active and user.role in {Role.MANAGER, Role.ADMINISTRATOR}


def can_use_agent_space(user) -> bool:
    return user.is_agent


def can_use_claimant_space(user) -> bool:
    return user.is_claimant


def can_use_partner_space(user) -> bool:
    return user.is_partner


def can_change_own_password(user) -> bool:
    return user.is_active and user.has_usable_password()


def can_manage_api_tokens(user) -> bool:
    """Create, list and revoke the partners' API tokens."""
    return user.is_active and user.role in {Role.MANAGER, Role.ADMINISTRATOR}

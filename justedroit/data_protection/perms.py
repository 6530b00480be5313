"""Permissions of the data protection pages. Deny by default: a role not named is refused."""

from justedroit.core.roles import Role


def can_export_subject_data(user) -> bool:
    """Produce everything held about a person, to answer their right of access or portability."""
    return user.is_active and user.role == Role.DATA_PROTECTION_OFFICER


def can_view_processing_register(user) -> bool:
    """The register of processing activities (art. 30 RGPD): the DPO keeps it, the direction
    answers for it."""
    return user.is_active and user.role in {Role.DATA_PROTECTION_OFFICER, Role.DIRECTOR}

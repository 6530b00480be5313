"""Helpers shared by the channel services."""

from justedroit.registry.models import Household


def contact_consult(
    *, household: Household | None, obj, acting_user, reason: str, page: str = ""
) -> None:
    """Record that an agent opened a household's message or document (`page`: which view)."""
    from django.db import transaction

    from justedroit.core.audit import audit_record
    from justedroit.core.models import AuditAction

    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action=AuditAction.VIEW,
            household_number=household.number if household else "",
            obj=obj,
            reason=reason,
            detail={"page": page} if page else None,
        )

"""Writing the audit trail. Callers run inside their own transaction, so the event commits or
rolls back with the action it records."""

from django.db import transaction

from justedroit.core import clock
from justedroit.core.models import AuditAction, AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    household_number: str = "",
    obj=None,
    reason: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An audit event must be written inside the transaction it records.")
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=actor,
        actor_role=getattr(actor, "role", ""),
        action=action,
        household_number=household_number,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        reason=reason[:300],
        detail=detail or {},
    )

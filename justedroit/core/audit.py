"""Writing the audit trail. Callers run inside their own transaction, so the event commits or
rolls back with the action it records."""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.db import transaction

from justedroit.core import clock
from justedroit.core.models import AuditAction, AuditEvent, User

# Who runs the batch command in progress (set by `core.batch.BatchCommand`); empty on the web,
# where the logged-in user is the actor.
_OPERATOR: ContextVar[str] = ContextVar("audit_operator", default="")


@contextlib.contextmanager
def operated_by(name: str) -> Iterator[None]:
    token = _OPERATOR.set(name)
    try:
        yield
    finally:
        _OPERATOR.reset(token)


def current_operator() -> str:
    """Who runs the batch command in progress; empty on the web."""
    return _OPERATOR.get()


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
        operator=_OPERATOR.get(),
        action=action,
        household_number=household_number,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        reason=reason[:300],
        detail=detail or {},
    )

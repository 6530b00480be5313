"""Writing the audit trail. Callers run inside their own transaction, so the event commits or
rolls back with the action it records."""

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from django.db import models, transaction

from justedroit.core import clock
from justedroit.core.models import AuditAction, AuditEvent, AuditEventHousehold, User


class ConsultationReason(models.TextChoices):
    """Why an agent opens a household's file; chosen in a form, recorded with each display."""

    CALL = "call", "Appel de l'allocataire"
    VISIT = "visit", "Accueil ou rendez-vous"
    MAIL = "mail", "Courriel, courrier ou pièce reçus"
    CLAIM = "claim", "Instruction d'une demande ou d'un changement de situation"
    CONTROL = "control", "Contrôle"
    RECOVERY = "recovery", "Recouvrement d'un indu"
    APPEAL = "appeal", "Recours amiable ou contentieux"
    REVIEW = "review", "Vérification ou supervision"
    OTHER = "other", "Autre motif"


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
    households: Iterable[str] = (),
    obj=None,
    reason: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """One event; `household_number` is the household acted on, `households` every other one
    whose data the action showed. Each becomes an indexed row the DPO's per-household view
    reads."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An audit event must be written inside the transaction it records.")
    event = AuditEvent.objects.create(
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
    shown = dict.fromkeys(n for n in (household_number, *households) if n)
    AuditEventHousehold.objects.bulk_create(
        AuditEventHousehold(event=event, number=number) for number in shown
    )
    return event


def display_record(
    *, actor: User, page: str, households: Iterable[str], obj=None, reason: str = ""
) -> AuditEvent:
    """Record that a page showed these households' personal data to an agent (a list, a queue,
    the day's screen): one event for the display, naming every household on it."""
    with transaction.atomic():
        return audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            households=households,
            obj=obj,
            reason=reason,
            detail={"page": page},
        )


def case_event_record(
    case,
    *,
    kind: str,
    label: str,
    opened: bool,
    domain: str,
    actor: User | None,
    note: str = "",
    detail: dict | None = None,
):
    """One line of a case file's history (`case.events`: a control, a fraud file…) and its audit
    row, inside the caller's transaction. `label` is the event's French name, `domain` the case's
    (« contrôle », « fraude ») for the audit reason."""
    event = case.events.create(
        at=clock.now(), kind=kind, actor=actor, note=note, detail=detail or {}
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if opened else AuditAction.UPDATE,
        household_number=case.household.number,
        obj=case,
        reason=f"{domain} : {label.lower()}",
        detail={"event": kind, **(detail or {})},
    )
    return event

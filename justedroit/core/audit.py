"""Writing the audit trail. Callers run inside their own transaction, so the event commits or
rolls back with the action it records."""

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

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
    entry = AuditEntry(clock.now(), actor, action, household_number, obj, reason, detail)
    return audit_records([entry], households=households)[0]


@dataclass(frozen=True)
class AuditEntry:
    """One event of `audit_records`, at its own instant."""

    at: dt.datetime
    actor: User | None
    action: AuditAction
    household_number: str = ""
    obj: Any = None
    reason: str = ""
    detail: dict | None = None


def audit_records(
    entries: Sequence[AuditEntry], *, households: Iterable[str] = ()
) -> list[AuditEvent]:
    """`audit_record` of many events in two inserts (a batch of acts, each with its own instant,
    actor and household); `households`, shown by each event besides its own."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An audit event must be written inside the transaction it records.")
    operator = _OPERATOR.get()
    events = AuditEvent.objects.bulk_create(
        AuditEvent(
            at=entry.at,
            actor=entry.actor,
            actor_role=getattr(entry.actor, "role", ""),
            operator=operator,
            action=entry.action,
            household_number=entry.household_number,
            object_type=entry.obj._meta.label if entry.obj is not None else "",
            object_id=str(entry.obj.pk) if entry.obj is not None else "",
            reason=entry.reason[:300],
            detail=entry.detail or {},
        )
        for entry in entries
    )
    others = tuple(households)
    AuditEventHousehold.objects.bulk_create(
        AuditEventHousehold(event=event, number=number)
        for event, entry in zip(events, entries, strict=True)
        for number in dict.fromkeys(n for n in (entry.household_number, *others) if n)
    )
    return events


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

"""Outbound messages (SMS, e-mails) leave through the task queue, never inside a request.

A message is a row of an `Outbound` model that carries its delivery status: queued → sending →
sent (→ delivered when the provider's receipt says so); after a failed attempt it is queued again
with an exponential backoff, and marked failed after `JUSTEDROIT_SEND_MAX_ATTEMPTS` attempts.
Each domain declares its kind of message in its `tasks.py` (`@outbound_kind`): the task the worker
(`justedroit db_worker`) runs, how to transmit one message, and how to describe it on the page of
failed sends. `send_after_commit` queues a message once the writing transaction has committed, so
a failure in sending never reaches the request that asked for it.
"""

import datetime as dt
import functools
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks.base import Task

from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User

logger = logging.getLogger(__name__)

# A message queued or being sent for longer than this has lost its worker (stopped, crashed, or
# the queue was unreachable at commit): it is listed with the failures so that someone acts.
STUCK_AFTER = dt.timedelta(minutes=30)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "En file d'envoi"
    SENDING = "sending", "Envoi en cours"
    SENT = "sent", "Envoyé"
    DELIVERED = "delivered", "Remis au destinataire"
    FAILED = "failed", "Échec — à renvoyer"


class Outbound(models.Model):
    """Delivery status of one outbound message. `db_default`s let bulk loaders (the twin) omit
    the columns."""

    status = models.CharField(
        "statut d'envoi",
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0, db_default=0)
    error = models.CharField("dernière erreur", max_length=300, blank=True, db_default="")
    queued_at = models.DateTimeField("mis en file le", null=True, blank=True)
    last_attempt_at = models.DateTimeField("dernière tentative le", null=True, blank=True)
    next_attempt_at = models.DateTimeField("prochaine tentative le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    delivered_at = models.DateTimeField("remis le", null=True, blank=True)

    class Meta:
        abstract = True


class PermanentFailure(Exception):
    """A send that no new attempt can fix (a reminder for an appointment already started)."""


@dataclass(frozen=True)
class Description:
    """What a message is about, for the page of failed sends and the audit trail."""

    what: str
    recipient: str
    household_number: str


@dataclass(frozen=True)
class OutboundKind:
    model: type[Outbound]
    label: str
    task: Task  # the worker's entry point: called with the message's id, runs `attempt`
    transmit: Callable[[Outbound], dict]  # sends; returns fields to record; raises on failure
    describe: Callable[[Outbound], Description]
    select_related: tuple[str, ...] = ()
    # Runs in the transaction of every status change (an e-mail thread follows its reply).
    on_status: Callable[[Outbound], None] | None = None
    # Refuses a retry that makes no sense (ValidationError with a French message).
    check_retry: Callable[[Outbound], None] | None = None

    @property
    def key(self) -> str:
        return self.model._meta.label_lower


_KINDS: dict[str, OutboundKind] = {}


def outbound_kind(kind: OutboundKind) -> OutboundKind:
    _KINDS[kind.key] = kind
    return kind


@functools.cache
def _discover() -> None:
    autodiscover_modules("tasks")


def kinds() -> list[OutboundKind]:
    _discover()
    return list(_KINDS.values())


def kind_of(model: type[Outbound] | str) -> OutboundKind:
    _discover()
    key = model if isinstance(model, str) else model._meta.label_lower
    try:
        return _KINDS[key]
    except KeyError:
        raise ValidationError(f"Type d'envoi inconnu « {key} ».") from None


# ---- queueing and attempts ----------------------------------------------------------------------
def max_attempts() -> int:
    return settings.JUSTEDROIT_SEND_MAX_ATTEMPTS


def backoff(attempt: int) -> dt.timedelta:
    """Wait before attempt `attempt + 1`: base, 2 × base, 4 × base…"""
    return dt.timedelta(seconds=settings.JUSTEDROIT_SEND_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


def send_after_commit(message: Outbound) -> None:
    """Queue a saved message once the current transaction commits. `robust`: if the queue cannot
    be reached, the error is logged instead of failing a request whose work is already committed;
    the message then shows as stuck on the page of failed sends."""
    task, pk = kind_of(type(message)).task, message.pk
    transaction.on_commit(lambda: task.enqueue(pk), robust=True)


def _enqueue_in(task: Task, pk: int, delay: dt.timedelta) -> None:
    # The worker compares `run_after` with the wall clock, not with the application's clock
    # (whose date the demo pins), so the delay is counted from the wall clock.
    task.using(run_after=timezone.now() + delay).enqueue(pk)


def _record(kind: OutboundKind, message: Outbound, **fields) -> None:
    kind.model.objects.filter(pk=message.pk).update(**fields)
    for name, value in fields.items():
        setattr(message, name, value)
    if kind.on_status is not None:
        kind.on_status(message)


def attempt(model: type[Outbound], pk: int) -> str:
    """One attempt to send message `pk`, run by the worker. Only a queued message is taken, so a
    task run twice (or after a retry by an agent) never sends twice. Returns what happened."""
    kind = kind_of(model)
    with transaction.atomic():
        claimed = model.objects.filter(pk=pk, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SENDING,
            attempts=F("attempts") + 1,
            last_attempt_at=clock.now(),
            next_attempt_at=None,
        )
        if not claimed:
            return "rien à faire : déjà envoyé, en échec ou pris par un autre worker"
        message = model.objects.select_related(*kind.select_related).get(pk=pk)
        _record(kind, message)
    try:
        recorded = kind.transmit(message)
    except PermanentFailure as error:
        return _fail(kind, message, str(error))
    except Exception as error:  # whatever the outside world raises is recorded, then retried
        return _retry_or_fail(kind, message, f"{type(error).__name__} : {error}")
    with transaction.atomic():
        _record(
            kind,
            message,
            status=DeliveryStatus.SENT,
            sent_at=clock.now(),
            error="",
            **recorded,
        )
    return "envoyé"


def _retry_or_fail(kind: OutboundKind, message: Outbound, error: str) -> str:
    if message.attempts >= max_attempts():
        return _fail(kind, message, error)
    delay = backoff(message.attempts)
    with transaction.atomic():
        _record(
            kind,
            message,
            status=DeliveryStatus.QUEUED,
            error=error[:300],
            next_attempt_at=clock.now() + delay,
        )
        _enqueue_in(kind.task, message.pk, delay)
    return f"tentative {message.attempts} en échec, nouvel essai dans {delay}"


def _fail(kind: OutboundKind, message: Outbound, error: str) -> str:
    with transaction.atomic():
        _record(kind, message, status=DeliveryStatus.FAILED, error=error[:300])
    logger.warning("Envoi %s %s en échec : %s", kind.key, message.pk, error)
    return f"échec : {error}"


# ---- failed sends: listing and retry -------------------------------------------------------------
def needing_attention(now: dt.datetime) -> Q:
    """Failed, or stuck in the queue or in a worker for longer than `STUCK_AFTER`."""
    stuck = now - STUCK_AFTER
    return (
        Q(status=DeliveryStatus.FAILED)
        | Q(status=DeliveryStatus.QUEUED, next_attempt_at__isnull=True, queued_at__lt=stuck)
        | Q(status=DeliveryStatus.QUEUED, next_attempt_at__lt=stuck)
        | Q(status=DeliveryStatus.SENDING, last_attempt_at__lt=stuck)
    )


@dataclass(frozen=True)
class SendRow:
    kind: OutboundKind
    message: Outbound
    description: Description


LISTED_PER_KIND = 200


def sends_needing_attention() -> list[tuple[OutboundKind, list[SendRow]]]:
    """Each kind of message with its failed or stuck messages, newest first."""
    now = clock.now()
    listing = []
    for kind in kinds():
        messages = (
            kind.model.objects.filter(needing_attention(now))
            .select_related(*kind.select_related)
            .order_by("-pk")[:LISTED_PER_KIND]
        )
        listing.append((kind, [SendRow(kind, m, kind.describe(m)) for m in messages]))
    return listing


def sends_consult(*, rows: list[SendRow], acting_user: User) -> None:
    """Audit the display of failed sends: one row per household shown."""
    with transaction.atomic():
        for number in sorted({row.description.household_number for row in rows} - {""}):
            audit_record(
                actor=acting_user,
                action=AuditAction.VIEW,
                household_number=number,
                reason="liste des envois en échec",
            )


def send_retry(*, kind_key: str, pk: int, acting_user: User) -> Outbound:
    """Queue a failed (or stuck) message again, for a new round of attempts; audited."""
    kind = kind_of(kind_key)
    with transaction.atomic():
        message = (
            kind.model.objects.select_for_update()
            .filter(needing_attention(clock.now()), pk=pk)
            .first()
        )
        if message is None:
            raise ValidationError("Cet envoi n'est ni en échec ni bloqué : rien à renvoyer.")
        message = kind.model.objects.select_related(*kind.select_related).get(pk=pk)
        if kind.check_retry is not None:
            kind.check_retry(message)
        previous = {"status": message.status, "attempts": message.attempts, "error": message.error}
        _record(
            kind,
            message,
            status=DeliveryStatus.QUEUED,
            attempts=0,
            queued_at=clock.now(),
            next_attempt_at=None,
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=kind.describe(message).household_number,
            obj=message,
            reason="nouvel envoi d'un message en échec",
            detail=previous,
        )
        send_after_commit(message)
    return message


# ---- headers ------------------------------------------------------------------------------------
def header_safe(value: str) -> str:
    """A value that can go into a mail header: every control or line-separator character (CR, LF,
    NEL, U+2028…, which a decoded `=?utf-8?q?…=0A?=` subject can carry) becomes a space."""
    cleaned = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in value
    )
    return " ".join(cleaned.split())

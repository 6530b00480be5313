"""Emails: receive (portal form, .eml import, IMAP), thread per household, answer from the app."""

import datetime as dt
import email
import email.policy
import email.utils
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.channels.models import (
    ContactReason,
    Direction,
    EmailMessage,
    EmailSource,
    EmailThread,
    ThreadStatus,
    team_for,
)
from justedroit.channels.services.common import household_in_text
from justedroit.channels.workdays import working_minutes_between
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.core.sending import DeliveryStatus, header_safe, send_after_commit
from justedroit.registry.models import Household

DEFAULT_FROM = "courriels@vienne.caf.example"


def caf_address() -> str:
    return getattr(settings, "CHANNELS_EMAIL_FROM", DEFAULT_FROM)


@dataclass(frozen=True)
class InboundEmail:
    sender: str
    subject: str
    body: str
    message_id: str
    received_at: dt.datetime
    references: list[str] = field(default_factory=list)


def parse_eml(raw: bytes) -> InboundEmail:
    """An .eml file (RFC 5322) → InboundEmail; a French message when it cannot be used."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as error:  # the parser raises many kinds on broken input
        raise ValidationError(f"courriel illisible ({error}).") from None
    sender = email.utils.parseaddr(str(message.get("From", "")))[1]
    if not sender or "@" not in sender:
        raise ValidationError("courriel sans expéditeur (From).")
    subject = str(message.get("Subject", "")).strip()[:200] or "(sans objet)"
    part = message.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if part is not None else ""
    message_id = str(message.get("Message-ID", "")).strip()
    if not message_id:
        message_id = f"<sha256-{hashlib.sha256(raw).hexdigest()}@justedroit.invalid>"
    received_at = clock.now()
    if message.get("Date"):
        try:
            received_at = email.utils.parsedate_to_datetime(str(message["Date"]))
        except (TypeError, ValueError):
            raise ValidationError(f"date illisible « {message['Date']} ».") from None
        if received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=clock.PARIS)
    references = (
        str(message.get("References", "")).split() + str(message.get("In-Reply-To", "")).split()
    )
    return InboundEmail(sender, subject, body, message_id[:255], received_at, references)


def email_receive(
    *,
    inbound: InboundEmail,
    source: str,
    acting_user: User | None,
    household: Household | None = None,
    reason: str = "",
) -> EmailMessage | None:
    """File an inbound message in its thread (a reply to one of ours) or a new thread. Returns
    None when this Message-ID is already filed: importing twice adds nothing."""
    if reason and reason not in ContactReason.values:
        raise ValidationError(f"Motif inconnu « {reason} ».")
    if EmailMessage.objects.filter(message_id=inbound.message_id).exists():
        return None
    with transaction.atomic():
        thread = (
            EmailThread.objects.filter(messages__message_id__in=inbound.references)
            .select_for_update()
            .first()
            if inbound.references
            else None
        )
        if thread is None:
            household = household or household_in_text(inbound.subject, inbound.body)
            if household is None:
                household = (
                    Household.objects.filter(email_threads__correspondent__iexact=inbound.sender)
                    .order_by("-email_threads__opened_at")
                    .first()
                )
            reason = reason or ContactReason.OTHER
            thread = EmailThread.objects.create(
                household=household,
                subject=inbound.subject[:200],
                reason=reason,
                team=team_for(reason),
                opened_at=inbound.received_at,
                status=ThreadStatus.WAITING,
                correspondent=inbound.sender,
            )
        else:
            thread.status = ThreadStatus.WAITING
            thread.save(update_fields=["status"])
        message = EmailMessage.objects.create(
            thread=thread,
            direction=Direction.INBOUND,
            source=source,
            message_id=inbound.message_id,
            sender=inbound.sender,
            recipient=caf_address(),
            subject=inbound.subject[:200],
            body=inbound.body,
            at=inbound.received_at,
        )
        if thread.household_id:
            audit_record(
                actor=acting_user,
                action=AuditAction.CREATE,
                household_number=thread.household.number,
                obj=message,
                reason="courriel reçu",
            )
    return message


def email_reply(*, thread: EmailThread, body: str, acting_user: User) -> EmailMessage:
    """Answer a thread: the reply is queued and sent by the task queue after commit (its delivery
    status is on the message, and the thread says « réponse en cours d'envoi » until it has left);
    every inbound message still waiting gets its answer time and its working-time delay."""
    if not body.strip():
        raise ValidationError("La réponse est vide.")
    if not thread.correspondent:
        raise ValidationError("Ce fil n'a pas d'adresse de correspondant.")
    now = clock.now()
    domain = caf_address().split("@")[-1]
    with transaction.atomic():
        thread = EmailThread.objects.select_for_update().get(pk=thread.pk)
        waiting = list(
            thread.messages.filter(direction=Direction.INBOUND, answered_at__isnull=True)
        )
        subject = header_safe(thread.subject)
        if not subject.lower().startswith("re"):
            subject = f"RE : {subject}"
        reply = EmailMessage.objects.create(
            thread=thread,
            direction=Direction.OUTBOUND,
            source=EmailSource.AGENT,
            message_id=email.utils.make_msgid(domain=domain),
            sender=caf_address(),
            recipient=thread.correspondent,
            subject=subject[:200],
            body=body,
            at=now,
            author=acting_user,
            status=DeliveryStatus.QUEUED,
            queued_at=now,
        )
        for message in waiting:
            message.answered_at = now
            message.response_minutes = working_minutes_between(message.at, now)
            message.save(update_fields=["answered_at", "response_minutes"])
        thread.status = ThreadStatus.SENDING
        thread.save(update_fields=["status"])
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=thread.household.number if thread.household_id else "",
            obj=reply,
            reason="réponse à un courriel",
        )
        send_after_commit(reply)
    return reply


def thread_assign(
    *, thread: EmailThread, household: Household | None, team: str, acting_user: User
) -> EmailThread:
    """Identify the household of a thread and/or hand it to another team."""
    from justedroit.channels.models import Team

    if team not in Team.values:
        raise ValidationError(f"Équipe inconnue « {team} ».")
    with transaction.atomic():
        thread = EmailThread.objects.select_for_update().get(pk=thread.pk)
        thread.household = household or thread.household
        thread.team = team
        thread.save(update_fields=["household", "team"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=thread.household.number if thread.household_id else "",
            obj=thread,
            reason="affectation d'un fil de courriels",
            detail={"team": team},
        )
    return thread

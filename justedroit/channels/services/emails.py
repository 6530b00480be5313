"""Emails: receive (portal form, mailbox), thread per household, triage, answer from the app.

Parsing and sanitising messages from outside, and quarantine, are in `email_import`."""

import datetime as dt
import email.utils
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.channels import storage
from justedroit.channels.models import (
    ContactReason,
    Direction,
    EmailAttachment,
    EmailMessage,
    EmailSource,
    EmailThread,
    Identification,
    ScanResult,
    Team,
    ThreadStatus,
    team_for,
)
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.calendar import working_minutes_between
from justedroit.core.imports import clean_text, printable, single_line
from justedroit.core.models import AuditAction, User
from justedroit.core.sending import DeliveryStatus, header_safe, send_after_commit
from justedroit.registry.contacts import contact_point_record, email_owners, household_email
from justedroit.registry.models import ContactKind, ContactSource, Household

DEFAULT_FROM = "courriels@vienne.caf.example"
# The portal's contact form: at most this many characters per message, and these many messages
# per account over a sliding window (anything more is a script, or a person better served by
# the phone).
CONTACT_MAX_CHARS = 5_000
CONTACT_RATE_LIMITS = (
    (dt.timedelta(hours=1), 5, "dans l'heure"),
    (dt.timedelta(days=1), 20, "sur les dernières 24 heures"),
)


def caf_address() -> str:
    return getattr(settings, "CHANNELS_EMAIL_FROM", DEFAULT_FROM)


@dataclass(frozen=True)
class InboundEmail:
    """An inbound message, its headers already sanitised (see `email_import`). `raw_sha256` is the
    hash of the raw message for mail from outside, empty for the portal form."""

    sender: str
    subject: str
    body: str
    message_id: str
    received_at: dt.datetime
    references: list[str] = field(default_factory=list)
    raw_sha256: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file attached to an inbound message, already checked (`storage.check_upload`)."""

    name: str
    checked: storage.CheckedFile


@dataclass(frozen=True)
class Identified:
    household: Household | None
    how: str  # an Identification
    note: str


def email_receive(
    *,
    inbound: InboundEmail,
    source: str,
    acting_user: User | None,
    household: Household | None = None,
    reason: str = "",
    attachments: Sequence[Attachment] = (),
) -> EmailMessage | None:
    """File an inbound message. From the portal, `household` is the logged-in allocataire's.
    From a mailbox, the message joins a household's file only when its sender is an address that
    household gave the Caf; anything else opens a thread for triage (`triage_threads`). Returns
    None when this message is already filed: importing twice adds nothing."""
    if reason and reason not in ContactReason.values:
        raise ValidationError(f"Motif inconnu « {reason} ».")
    if _already_filed(inbound):
        return None
    stored: list[tuple[str, Attachment]] = []
    try:
        for attachment in attachments:
            stored.append(_keep_attachment(attachment))
        with transaction.atomic():
            message = _file(inbound, source, acting_user, household, reason, stored)
    except BaseException:
        for name, _ in stored:
            storage.remove(name)
        raise
    return message


def _already_filed(inbound: InboundEmail) -> bool:
    """True for the same message again; a different message reusing a Message-ID is refused (it
    would otherwise be dropped as a duplicate, or hide the real one)."""
    existing = EmailMessage.objects.filter(message_id=inbound.message_id).first()
    if existing is None:
        return False
    if existing.raw_sha256 == inbound.raw_sha256:
        return True
    if not existing.raw_sha256 and existing.source == EmailSource.MAILBOX:
        return True  # filed before raw messages were hashed: the same import again
    raise ValidationError(
        f"le Message-ID {printable(inbound.message_id)} est déjà celui d'un autre courriel."
    )


def _keep_attachment(attachment: Attachment) -> tuple[str, Attachment]:
    storage.virus_scanner().scan(attachment.checked.content)
    return storage.store(attachment.checked.content), attachment


def _file(inbound, source, acting_user, household, reason, stored) -> EmailMessage:
    if household is not None:
        thread = None
        identified = Identified(household, Identification.PORTAL, "espace Mon compte")
    else:
        thread, identified = _identify(inbound)
    if thread is None:
        reason = reason or ContactReason.OTHER
        thread = EmailThread.objects.create(
            household=identified.household,
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
        author=acting_user if source == EmailSource.PORTAL else None,
        identified_by=identified.how,
        identification_note=identified.note[:200],
        raw_sha256=inbound.raw_sha256,
    )
    for name, attachment in stored:
        EmailAttachment.objects.create(
            message=message,
            original_name=attachment.name[:255],
            stored_name=name,
            content_type=attachment.checked.content_type,
            size=len(attachment.checked.content),
            sha256=attachment.checked.sha256,
            scan_result=ScanResult.CLEAN,
        )
    if thread.household:
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=thread.household.number,
            obj=message,
            reason="courriel reçu",
            detail={"identified_by": identified.how, "attachments": len(stored)},
        )
    return message


def _identify(inbound: InboundEmail) -> tuple[EmailThread | None, Identified]:
    """The thread and household of a message from outside. Neither a number quoted in the text
    nor the `From` of an earlier thread identifies anyone (both are forged at will): only an
    address a single household gave the Caf does. A reply joins its thread when the thread's
    household gave that address, or, for a thread still in triage, when it comes from the same
    sender; otherwise it waits for triage."""
    owners = email_owners(inbound.sender)
    households = {known.household.pk: known for known in owners}
    thread = (
        EmailThread.objects.filter(messages__message_id__in=inbound.references)
        .select_for_update()
        .first()
        if inbound.references
        else None
    )
    if thread is not None and thread.household_id in households:
        known = households[thread.household_id]
        return thread, Identified(known.household, Identification.KNOWN_ADDRESS, known.describe())
    if (
        thread is not None
        and thread.household_id is None
        and thread.status != ThreadStatus.REJECTED
        and thread.correspondent.lower() == inbound.sender.lower()
    ):
        return thread, Identified(None, Identification.UNIDENTIFIED, "")
    if len(households) == 1:
        (known,) = households.values()
        return None, Identified(known.household, Identification.KNOWN_ADDRESS, known.describe())
    note = "adresse partagée par plusieurs foyers" if households else ""
    return None, Identified(None, Identification.UNIDENTIFIED, note)


def contact_message_send(
    *, household: Household, user: User, reason: str, subject: str, body: str
) -> EmailMessage:
    """The portal's « Écrire à la Caf »: a message from the logged-in allocataire, within a
    length limit and a per-account rate limit (French message when exceeded)."""
    subject = single_line(subject, 200)
    if not subject:
        raise ValidationError("Indiquez l'objet de votre message.")
    if not body.strip():
        raise ValidationError("Votre message est vide.")
    if len(body) > CONTACT_MAX_CHARS:
        raise ValidationError(
            f"Votre message dépasse {CONTACT_MAX_CHARS} caractères : raccourcissez-le ou "
            "envoyez un document."
        )
    now = clock.now()
    with transaction.atomic():
        # One request at a time per account, so two simultaneous posts cannot both pass the limit.
        User.objects.select_for_update().filter(pk=user.pk).first()
        sent = EmailMessage.objects.filter(source=EmailSource.PORTAL, author=user)
        for window, limit, label in CONTACT_RATE_LIMITS:
            if sent.filter(at__gt=now - window).count() >= limit:
                raise ValidationError(
                    f"Vous avez déjà envoyé {limit} messages {label} : réessayez plus tard. "
                    "En cas d'urgence, appelez le 3230."
                )
        message = email_receive(
            inbound=InboundEmail(
                sender=user.email or f"{user.username}@mon-compte.invalid",
                subject=subject,
                body=clean_text(body),
                message_id=email.utils.make_msgid(domain="mon-compte.invalid"),
                received_at=now,
            ),
            source=EmailSource.PORTAL,
            household=household,
            reason=reason,
            acting_user=user,
        )
    assert message is not None  # a fresh Message-ID is never filed already
    return message


def reply_recipient(thread: EmailThread) -> str:
    """Where an answer goes: an address the household gave the Caf — the one that identified the
    last message of the thread when it is still known, else the household's preferred one —
    never an unverified sender. Empty for a thread opened from Mon compte by a household with no
    known address: the answer is read there."""
    if thread.household is None:
        raise ValidationError(
            "Rattachez d'abord ce fil à un foyer (tri) : on ne répond pas à un expéditeur non "
            "identifié."
        )
    last = (
        thread.messages.filter(
            direction=Direction.INBOUND, identified_by=Identification.KNOWN_ADDRESS
        )
        .order_by("-at")
        .first()
    )
    owners = email_owners(last.sender) if last is not None else []
    if any(known.household.pk == thread.household_id for known in owners):
        return owners[0].address
    known = household_email(thread.household)
    if known is None and thread.messages.filter(source=EmailSource.PORTAL).exists():
        return ""
    if known is None:
        raise ValidationError(
            "Ce foyer n'a aucune adresse électronique connue : répondez par courrier ou par "
            "téléphone, ou enregistrez d'abord son adresse."
        )
    return known.address


def email_reply(*, thread: EmailThread, body: str, acting_user: User) -> EmailMessage:
    """Answer a thread: the reply is queued and sent by the task queue after commit (its delivery
    status is on the message, and the thread says « réponse en cours d'envoi » until it has left);
    every inbound message still waiting gets its answer time and its working-time delay."""
    if not body.strip():
        raise ValidationError("La réponse est vide.")
    now = clock.now()
    domain = caf_address().split("@")[-1]
    with transaction.atomic():
        thread = EmailThread.objects.select_for_update().get(pk=thread.pk)
        recipient = reply_recipient(thread)
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
            recipient=recipient,
            subject=subject[:200],
            body=body,
            at=now,
            author=acting_user,
            # A reply with no recipient is read in Mon compte only: nothing to deliver.
            status=DeliveryStatus.QUEUED if recipient else "",
            queued_at=now if recipient else None,
        )
        for message in waiting:
            message.answered_at = now
            message.response_minutes = working_minutes_between(message.at, now)
            message.save(update_fields=["answered_at", "response_minutes"])
        thread.status = ThreadStatus.SENDING if recipient else ThreadStatus.ANSWERED
        thread.save(update_fields=["status"])
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=thread.household.number if thread.household else "",
            obj=reply,
            reason="réponse à un courriel",
        )
        if recipient:
            send_after_commit(reply)
    return reply


def thread_assign(*, thread: EmailThread, team: str, acting_user: User) -> EmailThread:
    """Hand a thread to another team."""
    if team not in Team.values:
        raise ValidationError(f"Équipe inconnue « {team} ».")
    with transaction.atomic():
        thread = EmailThread.objects.select_for_update().get(pk=thread.pk)
        thread.team = team
        thread.save(update_fields=["team"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=thread.household.number if thread.household else "",
            obj=thread,
            reason="affectation d'un fil de courriels",
            detail={"team": team},
        )
    return thread


def thread_link(
    *,
    thread: EmailThread,
    household: Household,
    acting_user: User,
    sender_verified: bool = False,
    note: str = "",
) -> EmailThread:
    """Triage: an agent decides that a thread from an unidentified sender belongs to `household`
    (audited). With `sender_verified` (the agent checked with the allocataire, by phone or at the
    desk, that the address is theirs) the sender becomes a known address of the household, so
    their next messages are filed directly; otherwise answers still go only to the household's
    known address."""
    with transaction.atomic():
        thread = EmailThread.objects.select_for_update().get(pk=thread.pk)
        _check_in_triage(thread)
        now = clock.now()
        thread.household = household
        thread.triaged_at, thread.triaged_by = now, acting_user
        thread.triage_note = single_line(note, 300)
        thread.save(update_fields=["household", "triaged_at", "triaged_by", "triage_note"])
        thread.messages.filter(direction=Direction.INBOUND).update(
            identified_by=Identification.TRIAGE,
            identification_note=f"rattaché par un agent le {now:%d/%m/%Y}",
        )
        if sender_verified:
            contact_point_record(
                household=household,
                kind=ContactKind.EMAIL,
                value=thread.correspondent,
                source=ContactSource.AGENT,
                verified=True,
                acting_user=acting_user,
            )
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=household.number,
            obj=thread,
            reason="tri : fil rattaché à un foyer",
            detail={"sender": thread.correspondent, "sender_verified": sender_verified},
        )
    return thread


def thread_reject(*, thread: EmailThread, note: str, acting_user: User) -> EmailThread:
    """Triage: an agent sets aside a thread that belongs to no household (spam, misdirected);
    it leaves the queues, and stays readable."""
    note = single_line(note, 300)
    if not note:
        raise ValidationError("Indiquez pourquoi ce fil est écarté.")
    with transaction.atomic():
        thread = EmailThread.objects.select_for_update().get(pk=thread.pk)
        _check_in_triage(thread)
        thread.status = ThreadStatus.REJECTED
        thread.triaged_at, thread.triaged_by, thread.triage_note = clock.now(), acting_user, note
        thread.save(update_fields=["status", "triaged_at", "triaged_by", "triage_note"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=thread,
            reason="tri : fil écarté",
            detail={"sender": thread.correspondent},
        )
    return thread


def _check_in_triage(thread: EmailThread) -> None:
    if thread.household is not None:
        raise ValidationError(f"Ce fil est déjà rattaché au foyer {thread.household.number}.")
    if thread.status == ThreadStatus.REJECTED:
        raise ValidationError("Ce fil a déjà été écarté au tri.")

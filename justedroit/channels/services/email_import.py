"""Inbound e-mail from outside (.eml files, IMAP): sanitise and file each message, or quarantine it.

Every message is handled on its own: parsed from a file (a spool file for IMAP, so a big message is
never held whole in memory before its size is checked), every header range-checked and sanitised,
its attachments checked like uploads, then filed in its own transaction. Whatever goes wrong with
one message — a date in year 9999, an unknown charset, broken MIME, a refused attachment, a bug —
puts that message in quarantine, raw, with its reason, and the next message is processed. Limits and
windows are documented in docs/imports.md.
"""

import email.errors
import email.policy
import enum
import re
from dataclasses import dataclass, field
from email.message import EmailMessage as MimeMessage
from email.parser import BytesHeaderParser, BytesParser
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.channels import storage
from justedroit.channels.models import (
    EmailMessage,
    EmailSource,
    QuarantinedEmail,
    QuarantineStatus,
)
from justedroit.channels.services.emails import Attachment, InboundEmail, email_receive
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.imports import (
    ImportReport,
    RowError,
    clean_text,
    file_digest,
    normalized_filename,
    plausible_instant,
    printable,
    single_line,
)
from justedroit.core.models import AuditAction, User
from justedroit.registry.contacts import MAX_EMAIL_LENGTH, email_normalize

DEFAULT_MAX_EMAIL_BYTES = 25 * 1024 * 1024
MAX_HEADER_BYTES = 256 * 1024
MAX_BODY_CHARS = 500_000
MAX_PARTS = 100
MAX_ATTACHMENTS = 20
MAX_REFERENCES = 50
MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,250}>")  # printable ASCII but < > and spaces
POLICY = email.policy.default
# MIME damage after which the parts cannot be trusted to be what they claim.
SERIOUS_DEFECTS = (
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.MultipartInvariantViolationDefect,
    email.errors.InvalidBase64CharactersDefect,
    email.errors.InvalidBase64PaddingDefect,
    email.errors.InvalidBase64LengthDefect,
)


def max_email_bytes() -> int:
    return int(getattr(settings, "CHANNELS_EMAIL_MAX_BYTES", DEFAULT_MAX_EMAIL_BYTES))


@dataclass(frozen=True)
class ParsedEmail:
    inbound: InboundEmail
    attachments: tuple[Attachment, ...]
    # Attachments refused, kept out only when an agent releases the message without them.
    refused_attachments: tuple[str, ...] = field(default=())


class Outcome(enum.Enum):
    FILED = "filed"
    ALREADY_FILED = "already_filed"
    QUARANTINED = "quarantined"
    ALREADY_QUARANTINED = "already_quarantined"


# ---- parsing -----------------------------------------------------------------------------------
def _refuse(message: str) -> ValidationError:
    return ValidationError(message)


def _header(message, name: str):
    """A header as the parser understood it; a French refusal when it cannot be read (a few
    malformed headers make the standard library raise)."""
    try:
        values = message.get_all(name) or []
        if len(values) > 1 and name in ("From", "Date", "Subject", "Message-ID"):
            raise _refuse(f"en-tête « {name} » présent {len(values)} fois.")
        return values[0] if values else None
    except ValidationError:
        raise
    except Exception:
        raise _refuse(f"en-tête « {name} » illisible.") from None


def _sender(message) -> str:
    header = _header(message, "From")
    if header is None:
        raise _refuse("courriel sans expéditeur (From).")
    try:
        addresses = [address.addr_spec for address in header.addresses]
    except Exception:
        addresses = []
    if len(addresses) != 1:
        raise _refuse("l'en-tête From doit contenir exactement une adresse.")
    address = addresses[0]
    if len(address) > MAX_EMAIL_LENGTH:
        raise _refuse(
            f"adresse de l'expéditeur trop longue ({len(address)} caractères, "
            f"{MAX_EMAIL_LENGTH} au plus)."
        )
    try:
        return email_normalize(address)
    except ValidationError:
        raise _refuse(f"adresse de l'expéditeur invalide « {printable(address)} ».") from None


def _received_at(message):
    header = _header(message, "Date")
    if header is None:
        return clock.now()  # no date given: the instant it reaches us
    instant = getattr(header, "datetime", None)
    if instant is None:
        raise _refuse(f"date illisible « {printable(header)} ».")
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=clock.PARIS)
    try:
        return plausible_instant(instant)
    except ValueError as error:
        raise _refuse(f"date « {printable(header)} » : {error}.") from None


def _message_id(message, sha256: str) -> str:
    header = _header(message, "Message-ID")
    found = MESSAGE_ID.fullmatch(str(header).strip()) if header is not None else None
    # Missing or unusable: one derived from the raw message, so a re-import still adds nothing.
    return found.group(0) if found else f"<sha256-{sha256}@justedroit.invalid>"


def _references(message) -> list[str]:
    found: list[str] = []
    for name in ("In-Reply-To", "References"):
        header = _header(message, name)
        if header is not None:
            found += MESSAGE_ID.findall(str(header))
    return found[-MAX_REFERENCES:]


def _text_of(part) -> str:
    try:
        content = part.get_content()
    except LookupError:
        raise _refuse(
            f"jeu de caractères inconnu « {printable(part.get_content_charset())} »."
        ) from None
    except Exception:
        raise _refuse("texte du message illisible (encodage invalide).") from None
    if not isinstance(content, str):
        raise _refuse("texte du message illisible.")
    return content


def _is_text_of_body(part) -> bool:
    return (
        part.get_content_type() in ("text/plain", "text/html")
        and part.get_content_disposition() != "attachment"
        and not part.get_filename()
    )


def _leaves(message) -> list:
    parts = [part for part in message.walk() if not part.is_multipart()]
    defects = [d for part in message.walk() for d in part.defects]
    if len(parts) > MAX_PARTS:
        raise _refuse(f"trop de parties MIME ({len(parts)}, {MAX_PARTS} au plus).")
    serious = [d for d in defects if isinstance(d, SERIOUS_DEFECTS)]
    if serious:
        raise _refuse(f"structure MIME invalide ({type(serious[0]).__name__}).")
    return parts


def _attachment(part, number: int) -> Attachment:
    """A part as an attachment checked like an upload; a French refusal naming the file."""
    try:
        name = normalized_filename(part.get_filename() or "")
    except Exception:
        name = ""
    name = name if name != "sans-nom" and name else f"piece-jointe-{number}"
    content = part.get_payload(decode=True) or b""
    # Decoding records broken base64 as defects and returns what it could: a truncated file.
    if any(isinstance(d, SERIOUS_DEFECTS) for d in part.defects):
        raise _refuse(f"pièce jointe « {name} » : encodage base64 invalide.")
    try:
        return Attachment(name, storage.check_upload(content))
    except ValidationError as error:
        raise _refuse(f"pièce jointe « {name} » : {' '.join(error.messages)}") from None


def _body_and_attachments(message, strict: bool) -> tuple[str, list[Attachment], list[str]]:
    leaves = _leaves(message)
    body_part = message.get_body(preferencelist=("plain", "html"))
    texts = [_text_of(body_part)] if body_part is not None else []
    attachments: list[Attachment] = []
    refused: list[str] = []
    for part in leaves:
        if part is body_part:
            continue
        if _is_text_of_body(part):
            if part.get_content_type() == "text/plain":  # a second text part: kept with the body
                texts.append(_text_of(part))
            continue
        try:
            attachments.append(_attachment(part, len(attachments) + len(refused) + 1))
        except ValidationError as error:
            if strict:
                raise
            refused.append(" ".join(error.messages))
    if len(attachments) > MAX_ATTACHMENTS:
        raise _refuse(f"trop de pièces jointes ({len(attachments)}, {MAX_ATTACHMENTS} au plus).")
    body = clean_text("\n\n".join(texts)).strip()
    if len(body) > MAX_BODY_CHARS:
        raise _refuse(f"texte trop long ({len(body)} caractères, {MAX_BODY_CHARS} au plus).")
    return body, attachments, refused


def email_parse(path: Path, sha256: str, *, strict: bool = True) -> ParsedEmail:
    """A raw message (RFC 5322) from a file → its sanitised content; a French ValidationError
    when it cannot be filed as it is. With `strict=False`, refused attachments are listed in
    `refused_attachments` instead of refusing the message (an agent's decision)."""
    size = path.stat().st_size
    if size > max_email_bytes():
        raise _refuse(
            f"courriel trop volumineux ({size / 1048576:.1f} Mo, "
            f"{max_email_bytes() // 1048576} Mo au plus)."
        )
    if _header_block(path) is None:
        raise _refuse(f"en-têtes illisibles ou trop longs ({MAX_HEADER_BYTES // 1024} Ko au plus).")
    try:
        with open(path, "rb") as handle:
            message: MimeMessage = BytesParser(policy=POLICY).parse(handle)
        body, attachments, refused = _body_and_attachments(message, strict)
    except RecursionError:  # the standard parser recurses once per nesting level
        raise _refuse("structure MIME trop imbriquée.") from None
    sender = _sender(message)
    subject = _header(message, "Subject")
    inbound = InboundEmail(
        sender=sender,
        subject=single_line(str(subject or ""), 200) or "(sans objet)",
        body=body,
        message_id=_message_id(message, sha256),
        received_at=_received_at(message),
        references=_references(message),
        raw_sha256=sha256,
    )
    return ParsedEmail(inbound, tuple(attachments), tuple(refused))


def _header_block(path: Path) -> bytes | None:
    """The raw header block (up to the first empty line), None when longer than the limit."""
    with open(path, "rb") as handle:
        head = handle.read(MAX_HEADER_BYTES + 4)
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = head.find(separator)
        if end >= 0:
            return head[: end + len(separator)]
    return head if len(head) <= MAX_HEADER_BYTES else None


def headers_peek(path: Path) -> tuple[str, str]:
    """Best-effort sender and subject of any raw message, sanitised, for the quarantine list."""
    try:
        block = _header_block(path) or b""
        message = BytesHeaderParser(policy=POLICY).parsebytes(block[:MAX_HEADER_BYTES])
        sender = str(message.get("From", ""))
        subject = str(message.get("Subject", ""))
    except Exception:  # this message is already refused; its headers are only a hint
        return "", ""
    return single_line(sender, 254), single_line(subject, 200)


# ---- filing or quarantine ----------------------------------------------------------------------
def email_import_file(
    *,
    path: Path,
    label: str,
    report: ImportReport,
    acting_user: User | None,
    move: bool = False,
    durable: bool = False,
) -> Outcome:
    """File one raw message, or quarantine it; never raises for a bad message. `move` for a
    spool file (kept by renaming), copy otherwise. `durable` makes each commit real (IMAP: the
    server is told only after it), refusing to run inside a caller's transaction."""
    report.read += 1
    sha256, size = file_digest(path)
    if EmailMessage.objects.filter(raw_sha256=sha256).exists():
        report.already_there += 1
        return Outcome.ALREADY_FILED
    held = QuarantinedEmail.objects.filter(sha256=sha256).first()
    if held is not None:
        report.refused.append(
            RowError(label, f"déjà en quarantaine (n° {held.pk}) : {held.reason}")
        )
        return Outcome.ALREADY_QUARANTINED
    try:
        parsed = email_parse(path, sha256)
        with transaction.atomic(durable=durable):
            message = email_receive(
                inbound=parsed.inbound,
                attachments=parsed.attachments,
                source=EmailSource.MAILBOX,
                acting_user=acting_user,
            )
    except Exception as error:
        item = _quarantine(path, sha256, size, label, error, move=move, durable=durable)
        report.refused.append(RowError(label, f"mis en quarantaine (n° {item.pk}) : {item.reason}"))
        return Outcome.QUARANTINED
    if message is None:
        report.already_there += 1
        return Outcome.ALREADY_FILED
    report.created += 1
    return Outcome.FILED


def _reason(error: Exception) -> tuple[str, str]:
    """The French reason shown to agents, and the technical detail for the administrator."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)[:500], ""
    return (
        "erreur inattendue pendant le classement : le message est gardé pour examen.",
        printable(f"{type(error).__name__}: {error}", 1900),
    )


def _quarantine(
    path: Path, sha256: str, size: int, label: str, error: Exception, *, move: bool, durable: bool
) -> QuarantinedEmail:
    reason, detail = _reason(error)
    sender, subject = headers_peek(path)
    name = storage.quarantine_keep(path, move=move)
    try:
        with transaction.atomic(durable=durable):
            item = QuarantinedEmail.objects.create(
                label=single_line(label, 300),
                received_at=clock.now(),
                sha256=sha256,
                size=size,
                stored_name=name,
                sender=sender,
                subject=subject,
                reason=reason,
                detail=detail,
            )
            audit_record(
                actor=None, action=AuditAction.CREATE, obj=item, reason="courriel en quarantaine"
            )
    except BaseException:
        if move:  # give the spool file back so the caller keeps the message
            storage.quarantine_path(name).replace(path)
        else:
            storage.quarantine_path(name).unlink(missing_ok=True)
        raise
    return item


def quarantine_retry(
    *, item: QuarantinedEmail, acting_user: User, without_refused_attachments: bool = False
) -> EmailMessage:
    """An agent tries again to file a quarantined message (once its cause is fixed: scanner back,
    configuration changed), or files it without the attachments that were refused (they stay in
    the raw message, kept here, and the message says so). A French error when it still fails."""
    with transaction.atomic():  # commits the failed attempt too: it is part of the record
        item = QuarantinedEmail.objects.select_for_update().get(pk=item.pk)
        if item.status != QuarantineStatus.PENDING:
            raise ValidationError("Ce courriel n'est plus en attente d'examen.")
        path = storage.quarantine_path(item.stored_name)
        try:
            with transaction.atomic():
                parsed = email_parse(path, item.sha256, strict=not without_refused_attachments)
                message = email_receive(
                    inbound=_with_note(parsed, item),
                    attachments=parsed.attachments,
                    source=EmailSource.MAILBOX,
                    acting_user=acting_user,
                )
        except Exception as error:
            item.reason, item.detail = _reason(error)
            item.attempts += 1
            item.save(update_fields=["reason", "detail", "attempts"])
            audit_record(
                actor=acting_user,
                action=AuditAction.UPDATE,
                obj=item,
                reason="quarantaine : nouvel essai en échec",
            )
        else:
            if message is None:
                message = EmailMessage.objects.get(message_id=parsed.inbound.message_id)
            item.status, item.message = QuarantineStatus.RELEASED, message
            item.handled_at, item.handled_by = clock.now(), acting_user
            item.attempts += 1
            item.save()
            audit_record(
                actor=acting_user,
                action=AuditAction.UPDATE,
                household_number=message.thread.household.number
                if message.thread.household
                else "",
                obj=item,
                reason="quarantaine : courriel classé",
                detail={"without_refused_attachments": without_refused_attachments},
            )
            return message
    raise ValidationError(f"Nouvel essai en échec : {item.reason}")


def _with_note(parsed: ParsedEmail, item: QuarantinedEmail) -> InboundEmail:
    if not parsed.refused_attachments:
        return parsed.inbound
    note = "\n".join(
        [f"[Classé par un agent depuis la quarantaine n° {item.pk}, sans ces pièces jointes :"]
        + [f"- {reason}" for reason in parsed.refused_attachments]
        + ["Le message d'origine complet reste conservé en quarantaine.]"]
    )
    inbound = parsed.inbound
    return InboundEmail(
        sender=inbound.sender,
        subject=inbound.subject,
        body=f"{inbound.body}\n\n{note}",
        message_id=inbound.message_id,
        received_at=inbound.received_at,
        references=inbound.references,
        raw_sha256=inbound.raw_sha256,
    )


def quarantine_discard(*, item: QuarantinedEmail, note: str, acting_user: User) -> None:
    """An agent sets a quarantined message aside for good (spam, virus, duplicate), with why."""
    note = single_line(note, 300)
    if not note:
        raise ValidationError("Indiquez pourquoi ce courriel est écarté.")
    with transaction.atomic():
        item = QuarantinedEmail.objects.select_for_update().get(pk=item.pk)
        if item.status != QuarantineStatus.PENDING:
            raise ValidationError("Ce courriel n'est plus en attente d'examen.")
        item.status, item.handling_note = QuarantineStatus.DISCARDED, note
        item.handled_at, item.handled_by = clock.now(), acting_user
        item.save(update_fields=["status", "handling_note", "handled_at", "handled_by"])
        audit_record(
            actor=acting_user, action=AuditAction.UPDATE, obj=item, reason="quarantaine : écarté"
        )

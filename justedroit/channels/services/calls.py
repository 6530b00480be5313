"""Telephony: the call platform's CSV export, call-back requests."""

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.channels.models import (
    Call,
    CallbackRequest,
    CallbackStatus,
    CallOutcome,
    CallQueue,
    ContactReason,
)
from justedroit.channels.services.common import ImportReport
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.registry.models import Household

CSV_COLUMNS = (
    "identifiant",
    "file",
    "debut",
    "issue",
    "attente_s",
    "conversation_s",
    "numero_appelant",
    "numero_allocataire",
    "motif",
)
OUTCOMES = {
    "decroche": CallOutcome.ANSWERED,
    "décroché": CallOutcome.ANSWERED,
    "answered": CallOutcome.ANSWERED,
    "abandonne": CallOutcome.ABANDONED,
    "abandonné": CallOutcome.ABANDONED,
    "abandoned": CallOutcome.ABANDONED,
}


@dataclass(frozen=True)
class CallRow:
    line: int
    call_id: str
    queue: str
    offered_at: dt.datetime
    outcome: str
    wait_seconds: int
    talk_seconds: int
    caller_number: str
    household_number: str
    reason: str


def phone_normalize(text: str) -> str:
    """A French or international number in E.164; a French message when it is not valid."""
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(f"Numéro de téléphone invalide « {text} ».")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_calls_csv(text: str, report: ImportReport) -> list[CallRow]:
    """Rows of the platform's export (`;`-separated, header CSV_COLUMNS, times in Paris time).
    Bad rows go to `report.errors` with their line number; the others are returned."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(f"Ligne 1 : colonnes manquantes : {', '.join(missing)}.")
        return []
    rows, seen = [], {}
    for line, record in enumerate(reader, start=2):
        try:
            row = _call_row(line, record)
        except ValidationError as error:
            report.errors.append(f"Ligne {line} : {' '.join(error.messages)}")
            continue
        if row.call_id in seen:
            report.errors.append(
                f"Ligne {line} : l'identifiant {row.call_id} figure déjà ligne {seen[row.call_id]}."
            )
            continue
        seen[row.call_id] = line
        rows.append(row)
    return rows


def _call_row(line: int, record: dict) -> CallRow:
    if None in record or any(record.get(c) is None for c in CSV_COLUMNS):
        raise ValidationError("nombre de colonnes incorrect.")
    value = {key: (record[key] or "").strip() for key in CSV_COLUMNS}
    if not value["identifiant"] or len(value["identifiant"]) > 64:
        raise ValidationError("identifiant d'appel manquant ou trop long.")
    if value["file"] not in CallQueue.values:
        raise ValidationError(
            f"file inconnue « {value['file']} » (attendu : {', '.join(CallQueue.values)})."
        )
    try:
        offered = dt.datetime.fromisoformat(value["debut"])
    except ValueError:
        raise ValidationError(
            f"date invalide « {value['debut']} » : format attendu AAAA-MM-JJ HH:MM:SS."
        ) from None
    if offered.tzinfo is None:
        offered = offered.replace(tzinfo=clock.PARIS)
    outcome = OUTCOMES.get(value["issue"].lower())
    if outcome is None:
        raise ValidationError(f"issue inconnue « {value['issue']} » (décroché ou abandonné).")
    wait, talk = _seconds(value["attente_s"], "attente"), _seconds(value["conversation_s"], "durée")
    if outcome == CallOutcome.ABANDONED and talk:
        raise ValidationError("un appel abandonné n'a pas de durée de conversation.")
    phone = phone_normalize(value["numero_appelant"]) if value["numero_appelant"] else ""
    if value["numero_allocataire"] and not (
        len(value["numero_allocataire"]) == 7 and value["numero_allocataire"].isdigit()
    ):
        raise ValidationError("le numéro allocataire compte 7 chiffres.")
    if value["motif"] and value["motif"] not in ContactReason.values:
        raise ValidationError(
            f"motif inconnu « {value['motif']} » (attendu : {', '.join(ContactReason.values)})."
        )
    return CallRow(
        line,
        value["identifiant"],
        value["file"],
        offered,
        outcome,
        wait,
        talk,
        phone,
        value["numero_allocataire"],
        value["motif"],
    )


def _seconds(text: str, what: str) -> int:
    if not text.isdigit():
        raise ValidationError(f"{what} invalide « {text} » : un nombre entier de secondes.")
    return int(text)


def calls_import(
    *,
    rows: list[CallRow],
    report: ImportReport,
    acting_user: User | None,
    progress: Callable[[int], None] = lambda done: None,
    chunk: int = 2000,
) -> ImportReport:
    """Store the valid rows; a call already imported (same platform identifier) is skipped."""
    numbers = {row.household_number for row in rows if row.household_number}
    households = {h.number: h for h in Household.objects.filter(number__in=numbers)}
    now = clock.now()
    with transaction.atomic():
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            existing = set(
                Call.objects.filter(call_id__in=[r.call_id for r in part]).values_list(
                    "call_id", flat=True
                )
            )
            for row in part:
                if row.call_id in existing:
                    report.already_there += 1
                    continue
                household = households.get(row.household_number)
                if row.household_number and household is None:
                    report.warnings.append(
                        f"Ligne {row.line} : numéro allocataire {row.household_number} inconnu, "
                        "appel gardé sans foyer."
                    )
                call = Call.objects.create(
                    call_id=row.call_id,
                    queue=row.queue,
                    offered_at=row.offered_at,
                    outcome=row.outcome,
                    wait_seconds=row.wait_seconds,
                    talk_seconds=row.talk_seconds,
                    caller_number=row.caller_number,
                    household=household,
                    reason=row.reason,
                    imported_at=now,
                )
                if household is not None:
                    audit_record(
                        actor=acting_user,
                        action=AuditAction.CREATE,
                        household_number=household.number,
                        obj=call,
                        reason="import téléphonie",
                    )
                report.created += 1
            progress(min(start + chunk, len(rows)))
    return report


def callback_request_create(
    *,
    phone: str,
    reason: str,
    acting_user: User | None,
    household: Household | None = None,
    call: Call | None = None,
    note: str = "",
) -> CallbackRequest:
    if reason not in ContactReason.values:
        raise ValidationError(f"Motif inconnu « {reason} ».")
    number = phone_normalize(phone)
    with transaction.atomic():
        callback = CallbackRequest(
            household=household,
            call=call,
            phone=number,
            reason=reason,
            requested_at=clock.now(),
            note=note[:300],
        )
        callback.full_clean()
        callback.save()
        if household is not None:
            audit_record(
                actor=acting_user,
                action=AuditAction.CREATE,
                household_number=household.number,
                obj=callback,
                reason="demande de rappel",
            )
    return callback


def callback_request_complete(
    *, callback: CallbackRequest, acting_user: User, note: str = ""
) -> CallbackRequest:
    with transaction.atomic():
        locked = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
        if locked.status == CallbackStatus.DONE:
            raise ValidationError("Ce rappel est déjà fait.")
        locked.status = CallbackStatus.DONE
        locked.done_at = clock.now()
        locked.done_by = acting_user
        if note:
            locked.note = note[:300]
        locked.save()
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=locked.household.number if locked.household else "",
            obj=locked,
            reason="rappel effectué",
        )
    return locked

"""Telephony: the call platform's CSV export (a `core.imports` format), call-back requests."""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pydantic
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
from justedroit.core import clock, imports
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, ImportJournal, User
from justedroit.core.phones import phone_normalize
from justedroit.registry.models import Household

OUTCOME_SPELLINGS = {
    "decroche": CallOutcome.ANSWERED,
    "décroché": CallOutcome.ANSWERED,
    "abandonne": CallOutcome.ABANDONED,
    "abandonné": CallOutcome.ABANDONED,
}
MAX_SECONDS = 24 * 3600  # no wait nor conversation lasts a day


def _phone(value: str) -> str:
    try:
        return phone_normalize(value) if value else ""
    except ValidationError:
        raise ValueError("numéro de téléphone invalide") from None


def _household_number(value: str) -> str:
    if value and not (len(value) == 7 and value.isascii() and value.isdigit()):
        raise ValueError("le numéro allocataire compte 7 chiffres")
    return value


class CallRecord(pydantic.BaseModel):
    """One row of the platform's export (`;`-separated, UTF-8, times in Paris time unless an
    offset is given). Column names are the field names."""

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    identifiant: imports.text(64)
    file: imports.choice(CallQueue.values)
    debut: imports.Instant
    issue: imports.choice(CallOutcome.values, aliases=OUTCOME_SPELLINGS)
    attente_s: imports.integer(ge=0, le=MAX_SECONDS)
    conversation_s: imports.integer(ge=0, le=MAX_SECONDS)
    numero_appelant: Annotated[imports.text(30, required=False), pydantic.AfterValidator(_phone)]
    numero_allocataire: Annotated[
        imports.text(30, required=False), pydantic.AfterValidator(_household_number)
    ]
    motif: imports.choice(ContactReason.values, required=False)

    @pydantic.model_validator(mode="after")
    def abandoned_has_no_talk(self):
        if self.issue == CallOutcome.ABANDONED and self.conversation_s:
            raise ValueError("un appel abandonné n'a pas de durée de conversation")
        return self


class CallsCsv(imports.CsvFormat[CallRecord, Call]):
    """The telephony platform's export of calls offered to the 3230."""

    kind = "appels"
    label = "export des appels de la plateforme téléphonique"
    schema = CallRecord

    def key(self, row: CallRecord) -> str:
        return row.identifiant

    def prepare(self, rows: list[CallRecord]) -> tuple[set[str], dict[str, Household]]:
        existing = set(
            Call.objects.filter(call_id__in=[r.identifiant for r in rows]).values_list(
                "call_id", flat=True
            )
        )
        numbers = {r.numero_allocataire for r in rows if r.numero_allocataire}
        return existing, {h.number: h for h in Household.objects.filter(number__in=numbers)}

    def build(self, context, line, row: CallRecord, report) -> Call | None:
        existing, households = context
        if row.identifiant in existing:
            return None
        household = households.get(row.numero_allocataire)
        if row.numero_allocataire and household is None:
            report.warnings.append(
                f"Ligne {line} : numéro allocataire {row.numero_allocataire} inconnu, "
                "appel gardé sans foyer."
            )
        return Call(
            call_id=row.identifiant,
            queue=row.file,
            offered_at=row.debut,
            outcome=row.issue,
            wait_seconds=row.attente_s,
            talk_seconds=row.conversation_s,
            caller_number=row.numero_appelant,
            household=household,
            reason=row.motif,
            imported_at=clock.now(),
        )

    def recorded(self, call: Call, acting_user) -> None:
        if call.household is not None:
            audit_record(
                actor=acting_user,
                action=AuditAction.CREATE,
                household_number=call.household.number,
                obj=call,
                reason="import téléphonie",
            )


def calls_import(
    *,
    path: Path,
    acting_user: User | None,
    progress: Callable[[int], None] = lambda done: None,
) -> tuple[ImportJournal, imports.ImportReport]:
    """Import the platform's CSV export: the file refused whole (`FileRefused`) or row by row;
    a call already imported (same platform identifier) is skipped."""
    return imports.csv_import(fmt=CallsCsv(), path=path, acting_user=acting_user, progress=progress)


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

"""Documents: online upload, paper scan, structured declarations routed to automatic processing,
manual queue for case workers."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.channels import storage
from justedroit.channels.models import (
    Document,
    DocumentChannel,
    DocumentKind,
    Outcome,
    Procedure,
    ProcedureChannel,
    ProcedureKind,
    Routing,
    ScanResult,
)
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.registry.facts import RESOURCE_KINDS
from justedroit.registry.models import ActKind, Fact, FactSource, Household, Person
from justedroit.registry.services import fact_record, processing_act_record


@dataclass(frozen=True)
class DeclarationLine:
    person_id: int
    kind: str  # one of registry.facts.RESOURCE_KINDS
    month: dt.date
    amount: Decimal

    def as_json(self) -> dict:
        return {
            "person_id": self.person_id,
            "kind": self.kind,
            "month": f"{self.month:%Y-%m}",
            "amount": str(self.amount),
        }


def _lines(payload: dict) -> list[DeclarationLine]:
    return [
        DeclarationLine(
            line["person_id"],
            line["kind"],
            clock.parse_month(line["month"]),
            Decimal(line["amount"]),
        )
        for line in payload.get("lines", [])
    ]


def _file_document(
    *,
    household: Household,
    kind: str,
    channel: str,
    filename: str,
    content: bytes,
    acting_user: User | None,
) -> Document:
    if kind not in DocumentKind.values or kind == DocumentKind.RESOURCES_DECLARATION:
        raise ValidationError("Choisissez le type de document.")
    checked = storage.check_upload(content)
    storage.virus_scanner().scan(checked.content)
    name = storage.store(checked.content)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                household=household,
                channel=channel,
                kind=kind,
                routing=Routing.MANUAL,
                received_at=clock.now(),
                original_name=filename[:255],
                stored_name=name,
                content_type=checked.content_type,
                size=len(checked.content),
                sha256=checked.sha256,
                scan_result=ScanResult.CLEAN,
                submitted_by=acting_user,
            )
            audit_record(
                actor=acting_user,
                action=AuditAction.CREATE,
                household_number=household.number,
                obj=document,
                reason="document reçu en ligne" if channel == "online" else "document papier",
                detail={"kind": kind, "size": len(checked.content)},
            )
    except Exception:
        storage.remove(name)
        raise
    return document


def document_upload(
    *, household: Household, kind: str, filename: str, content: bytes, acting_user: User | None
) -> Document:
    """« Transmettre un document »: checked by content, scanned, stored, queued for a case
    worker."""
    return _file_document(
        household=household,
        kind=kind,
        channel=DocumentChannel.ONLINE,
        filename=filename,
        content=content,
        acting_user=acting_user,
    )


def document_register_paper(
    *, household: Household, kind: str, filename: str, content: bytes, acting_user: User
) -> Document:
    """A paper document scanned at the Caf: the same object, channel « papier »."""
    return _file_document(
        household=household,
        kind=kind,
        channel=DocumentChannel.PAPER,
        filename=filename,
        content=content,
        acting_user=acting_user,
    )


def _integrate(document: Document, acting_user: User | None) -> list[Fact]:
    """The rule for a structured resources declaration: one fact per line, source « déclaration
    de l'allocataire », valid for its month. Raises ValidationError when a line does not fit."""
    lines = _lines(document.payload)
    if not lines:
        raise ValidationError("La déclaration ne contient aucune ressource.")
    persons = {p.pk: p for p in Person.objects.filter(pk__in={line.person_id for line in lines})}
    if unknown := {line.kind for line in lines} - set(RESOURCE_KINDS):
        raise ValidationError(f"Ressource inconnue « {min(unknown)} ».")
    return [
        fact_record(
            household=document.household,
            person=persons.get(line.person_id),
            kind=line.kind,
            valid_from=line.month,
            valid_until=clock.add_months(line.month, 1),
            amount=line.amount,
            source=FactSource.DECLARATION,
            acting_user=acting_user,
            reason=f"déclaration de ressources (document {document.pk})",
        )
        for line in lines
    ]


def resources_declaration_submit(
    *,
    household: Household,
    lines: list[DeclarationLine],
    acting_user: User | None,
) -> Document:
    """The online quarterly declaration: recorded as an online procedure and a structured
    document, integrated automatically into the registry when every line fits; otherwise the
    document goes to the case workers' queue with the reason."""
    if not lines:
        raise ValidationError("Déclarez au moins une ressource (0 si aucune).")
    members = set(household.memberships.values_list("person_id", flat=True))
    for line in lines:
        if line.person_id not in members:
            raise ValidationError("Cette personne n'est pas membre du foyer.")
        if line.amount < 0:
            raise ValidationError("Un montant ne peut pas être négatif.")
    now = clock.now()
    with transaction.atomic():
        document = Document.objects.create(
            household=household,
            channel=DocumentChannel.ONLINE,
            kind=DocumentKind.RESOURCES_DECLARATION,
            routing=Routing.AUTOMATIC,
            received_at=now,
            scan_result=ScanResult.NOT_SCANNED,
            payload={"lines": [line.as_json() for line in lines]},
            submitted_by=acting_user,
        )
        Procedure.objects.create(
            household=household,
            kind=ProcedureKind.RESOURCES_DECLARATION,
            channel=ProcedureChannel.ONLINE,
            submitted_at=now,
            recorded_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=household.number,
            obj=document,
            reason="déclaration de ressources en ligne",
            detail={"lines": len(lines)},
        )
        try:
            with transaction.atomic():
                _integrate(document, acting_user)
        except ValidationError as error:
            document.routing = Routing.MANUAL
            document.note = f"Intégration automatique impossible : {' '.join(error.messages)}"[:300]
            document.save(update_fields=["routing", "note"])
        else:
            document.processed_at = now
            document.outcome = Outcome.INTEGRATED
            document.save(update_fields=["processed_at", "outcome"])
    return document


def document_process(
    *, document: Document, outcome: str, acting_user: User, note: str = ""
) -> Document:
    """A case worker closes a document of the manual queue. Accepting a structured declaration
    integrates its lines into the registry."""
    if outcome not in (Outcome.ACCEPTED, Outcome.REJECTED):
        raise ValidationError("Choisissez « pris en compte » ou « refusé ».")
    if outcome == Outcome.REJECTED and not note.strip():
        raise ValidationError("Indiquez pourquoi le document est refusé.")
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.processed_at is not None:
            raise ValidationError("Ce document est déjà traité.")
        if document.routing != Routing.MANUAL:
            raise ValidationError("Ce document est traité automatiquement.")
        facts = []
        if outcome == Outcome.ACCEPTED and document.payload.get("lines"):
            facts = _integrate(document, acting_user)
        document.processed_at = clock.now()
        document.outcome = outcome
        document.processed_by = acting_user
        document.note = note[:300] or document.note
        document.save(update_fields=["processed_at", "outcome", "processed_by", "note"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=document.household.number,
            obj=document,
            reason="document traité",
            detail={"outcome": outcome},
        )
        processing_act_record(
            kind=ActKind.DOCUMENT_PROCESSED,
            agent=acting_user,
            household=document.household,
            facts=facts,
            obj=document,
        )
    return document

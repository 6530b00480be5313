"""Controls on documents: the request (art. L583-3 CSS), its reminder, the suspension of payment
when nothing arrives by the deadline, and the documents received through the channels."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.channels.models import Document, DocumentKind
from justedroit.controls import parameters
from justedroit.controls.models import (
    Control,
    ControlKind,
    ControlStatus,
    DocumentRequest,
    EventKind,
    ReceivedDocument,
)
from justedroit.controls.services.common import event_record, locked
from justedroit.core import clock
from justedroit.core.models import User

REQUESTABLE = [k for k in DocumentKind.values if k != DocumentKind.RESOURCES_DECLARATION]
WAITING = (ControlStatus.DOCUMENTS_REQUESTED, ControlStatus.PAYMENT_SUSPENDED)


def document_request_send(
    *,
    control: Control,
    documents: list[str],
    message: str,
    deadline: dt.date | None,
    acting_user: User | None,
) -> DocumentRequest:
    """Ask the allocataire for documents by `deadline` (default: in `DOCUMENT_DELAY_DAYS`)."""
    if not documents or any(kind not in REQUESTABLE for kind in documents):
        raise ValidationError("Choisissez les pièces à demander.")
    today = clock.today()
    deadline = deadline or today + dt.timedelta(days=parameters.DOCUMENT_DELAY_DAYS)
    if deadline <= today + dt.timedelta(days=parameters.REMINDER_DAYS_BEFORE):
        raise ValidationError(
            f"Laissez à l'allocataire plus de {parameters.REMINDER_DAYS_BEFORE} jours "
            "pour répondre."
        )
    with transaction.atomic():
        control = locked(control)
        if control.kind == ControlKind.AUTOMATED:
            raise ValidationError("Un contrôle automatisé ne demande pas de pièces.")
        request = DocumentRequest.objects.create(
            control=control,
            documents=sorted(set(documents)),
            message=message.strip(),
            sent_at=clock.now(),
            deadline=deadline,
            sent_by=acting_user,
        )
        control.status, control.deadline = ControlStatus.DOCUMENTS_REQUESTED, deadline
        control.save(update_fields=["status", "deadline"])
        event_record(
            control,
            EventKind.DOCUMENTS_REQUESTED,
            acting_user,
            note=parameters.REQUEST_NOTICE.format(deadline=f"{deadline:%d/%m/%Y}"),
            detail={"request": request.pk, "documents": request.documents},
        )
    return request


def control_deadlines_apply(*, today: dt.date, acting_user: User | None) -> dict:
    """The day's deadlines: a reminder `REMINDER_DAYS_BEFORE` days before a request's deadline,
    the suspension of payment (with its legal notice) the day after a deadline passed with no
    document received. Each happens once: running the day again does nothing more."""
    reminders = suspensions = 0
    waiting = DocumentRequest.objects.filter(
        control__status=ControlStatus.DOCUMENTS_REQUESTED, received__isnull=True
    )
    due = waiting.filter(
        reminder_sent_at__isnull=True,
        deadline__lte=today + dt.timedelta(days=parameters.REMINDER_DAYS_BEFORE),
        deadline__gte=today,
    )
    for request in due.select_related("control__household").order_by("pk"):
        with transaction.atomic():
            request.reminder_sent_at = clock.now()
            request.save(update_fields=["reminder_sent_at"])
            event_record(
                request.control,
                EventKind.REMINDER_SENT,
                acting_user,
                note=parameters.REQUEST_NOTICE.format(deadline=f"{request.deadline:%d/%m/%Y}"),
                detail={"request": request.pk},
            )
        reminders += 1
    late = (
        waiting.filter(deadline__lt=today)
        .order_by("control_id")
        .values_list("control_id", flat=True)
        .distinct()
    )
    for control_id in list(late):
        with transaction.atomic():
            control = locked(Control(pk=control_id))
            if control.status != ControlStatus.DOCUMENTS_REQUESTED:
                continue
            control.status, control.suspended_at = ControlStatus.PAYMENT_SUSPENDED, clock.now()
            control.suspension_lifted_at = None
            control.save(update_fields=["status", "suspended_at", "suspension_lifted_at"])
            event_record(
                control, EventKind.PAYMENT_SUSPENDED, acting_user, note=parameters.SUSPENSION_NOTICE
            )
        suspensions += 1
    return {"reminders": reminders, "suspensions": suspensions}


def document_receive(
    *, request: DocumentRequest, document: Document, acting_user: User | None
) -> ReceivedDocument:
    """A document received through the channels answers a request: linked to it, and the
    suspension of payment, if any, is lifted."""
    with transaction.atomic():
        control = locked(request.control)
        if document.household_id != control.household_id:
            raise ValidationError("Ce document n'appartient pas au foyer contrôlé.")
        if ReceivedDocument.objects.filter(request=request, document=document).exists():
            raise ValidationError("Ce document est déjà rattaché à cette demande.")
        received = ReceivedDocument.objects.create(
            request=request, document=document, linked_at=clock.now(), linked_by=acting_user
        )
        fields = []
        if control.status in WAITING:
            control.status = ControlStatus.DOCUMENTS_RECEIVED
            fields.append("status")
        if control.suspended_at is not None and control.suspension_lifted_at is None:
            control.suspension_lifted_at = clock.now()
            fields.append("suspension_lifted_at")
        if fields:
            control.save(update_fields=fields)
        event_record(
            control,
            EventKind.DOCUMENT_RECEIVED,
            acting_user,
            note=f"{document.get_kind_display()} ({document.get_channel_display().lower()})",
            detail={"request": request.pk, "document": document.pk},
        )
        if "suspension_lifted_at" in fields:
            event_record(control, EventKind.SUSPENSION_LIFTED, acting_user)
    return received

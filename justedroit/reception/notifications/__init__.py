"""Appointment notifications: confirmation, change, cancellation and the 48 h reminder, by SMS and
email. Rows are written in the booking's transaction (status « en file d'envoi ») and sent by the
task queue once it commits (`reception/tasks.py`, `core/sending.py`): each row keeps its delivery
status, attempts and last error. A reminder is never sent once the appointment has started."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from icalendar import Calendar, Event

from justedroit.core import clock, sending
from justedroit.core.clock import PARIS
from justedroit.core.sending import DeliveryStatus, PermanentFailure
from justedroit.reception.models import (
    Appointment,
    AppointmentStatus,
    Channel,
    MessageChannel,
    MessageKind,
    Notification,
)
from justedroit.reception.notifications.backends import sms_backend

REMINDER_BEFORE = dt.timedelta(hours=48)
SENDER = "Caf de la Vienne <ne-pas-repondre@caf86.invalid>"
OBSOLETE = "Rendez-vous commencé ou annulé : message sans objet, non envoyé."


class SmsNotSent(Exception):
    """The SMS provider refused or could not be reached (its message is kept as the error)."""


def notifications_queue(*, appointment: Appointment, kind: str) -> list[Notification]:
    """Write the messages to send (inside the caller's transaction); queue them after commit."""
    created = []
    now = clock.now()
    for channel, recipient in (
        (MessageChannel.SMS, appointment.contact_phone),
        (MessageChannel.EMAIL, appointment.contact_email),
    ):
        if recipient:
            notification = Notification.objects.create(
                appointment=appointment,
                kind=kind,
                channel=channel,
                recipient=recipient,
                created_at=now,
                status=DeliveryStatus.QUEUED,
                queued_at=now,
            )
            sending.send_after_commit(notification)
            created.append(notification)
    return created


def notification_obsolete(notification: Notification) -> bool:
    """Nothing is sent about an appointment that has started, nor (but its cancellation) about
    one no longer booked: a queue that ran late must not announce the past."""
    appointment = notification.appointment
    return appointment.starts_at <= clock.now() or (
        notification.kind != MessageKind.CANCELLATION
        and appointment.status != AppointmentStatus.BOOKED
    )


def notification_transmit(notification: Notification) -> dict:
    """Send one notification (run by the worker); returns what the provider told us."""
    if notification_obsolete(notification):
        raise PermanentFailure(OBSOLETE)
    appointment = notification.appointment
    text = message_text(appointment, notification.kind)
    if notification.channel == MessageChannel.SMS:
        result = sms_backend().send(to=notification.recipient, text=text)
        if not result.ok:
            raise SmsNotSent(result.error or "refusé par le prestataire")
        return {"provider_id": result.provider_id}
    email = EmailMessage(
        subject=sending.header_safe(
            f"{MessageKind(notification.kind).label} de votre rendez-vous — Caf de la Vienne"
        ),
        body=text,
        from_email=SENDER,
        to=[sending.header_safe(notification.recipient)],
    )
    if notification.kind != MessageKind.CANCELLATION:
        email.attach("rendez-vous-caf.ics", appointment_ics(appointment), "text/calendar")
    email.send()
    return {}


def notification_check_retry(notification: Notification) -> None:
    if notification_obsolete(notification):
        raise ValidationError(OBSOLETE)


def notification_describe(notification: Notification) -> sending.Description:
    appointment = notification.appointment
    local = appointment.starts_at.astimezone(PARIS)
    return sending.Description(
        what=f"{notification.get_kind_display()} par {notification.get_channel_display()} "
        f"du rendez-vous du {local:%d/%m/%Y à %H:%M}",
        recipient=notification.recipient,
        household_number=appointment.household.number,
    )


def delivery_receipt(*, provider_id: str, delivered: bool) -> int:
    """A provider's delivery report (webhook): sent → delivered, or failed (listed for a retry)."""
    sent = Notification.objects.filter(provider_id=provider_id, status=DeliveryStatus.SENT)
    if delivered:
        return sent.update(status=DeliveryStatus.DELIVERED, delivered_at=clock.now())
    return sent.update(
        status=DeliveryStatus.FAILED, error="Non remis selon l'accusé de réception du prestataire."
    )


RECEIPTS_PER_REQUEST = 1_000


def delivery_receipts_record(payload: object) -> int:
    """The SMS provider's webhook body (one report or a batch of them): each final report
    recorded with `delivery_receipt`; anything else is ignored. Returns the messages updated."""
    reports = payload if isinstance(payload, list) else [payload]
    backend = sms_backend()
    updated = 0
    for report in reports[:RECEIPTS_PER_REQUEST]:
        receipt = backend.receipt(report)
        if receipt is not None:
            updated += delivery_receipt(
                provider_id=receipt.provider_id, delivered=receipt.delivered
            )
    return updated


def where(appointment: Appointment) -> str:
    if appointment.channel == Channel.PHONE:
        return "par téléphone (nous vous appelons)"
    if appointment.channel == Channel.VISIO:
        return f"en visio : {appointment.meeting_url}"
    return f"à {appointment.site.name}, {appointment.site.address}"


def message_text(appointment: Appointment, kind: str) -> str:
    local = appointment.starts_at.astimezone(PARIS)
    when = f"le {local:%d/%m/%Y} à {local:%H:%M}"
    lead = {
        MessageKind.CONFIRMATION: "Votre rendez-vous est confirmé",
        MessageKind.CHANGE: "Votre rendez-vous a été déplacé",
        MessageKind.CANCELLATION: "Votre rendez-vous est annulé",
        MessageKind.REMINDER: "Rappel : vous avez rendez-vous",
    }[kind]
    text = f"Caf de la Vienne. {lead} {when}, {where(appointment)} ({appointment.type.label})."
    if kind != MessageKind.CANCELLATION and appointment.type.documents:
        text += " À prévoir : " + ", ".join(appointment.type.documents) + "."
    return text


def appointment_ics(appointment: Appointment) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Juste Droit//Caf de la Vienne//FR")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"rdv-{appointment.pk}@justedroit.caf86.invalid")
    event.add("dtstamp", clock.now())
    event.add("dtstart", appointment.starts_at.astimezone(PARIS))
    event.add("dtend", appointment.ends_at.astimezone(PARIS))
    event.add("summary", f"Rendez-vous Caf : {appointment.type.label}")
    event.add("location", where(appointment))
    calendar.add_component(event)
    return calendar.to_ical()


def reminders_due(*, now: dt.datetime | None = None):
    now = now or clock.now()
    return (
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_BEFORE,
        )
        .exclude(contact_phone="", contact_email="")
        .exclude(notifications__kind=MessageKind.REMINDER)
    )


def reminders_send(*, wet_run: bool = True) -> int:
    """Queue the reminders due now (the worker sends them); returns how many appointments."""
    due = list(reminders_due())
    if not wet_run:
        return len(due)
    for appointment in due:
        with transaction.atomic():
            notifications_queue(appointment=appointment, kind=MessageKind.REMINDER)
    return len(due)

"""Appointment notifications: confirmation, change, cancellation and the 48 h reminder, by SMS and
email. Rows are written in the booking's transaction (status « à envoyer »); sending happens after
commit, and each row keeps its delivery status. A reminder is never sent once the appointment has
started."""

import datetime as dt

from django.core.mail import EmailMessage
from django.db import transaction
from icalendar import Calendar, Event

from justedroit.core import clock
from justedroit.core.clock import PARIS
from justedroit.reception.models import (
    Appointment,
    AppointmentStatus,
    Channel,
    DeliveryStatus,
    MessageChannel,
    MessageKind,
    Notification,
)
from justedroit.reception.notifications.backends import sms_backend

REMINDER_BEFORE = dt.timedelta(hours=48)
SENDER = "Caf de la Vienne <ne-pas-repondre@caf86.invalid>"


def notifications_queue(*, appointment: Appointment, kind: str) -> list[Notification]:
    """Write the messages to send (inside the caller's transaction); send them after commit."""
    created = []
    now = clock.now()
    for channel, recipient in (
        (MessageChannel.SMS, appointment.contact_phone),
        (MessageChannel.EMAIL, appointment.contact_email),
    ):
        if recipient:
            created.append(
                Notification.objects.create(
                    appointment=appointment,
                    kind=kind,
                    channel=channel,
                    recipient=recipient,
                    created_at=now,
                )
            )
    ids = [n.id for n in created]
    if ids:
        transaction.on_commit(lambda: notifications_dispatch(ids))
    return created


def notifications_dispatch(ids: list[int]) -> None:
    for notification in Notification.objects.filter(
        id__in=ids, status=DeliveryStatus.PENDING
    ).select_related("appointment__type", "appointment__site"):
        _send(notification)


def _send(notification: Notification) -> None:
    appointment = notification.appointment
    if notification.kind == MessageKind.REMINDER and (
        appointment.starts_at <= clock.now() or appointment.status != AppointmentStatus.BOOKED
    ):
        _mark(
            notification,
            DeliveryStatus.FAILED,
            error="Rendez-vous commencé ou annulé : non envoyé.",
        )
        return
    text = message_text(appointment, notification.kind)
    if notification.channel == MessageChannel.SMS:
        result = sms_backend().send(to=notification.recipient, text=text)
        _mark(
            notification,
            DeliveryStatus.SENT if result.ok else DeliveryStatus.FAILED,
            provider_id=result.provider_id,
            error=result.error,
        )
        return
    email = EmailMessage(
        subject=f"{MessageKind(notification.kind).label} de votre rendez-vous — Caf de la Vienne",
        body=text,
        from_email=SENDER,
        to=[notification.recipient],
    )
    if notification.kind != MessageKind.CANCELLATION:
        email.attach("rendez-vous-caf.ics", appointment_ics(appointment), "text/calendar")
    try:
        email.send()
    except OSError as error:
        _mark(notification, DeliveryStatus.FAILED, error=str(error)[:300])
        return
    _mark(notification, DeliveryStatus.SENT)


def _mark(notification, status, *, provider_id: str = "", error: str = "") -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=status, provider_id=provider_id, error=error, sent_at=clock.now()
    )


def delivery_receipt(*, provider_id: str, delivered: bool) -> int:
    """A provider's delivery report (webhook): SENT → DELIVERED or FAILED."""
    return Notification.objects.filter(provider_id=provider_id, status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.DELIVERED if delivered else DeliveryStatus.FAILED
    )


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
    """Queue and send the reminders due now; returns how many appointments were reminded."""
    due = list(reminders_due())
    if not wet_run:
        return len(due)
    for appointment in due:
        with transaction.atomic():
            notifications_queue(appointment=appointment, kind=MessageKind.REMINDER)
    return len(due)

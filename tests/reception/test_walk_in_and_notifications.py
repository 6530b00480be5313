import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings

from justedroit.core import clock, sending
from justedroit.core.models import AuditEvent
from justedroit.reception import services
from justedroit.reception.models import Notification, Site, Ticket
from justedroit.reception.notifications import backends, reminders_send
from tests.reception.conftest import TUESDAY, at
from tests.task_queue import crashed_tasks, run_ready_tasks

pytestmark = pytest.mark.django_db
LOCMEM = "justedroit.reception.notifications.backends.LocMemSmsBackend"


def test_walk_in_ticket_life_cycle_measures_waiting_and_service(agent, household):
    site = Site.objects.get(slug="chatellerault")
    with clock.frozen(dt.datetime(2023, 1, 2, 9, 0)):
        first = services.ticket_issue(
            site=site, queue="reception", reason="payment", household=household, acting_user=agent
        )
        second = services.ticket_issue(
            site=site, queue="reception", reason="other", acting_user=agent
        )
    assert (first.number, second.number) == (1, 2)
    with clock.frozen(dt.datetime(2023, 1, 2, 9, 12)):
        called = services.ticket_call_next(site=site, queue="reception", acting_user=agent)
        assert called == first
        services.ticket_serve(ticket=called, acting_user=agent)
    with clock.frozen(dt.datetime(2023, 1, 2, 9, 20)):
        transferred = services.ticket_transfer(ticket=called, queue="adviser", acting_user=agent)
        assert (transferred.status, transferred.transfers) == ("waiting", 1)
        again = services.ticket_call_next(site=site, queue="adviser", acting_user=agent)
        services.ticket_serve(ticket=again, acting_user=agent)
        with pytest.raises(ValidationError, match="issue"):
            services.ticket_close(ticket=again, outcome="", acting_user=agent)
    with clock.frozen(dt.datetime(2023, 1, 2, 9, 35)):
        done = services.ticket_close(ticket=again, outcome="resolved", acting_user=agent)
        gone = services.ticket_no_show(ticket=second, acting_user=agent)
    assert done.called_at - done.arrived_at == dt.timedelta(minutes=12)  # first call counts
    assert done.finished_at - done.service_started_at == dt.timedelta(minutes=23)
    assert gone.status == "no_show"
    with pytest.raises(ValidationError, match="action impossible"):
        services.ticket_serve(ticket=gone, acting_user=agent)
    assert AuditEvent.objects.filter(household_number="7654321").count() >= 5


def test_permanence_without_walk_in_refuses_tickets(agent):
    site = Site.objects.get(slug="loudun")
    site.offers_walk_in = False
    site.save()
    with pytest.raises(ValidationError, match="que sur rendez-vous"):
        services.ticket_issue(site=site, queue="reception", reason="other", acting_user=agent)
    assert not Ticket.objects.exists()


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM)
def test_confirmation_sms_and_email_with_ics(
    tuesday_morning, in_person, poitiers, household, django_capture_on_commit_callbacks
):
    backends.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_book(
            household=household,
            appointment_type=in_person,
            site=poitiers,
            starts_at=at(TUESDAY, 9, 30),
            booked_via="claimant",
            contact_phone="0612345678",
            contact_email="lea@example.org",
            acting_user=None,
        )
    assert backends.outbox == [] and mail.outbox == []  # the worker sends, not the request
    assert run_ready_tasks() == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert backends.outbox[0]["to"] == "+33612345678"
    assert "03/01/2023 à 09:30" in backends.outbox[0]["text"]
    (email,) = mail.outbox
    _name, content, mimetype = email.attachments[0]
    assert mimetype == "text/calendar" and "DTSTART;TZID=Europe/Paris:20230103T093000" in str(
        content
    )


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM)
def test_reminders_48h_before_once_and_never_after_start(
    tuesday_morning, in_person, poitiers, household, django_capture_on_commit_callbacks
):
    appointment = services.appointment_book(
        household=household,
        appointment_type=in_person,
        site=poitiers,
        starts_at=at(TUESDAY, 11),
        booked_via="agent",
        contact_phone="0612345678",
        acting_user=None,
    )
    backends.outbox.clear()
    with clock.frozen(dt.datetime(2022, 12, 31, 12)):  # 71 h before: too early
        assert reminders_send() == 0
    with clock.frozen(dt.datetime(2023, 1, 1, 12)):  # 47 h before
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_send() == 1
            assert reminders_send() == 0  # once
        run_ready_tasks()
    assert [m["text"].startswith("Caf de la Vienne. Rappel") for m in backends.outbox] == [True]
    # A reminder queued but dispatched late (outage) is not sent after the start.
    late = Notification.objects.create(
        appointment=appointment,
        kind="reminder",
        channel="email",
        recipient="x@example.org",
        created_at=at(TUESDAY, 10),
        queued_at=at(TUESDAY, 10),
    )
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_after_commit(late)
    with clock.frozen(dt.datetime(2023, 1, 3, 11, 5)):
        run_ready_tasks()
    late.refresh_from_db()
    assert late.status == "failed" and not mail.outbox
    assert (late.attempts, crashed_tasks()) == (1, [])  # no retry can make it timely

"""Appointment SMS and e-mails leave through the task queue: retries with backoff, a true status,
delivery receipts, and the page where a manager sends a failed message again."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings

from justedroit.core import clock, sending
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.reception import services
from justedroit.reception.models import Notification
from justedroit.reception.notifications import backends, delivery_receipt
from tests.outside_world import FlakySmtpBackend, ProviderDownSmsBackend
from tests.reception.conftest import TUESDAY, at
from tests.task_queue import crashed_tasks, run_ready_tasks, time_passes

pytestmark = pytest.mark.django_db
LOCMEM_SMS = "justedroit.reception.notifications.backends.LocMemSmsBackend"
FAILING_SMS = "tests.outside_world.ProviderDownSmsBackend"
FLAKY_SMTP = "tests.outside_world.FlakySmtpBackend"
PAGE = "/agents/envois-en-echec/"
PROVIDER_DOWN = "SmsNotSent : HTTP Error 503: Service Unavailable"


@pytest.fixture
def book(tuesday_morning, in_person, poitiers, household, django_capture_on_commit_callbacks):
    def book(**contact):
        with django_capture_on_commit_callbacks(execute=True):
            return services.appointment_book(
                household=household,
                appointment_type=in_person,
                site=poitiers,
                starts_at=at(TUESDAY, 9, 30),
                booked_via="claimant",
                acting_user=None,
                **contact,
            )

    return book


@override_settings(JUSTEDROIT_SMS_BACKEND=FAILING_SMS, JUSTEDROIT_SEND_MAX_ATTEMPTS=5)
def test_a_failing_sms_is_retried_with_backoff_then_marked_failed(book):
    ProviderDownSmsBackend.calls = 0
    book(contact_phone="0612345678")  # the booking itself succeeds
    sms = Notification.objects.get()
    assert (sms.status, sms.attempts) == ("queued", 0)
    waits = []
    for attempt in range(1, 6):
        assert run_ready_tasks() == 1
        assert run_ready_tasks() == 0  # the next attempt waits for its backoff
        sms.refresh_from_db()
        assert (sms.attempts, sms.error) == (attempt, PROVIDER_DOWN)
        if sms.status == "failed":
            break
        assert sms.status == "queued"
        waits.append(sms.next_attempt_at - sms.last_attempt_at)
        time_passes()
    assert waits == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert (sms.status, sms.attempts, ProviderDownSmsBackend.calls) == ("failed", 5, 5)
    assert sms.sent_at is None and crashed_tasks() == []
    time_passes()
    assert run_ready_tasks() == 0  # nothing left: a failed message waits for a person


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM_SMS, EMAIL_BACKEND=FLAKY_SMTP)
def test_an_smtp_error_is_retried_and_the_email_then_leaves(book):
    FlakySmtpBackend.failures_left = 1
    book(contact_email="lea@example.org")
    run_ready_tasks()
    email = Notification.objects.get(channel="email")
    assert (email.status, email.attempts) == ("queued", 1)
    assert email.error.startswith("SMTPServerDisconnected")
    time_passes()
    run_ready_tasks()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error, email.sent_at) == (
        "sent",
        2,
        "",
        clock.now(),
    )
    assert len(mail.outbox) == 1


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM_SMS)
def test_delivery_receipts_update_the_status(book):
    backends.outbox.clear()
    book(contact_phone="0612345678")
    book_again = Notification.objects.get()
    run_ready_tasks()
    book_again.refresh_from_db()
    assert book_again.status == "sent" and book_again.provider_id.startswith("locmem-")
    assert delivery_receipt(provider_id="unknown", delivered=True) == 0
    with clock.frozen(dt.datetime(2022, 12, 31, 10, 1)):
        assert delivery_receipt(provider_id=book_again.provider_id, delivered=True) == 1
    book_again.refresh_from_db()
    assert (book_again.status, book_again.delivered_at) == (
        "delivered",
        dt.datetime(2022, 12, 31, 10, 1, tzinfo=clock.PARIS),
    )
    # A late "not delivered" for a message already delivered changes nothing.
    assert delivery_receipt(provider_id=book_again.provider_id, delivered=False) == 0
    Notification.objects.filter(pk=book_again.pk).update(status="sent")
    assert delivery_receipt(provider_id=book_again.provider_id, delivered=False) == 1
    book_again.refresh_from_db()
    assert book_again.status == "failed" and "accusé de réception" in book_again.error


RECEIPTS = "/accueil/accuses-sms/"
TOKEN = "jeton-du-prestataire-sms"


@pytest.fixture
def sent_sms(book):
    backends.outbox.clear()
    book(contact_phone="0612345678")
    run_ready_tasks()
    notification = Notification.objects.get()
    assert notification.status == "sent"
    return notification


def post_receipt(client, body, token=TOKEN):
    return client.post(
        RECEIPTS,
        body if isinstance(body, bytes) else json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM_SMS, JUSTEDROIT_SMS_RECEIPT_TOKEN=TOKEN)
def test_the_providers_webhook_records_delivery_and_loss(client, sent_sms):
    report = {"id": sent_sms.provider_id, "status": "sent"}  # not final: nothing changes
    assert post_receipt(client, report).json() == {"mis_a_jour": 0}
    response = post_receipt(client, [{**report, "status": "delivered"}, "bruit", {"id": True}])
    assert response.status_code == 200 and response.json() == {"mis_a_jour": 1}
    sent_sms.refresh_from_db()
    assert sent_sms.status == "delivered"


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM_SMS, JUSTEDROIT_SMS_RECEIPT_TOKEN=TOKEN)
def test_the_webhook_refuses_a_forged_or_broken_report_and_changes_nothing(client, sent_sms):
    delivered = {"id": sent_sms.provider_id, "status": "delivered"}
    assert post_receipt(client, delivered, token="devine").status_code == 401
    assert client.post(RECEIPTS, delivered, content_type="application/json").status_code == 401
    assert post_receipt(client, b"{pas du json").status_code == 400
    assert post_receipt(client, b"[" + b" " * 300_000 + b"]").status_code == 413
    assert client.get(RECEIPTS).status_code == 405
    sent_sms.refresh_from_db()
    assert sent_sms.status == "sent"


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM_SMS, JUSTEDROIT_SMS_RECEIPT_TOKEN="")
def test_without_a_token_the_webhook_does_not_exist(client, sent_sms):
    report = {"id": sent_sms.provider_id, "status": "delivered"}
    assert post_receipt(client, report, token="").status_code == 404


def test_brevo_reports_are_read_in_brevos_own_fields():
    brevo = backends.BrevoSmsBackend()
    assert brevo.receipt({"messageId": 123, "msg_status": "delivered"}) == backends.Receipt(
        "123", True
    )
    assert brevo.receipt({"messageId": 123, "msg_status": "hard_bounce"}) == backends.Receipt(
        "123", False
    )
    assert brevo.receipt({"messageId": 123, "msg_status": "soft_bounce"}) is None  # retried
    assert brevo.receipt({"id": "123", "status": "delivered"}) is None


@override_settings(JUSTEDROIT_SMS_BACKEND=FAILING_SMS, JUSTEDROIT_SEND_MAX_ATTEMPTS=1)
def test_a_manager_sends_a_failed_message_again_from_the_failures_page(
    book, client, make_user, settings, django_capture_on_commit_callbacks
):
    book(contact_phone="0612345678")
    run_ready_tasks()
    sms = Notification.objects.get()
    assert sms.status == "failed"
    client.force_login(make_user(Role.MANAGER))
    page = client.get(PAGE).content.decode()
    assert "+33612345678" in page and "HTTP Error 503" in page and "7654321" in page
    settings.JUSTEDROIT_SMS_BACKEND = LOCMEM_SMS  # the provider is back
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"kind": "reception.notification", "pk": sms.pk})
    assert response.status_code == 302
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("queued", 0)
    retry = AuditEvent.objects.get(reason="nouvel envoi d'un message en échec")
    assert (retry.household_number, retry.detail["error"]) == ("7654321", PROVIDER_DOWN)
    run_ready_tasks()
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sent", 1)
    assert "+33612345678" not in client.get(PAGE).content.decode()
    # Sending again what has left is refused, and changes nothing.
    with pytest.raises(ValidationError, match="ni en échec ni bloqué"):
        sending.send_retry(kind_key="reception.notification", pk=sms.pk, acting_user=None)
    sms.refresh_from_db()
    assert sms.status == "sent"


@override_settings(JUSTEDROIT_SMS_BACKEND=FAILING_SMS)
def test_retry_is_refused_to_roles_without_the_page_and_nothing_changes(book, client, make_user):
    book(contact_phone="0612345678")
    Notification.objects.update(status="failed", attempts=5, error="HTTP Error 503")
    sms = Notification.objects.get()
    client.force_login(make_user(Role.RECEPTION))
    response = client.post(PAGE, {"kind": "reception.notification", "pk": sms.pk})
    assert response.status_code == 403
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("failed", 5)
    assert not AuditEvent.objects.filter(reason="nouvel envoi d'un message en échec").exists()


def test_a_reminder_for_a_started_appointment_cannot_be_sent_again(book, make_user):
    appointment = book(contact_email="lea@example.org")
    reminder = Notification.objects.create(
        appointment=appointment,
        kind="reminder",
        channel="email",
        recipient="lea@example.org",
        created_at=clock.now(),
        status="failed",
        error="SMTPServerDisconnected",
    )
    with (
        clock.frozen(dt.datetime(2023, 1, 3, 9, 45)),
        pytest.raises(ValidationError, match="sans objet"),
    ):
        sending.send_retry(
            kind_key="reception.notification", pk=reminder.pk, acting_user=make_user(Role.MANAGER)
        )
    reminder.refresh_from_db()
    assert reminder.status == "failed"


def test_a_message_whose_queue_was_unreachable_is_listed_as_stuck(
    book, client, make_user, monkeypatch
):
    def unreachable(*args):
        raise ConnectionError("file d'envoi injoignable")

    # The request that booked does not fail: its work is committed; the message is queued.
    from justedroit.reception.tasks import notification_send

    monkeypatch.setattr(type(notification_send), "enqueue", unreachable)
    book(contact_phone="0612345678")
    monkeypatch.undo()
    sms = Notification.objects.get()
    assert sms.status == "queued" and run_ready_tasks() == 0
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert "+33612345678" not in client.get(PAGE).content.decode()
    with clock.frozen(clock.now() + sending.STUCK_AFTER + dt.timedelta(minutes=1)):
        page = client.get(PAGE).content.decode()
    assert "+33612345678" in page and "Bloqué" in page


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM_SMS)
def test_a_message_queued_twice_is_sent_once(book):
    from justedroit.reception.tasks import notification_send

    backends.outbox.clear()
    book(contact_phone="0612345678")
    sms = Notification.objects.get()
    notification_send.enqueue(sms.pk)  # a duplicate task (a retry racing the worker)
    assert run_ready_tasks() == 2
    sms.refresh_from_db()
    assert (len(backends.outbox), sms.status, sms.attempts) == (1, "sent", 1)


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM_SMS)
def test_a_late_queue_never_confirms_a_cancelled_appointment(
    book, django_capture_on_commit_callbacks
):
    backends.outbox.clear()
    appointment = book(contact_phone="0612345678")
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=appointment, by_caf=True, acting_user=None)
    run_ready_tasks()  # the worker was down until now
    assert dict(Notification.objects.values_list("kind", "status")) == {
        "confirmation": "failed",
        "cancellation": "sent",
    }
    (sms,) = backends.outbox
    assert sms["text"].startswith("Caf de la Vienne. Votre rendez-vous est annulé le 03/01/2023")

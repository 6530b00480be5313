"""E-mail replies leave through the task queue: an SMTP outage never reaches the agent, the thread
says truthfully where its reply is, and no header can carry a line break."""

import datetime as dt
import email
import email.policy

import pytest
from django.core import mail
from django.core.mail.message import forbid_multi_line_headers
from django.db import IntegrityError, transaction
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from justedroit.channels.models import (
    ContactReason,
    Direction,
    EmailMessage,
    EmailThread,
    ThreadStatus,
    team_for,
)
from justedroit.channels.services import emails
from justedroit.core import clock, sending
from justedroit.core.roles import Role
from justedroit.registry.contacts import contact_point_record, household_email
from justedroit.registry.models import ContactKind, ContactSource
from tests.outside_world import FlakySmtpBackend
from tests.task_queue import crashed_tasks, run_ready_tasks, time_passes

pytestmark = pytest.mark.django_db
FLAKY_SMTP = "tests.outside_world.FlakySmtpBackend"


def open_thread(household, *, subject="Mon paiement", message_id="<m1@example.org>"):
    """A thread waiting for an answer, as the mailbox import leaves it, from the household's
    declared address (replies only ever go to a known address)."""
    if household_email(household) is None:
        contact_point_record(
            household=household,
            kind=ContactKind.EMAIL,
            value="paul.durand@example.org",
            source=ContactSource.DECLARED,
            acting_user=None,
        )
    thread = EmailThread.objects.create(
        household=household,
        subject=subject,
        reason=ContactReason.OTHER,
        team=team_for(ContactReason.OTHER),
        opened_at=clock.now() - dt.timedelta(hours=2),
        status=ThreadStatus.WAITING,
        correspondent="paul.durand@example.org",
    )
    EmailMessage.objects.create(
        thread=thread,
        direction=Direction.INBOUND,
        source="mailbox",
        message_id=message_id,
        sender="paul.durand@example.org",
        recipient=emails.caf_address(),
        subject=subject,
        body="Bonjour, je n'ai pas reçu mon paiement.",
        at=thread.opened_at,
    )
    return thread


@override_settings(EMAIL_BACKEND=FLAKY_SMTP, JUSTEDROIT_SEND_MAX_ATTEMPTS=3)
def test_an_smtp_outage_gives_the_agent_no_error_and_the_thread_never_claims_answered(
    household, client, make_user, settings, django_capture_on_commit_callbacks
):
    FlakySmtpBackend.failures_left = 99
    thread = open_thread(household)
    page = f"/agents/canaux/courriels/{thread.pk}/"
    client.force_login(make_user(Role.CASE_WORKER))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"reply": "1", "body": "Votre paiement part demain."})
    assert response.status_code == 302
    shown = client.get(page).content.decode()
    assert "Réponse en cours d&#x27;envoi" in shown and "Répondu" not in shown
    for _ in range(3):
        run_ready_tasks()
        time_passes()
    reply = EmailMessage.objects.get(direction=Direction.OUTBOUND)
    thread.refresh_from_db()
    assert (reply.status, reply.attempts, reply.sent_at) == ("failed", 3, None)
    assert thread.status == ThreadStatus.SEND_FAILED and mail.outbox == []
    shown = client.get(page).content.decode()
    assert "Échec de l&#x27;envoi de la réponse — à renvoyer" in shown
    assert "SMTPServerDisconnected" in shown and "Répondu" not in shown
    assert crashed_tasks() == []
    # The server is back; a manager sends the reply again from the page of failed sends.
    FlakySmtpBackend.failures_left = 0
    client.force_login(make_user(Role.MANAGER))
    assert "Mon paiement" in client.get("/agents/envois-en-echec/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/agents/envois-en-echec/", {"kind": "channels.emailmessage", "pk": reply.pk})
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.SENDING
    run_ready_tasks()
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.ANSWERED and len(mail.outbox) == 1


def test_a_subject_with_an_encoded_line_break_is_cleaned_not_a_crash(
    household, make_user, django_capture_on_commit_callbacks
):
    # The mailbox import decoded `=?utf-8?q?Mon_paiement=0D=0ABcc:_victime@example.org?=` into a
    # line break; whatever the import keeps, a stored subject or Message-ID reaches the reply.
    thread = open_thread(
        household,
        subject="Mon paiement\r\nBcc: victime@example.org",
        message_id="<m1@example.org>\nX-Injected: 1",
    )
    agent = make_user(Role.CASE_WORKER)
    with django_capture_on_commit_callbacks(execute=True):
        reply = emails.email_reply(thread=thread, body="Bien reçu.", acting_user=agent)
    assert "\n" not in reply.subject and "\r" not in reply.subject
    run_ready_tasks()
    reply.refresh_from_db()
    assert reply.status == "sent"
    (sent,) = mail.outbox
    raw = email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)
    assert raw["Subject"] == "RE : Mon paiement Bcc: victime@example.org"
    assert raw["In-Reply-To"] == "<m1@example.org> X-Injected: 1"
    assert raw["Bcc"] is None and raw["X-Injected"] is None and sent.bcc == []
    assert raw["To"] == reply.recipient


@given(st.text())
def test_a_header_safe_value_never_breaks_a_line(value):
    cleaned = sending.header_safe(value)
    assert len(cleaned.splitlines()) <= 1 and sending.header_safe(cleaned) == cleaned
    forbid_multi_line_headers("Subject", cleaned, "utf-8")  # raises BadHeaderError otherwise


def test_a_thread_that_got_a_new_message_stays_waiting_when_the_reply_leaves(
    household, make_user, django_capture_on_commit_callbacks
):
    thread, agent = open_thread(household), make_user(Role.CASE_WORKER)
    with django_capture_on_commit_callbacks(execute=True):
        emails.email_reply(thread=thread, body="Bien reçu.", acting_user=agent)
    # The allocataire writes again before the worker runs.
    EmailThread.objects.filter(pk=thread.pk).update(status=ThreadStatus.WAITING)
    run_ready_tasks()
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.WAITING
    assert EmailMessage.objects.get(direction=Direction.OUTBOUND).status == "sent"


def test_the_database_refuses_a_delivery_status_on_an_inbound_message(household):
    open_thread(household)
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailMessage.objects.filter(direction=Direction.INBOUND).update(status="sent")
    assert EmailMessage.objects.get().status == ""

"""The success messages of the contact channels say what was done to what: which call-back, which
thread to which team, which quarantined message discarded or filed (and where)."""

import base64
import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from justedroit.channels.models import EmailThread, QuarantinedEmail
from justedroit.channels.services import calls, emails, mailbox
from justedroit.core.french import day_and_time
from justedroit.core.roles import Role
from tests.channels.mail import with_attachment

pytestmark = pytest.mark.django_db


def said(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def test_a_completed_call_back_names_the_number_and_the_household(client, make_user, household):
    callback = calls.callback_request_create(
        phone="0549000000", reason="payment", household=household, acting_user=None
    )
    client.force_login(make_user(Role.CASE_WORKER))
    response = client.post(reverse("channels:home"), {"callback": callback.pk, "note": "joint"})
    assert said(response) == ["Rappel au +33549000000 (foyer 1234567) noté comme effectué."]


def test_an_assigned_thread_is_named_with_its_household_and_team(client, make_user, household):
    at = dt.datetime(2022, 12, 1, 10, tzinfo=dt.UTC)
    inbound = emails.InboundEmail("a@example.org", "Mon paiement de mars", "", "<p1@x>", at)
    message = emails.email_receive(
        inbound=inbound, source="portal", household=household, acting_user=None
    )
    client.force_login(make_user(Role.CASE_WORKER))
    url = reverse("channels:email_thread", args=[message.thread_id])
    response = client.post(url, {"assign": "1", "team": "recovery"})
    assert response.status_code == 302
    assert said(response) == [
        "Le fil « Mon paiement de mars » du foyer 1234567 est affecté à l'équipe « Recouvrement »."
    ]


@pytest.fixture
def quarantined(tmp_path):
    """A message from paul.durand@example.org whose GIF attachment is refused."""
    gif = base64.b64encode(b"GIF89a" + b"\0" * 20).decode()
    raw = with_attachment(
        b"Voir PJ", filename="logo.gif", content_type="image/gif", payload_b64=gif
    )
    (tmp_path / "a.eml").write_bytes(raw)
    mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    return QuarantinedEmail.objects.get()


def test_a_discarded_message_is_named_by_subject_sender_and_arrival(client, make_user, quarantined):
    client.force_login(make_user(Role.RECEPTION))
    url = reverse("channels:quarantine_detail", args=[quarantined.pk])
    response = client.post(url, {"discard": "1", "note": "indésirable"})
    assert said(response) == [
        "Le courriel « Mon justificatif » de paul.durand@example.org, reçu le "
        f"{day_and_time(quarantined.received_at)}, est écarté : il sort de la quarantaine."
    ]


def test_a_filed_message_says_without_what_and_where_it_went(client, make_user, quarantined):
    client.force_login(make_user(Role.RECEPTION))
    url = reverse("channels:quarantine_detail", args=[quarantined.pk])
    response = client.post(url, {"without_attachments": "1"})
    assert response.status_code == 302
    thread = EmailThread.objects.get()
    where = (
        f" dans le dossier du foyer {thread.household.number}."
        if thread.household
        else " : il attend d'être rattaché à un foyer (file de tri)."
    )
    assert said(response) == [
        "Le courriel « Mon justificatif » de paul.durand@example.org, reçu le "
        f"{day_and_time(quarantined.received_at)}, est classé sans ses pièces jointes refusées"
        + where
    ]


def test_a_task_assignment_says_to_whom(client, make_user, household):
    callback = calls.callback_request_create(
        phone="0549000000", reason="payment", household=household, acting_user=None
    )
    alice = make_user(Role.CASE_WORKER, username="alice")
    client.force_login(make_user(Role.MANAGER))

    def assign(agent: str) -> list[str]:
        data = {"kind": "rappel", "task": callback.pk, "agent": agent}
        return said(client.post(reverse("channels:task_assign"), data))

    assert assign("alice") == [f"La tâche est attribuée à {alice.get_full_name() or 'alice'}."]
    assert assign("")[-1] == "La tâche est libérée."  # the first one, not shown yet, stays

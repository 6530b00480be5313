"""No outsider's e-mail in anyone's file: a message joins a household only from an address that
household gave the Caf; everything else waits for triage; answers go only to known addresses."""

import hashlib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from justedroit.channels.models import (
    Direction,
    EmailMessage,
    EmailThread,
    Identification,
    Team,
    ThreadStatus,
)
from justedroit.channels.selectors import household_messages, triage_threads
from justedroit.channels.services import email_import, emails
from justedroit.core.imports import ImportReport
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.registry.contacts import contact_point_record
from justedroit.registry.models import ContactPoint, ContactSource, HouseholdAccount
from tests.channels.mail import eml
from tests.factories import HouseholdFactory, claimant
from tests.task_queue import run_ready_tasks

OUTSIDER = "intrus@example.net"


def receive(tmp_path, raw: bytes, name="m.eml"):
    path = tmp_path / name
    path.write_bytes(raw)
    report = ImportReport()
    outcome = email_import.email_import_file(path=path, label=name, report=report, acting_user=None)
    assert outcome == email_import.Outcome.FILED, report.refused
    return EmailMessage.objects.get(raw_sha256=hashlib.sha256(raw).hexdigest())


@pytest.fixture
def declared(household):
    return contact_point_record(
        household=household,
        kind="email",
        value="Paul.Durand@Example.org",
        source=ContactSource.DECLARED,
        acting_user=None,
    )


def test_a_household_number_in_the_subject_files_nothing(household, declared, tmp_path):
    raw = eml(sender=OUTSIDER, subject="Dossier 1234567 : changez mon RIB", body="Numéro 1234567")
    message = receive(tmp_path, raw)
    assert message.thread.household is None
    assert message.identified_by == Identification.UNIDENTIFIED
    assert list(triage_threads()) == [message.thread]
    assert not household_messages(household).exists()
    assert not AuditEvent.objects.filter(household_number="1234567", reason="courriel reçu")


def test_a_known_address_files_the_message_and_says_which(household, declared, tmp_path):
    message = receive(tmp_path, eml(sender="PAUL.durand@example.org"))
    assert message.thread.household == household
    assert message.identified_by == Identification.KNOWN_ADDRESS
    assert message.identification_note == "déclarée par l'allocataire le 31/12/2022"
    assert AuditEvent.objects.filter(household_number="1234567", reason="courriel reçu").exists()


def test_the_portal_account_address_is_a_known_address(claimant, household, tmp_path):
    message = receive(tmp_path, eml())
    assert (message.thread.household, message.identification_note) == (
        household,
        "adresse du compte Mon compte",
    )


def test_the_spoofed_from_of_an_earlier_thread_is_not_enough(
    household, declared, make_user, tmp_path
):
    # An outsider's first message was linked at triage without checking the sender.
    first = receive(tmp_path, eml(sender=OUTSIDER, message_id="<o1@example.net>"), "1.eml")
    emails.thread_link(
        thread=first.thread, household=household, acting_user=make_user(Role.MANAGER)
    )
    # Their next message, from the same address, is not filed in the household on that basis.
    second = receive(tmp_path, eml(sender=OUTSIDER, message_id="<o2@example.net>"), "2.eml")
    assert second.thread.household is None and second.thread != first.thread
    # Nor is one that names a message of the household's thread in its References.
    known = receive(tmp_path, eml(message_id="<k1@example.org>"), "3.eml")
    forged = eml(
        sender=OUTSIDER,
        subject="Re: Mon paiement",
        message_id="<o3@example.net>",
        headers="In-Reply-To: <k1@example.org>\nReferences: <k1@example.org>",
    )
    third = receive(tmp_path, forged, "4.eml")
    assert third.thread != known.thread and third.thread.household is None
    # The household's own reply, from its address, joins its thread.
    reply = eml(message_id="<k2@example.org>", headers="In-Reply-To: <k1@example.org>")
    assert receive(tmp_path, reply, "5.eml").thread == known.thread


def test_the_reply_goes_to_the_known_address_never_to_the_sender(
    household, declared, make_user, tmp_path, django_capture_on_commit_callbacks
):
    agent = make_user(Role.CASE_WORKER)
    message = receive(
        tmp_path,
        eml(sender=OUTSIDER, headers=f"Reply-To: autre-{OUTSIDER}", subject="Dossier 1234567"),
    )
    with pytest.raises(ValidationError, match="Rattachez d'abord ce fil"):
        emails.email_reply(thread=message.thread, body="Bonjour", acting_user=agent)
    assert mail.outbox == [] and not EmailMessage.objects.filter(direction=Direction.OUTBOUND)
    emails.thread_link(thread=message.thread, household=household, acting_user=agent)
    with django_capture_on_commit_callbacks(execute=True):
        reply = emails.email_reply(thread=message.thread, body="Bonjour", acting_user=agent)
    run_ready_tasks()
    assert reply.recipient == "paul.durand@example.org"
    assert [m.to for m in mail.outbox] == [["paul.durand@example.org"]]


def test_a_household_without_known_address_gets_no_email_reply(household, make_user, tmp_path):
    agent = make_user(Role.CASE_WORKER)
    message = receive(tmp_path, eml(sender=OUTSIDER))
    emails.thread_link(thread=message.thread, household=household, acting_user=agent)
    with pytest.raises(ValidationError, match="aucune adresse électronique connue"):
        emails.email_reply(thread=message.thread, body="Bonjour", acting_user=agent)
    assert not EmailMessage.objects.filter(direction=Direction.OUTBOUND).exists()


def test_an_address_shared_by_two_households_waits_for_triage(household, declared, tmp_path):
    other = HouseholdFactory(number="7654321", members=[claimant(serial=8)])
    contact_point_record(
        household=other,
        kind="email",
        value="paul.durand@example.org",
        source=ContactSource.DECLARED,
        acting_user=None,
    )
    message = receive(tmp_path, eml())
    assert message.thread.household is None
    assert message.identification_note == "adresse partagée par plusieurs foyers"


def test_triage_with_a_verified_sender_makes_the_address_known(household, make_user, tmp_path):
    agent = make_user(Role.RECEPTION)
    first = receive(tmp_path, eml(sender="nouvelle@example.org", message_id="<n1@x.org>"), "1.eml")
    emails.thread_link(
        thread=first.thread, household=household, sender_verified=True, acting_user=agent
    )
    point = ContactPoint.objects.get()
    assert (point.value, point.source, point.verified, point.recorded_by) == (
        "nouvelle@example.org",
        ContactSource.AGENT,
        True,
        agent,
    )
    first.refresh_from_db()
    assert first.identified_by == Identification.TRIAGE
    assert AuditEvent.objects.filter(
        household_number="1234567", reason="tri : fil rattaché à un foyer", actor=agent
    ).exists()
    second = receive(tmp_path, eml(sender="nouvelle@example.org", message_id="<n2@x.org>"), "2.eml")
    assert second.thread.household == household
    with pytest.raises(ValidationError, match="déjà rattaché"):
        emails.thread_link(thread=first.thread, household=household, acting_user=agent)


def test_a_rejected_thread_leaves_the_queues_and_gets_no_more_mail(db, make_user, tmp_path):
    agent = make_user(Role.RECEPTION)
    message = receive(tmp_path, eml(sender=OUTSIDER, message_id="<s1@x.net>"), "1.eml")
    with pytest.raises(ValidationError, match="pourquoi"):
        emails.thread_reject(thread=message.thread, note=" ", acting_user=agent)
    emails.thread_reject(thread=message.thread, note="indésirable", acting_user=agent)
    thread = EmailThread.objects.get()
    assert thread.status == ThreadStatus.REJECTED and not triage_threads().exists()
    follow_up = eml(sender=OUTSIDER, message_id="<s2@x.net>", headers="References: <s1@x.net>")
    assert receive(tmp_path, follow_up, "2.eml").thread != thread


def test_triage_on_the_page_is_for_those_who_answer(client, household, make_user, tmp_path):
    message = receive(tmp_path, eml(sender=OUTSIDER))
    url = reverse("channels:email_thread", args=[message.thread_id])
    client.force_login(make_user(Role.ADMINISTRATOR))  # may read the queues, not decide
    assert "Tri : rattacher" not in client.get(url).content.decode()
    assert client.post(url, {"link": "1", "household_number": "1234567"}).status_code == 403
    assert EmailThread.objects.get().household is None
    client.force_login(make_user(Role.RECEPTION))
    response = client.post(url, {"link": "1", "household_number": "1234567"})
    assert response.status_code == 302
    assert EmailThread.objects.get().household == household
    assert "Courriels à trier" in client.get(reverse("channels:triage")).content.decode()


def test_assigning_a_team_still_works(household, declared, make_user, tmp_path):
    message = receive(tmp_path, eml())
    emails.thread_assign(
        thread=message.thread, team=Team.BENEFITS, acting_user=make_user(Role.MANAGER)
    )
    assert EmailThread.objects.get().team == Team.BENEFITS


def test_the_portal_shows_who_really_wrote(client, claimant, household, make_user, tmp_path):
    outsider = receive(tmp_path, eml(sender=OUTSIDER, subject="Message d'un tiers"))
    emails.thread_link(
        thread=outsider.thread, household=household, acting_user=make_user(Role.MANAGER)
    )
    client.force_login(claimant)
    client.post(
        "/mon-dossier/contact/", {"reason": "debt", "subject": "Mon indu", "body": "Je conteste."}
    )
    page = client.get("/mon-dossier/contact/").content.decode()
    assert f"Courriel reçu de {OUTSIDER} (rattaché par un agent le 31/12/2022)" in page
    assert "Vous, depuis votre espace Mon compte" in page
    assert "Votre message</td>" not in page  # what every inbound message was labelled before


def test_without_known_address_a_portal_thread_is_answered_in_mon_compte_only(
    client, household, make_user, django_capture_on_commit_callbacks
):
    user = make_user(Role.CLAIMANT, username="sans-courriel", email="")
    HouseholdAccount.objects.create(user=user, household=household)
    message = emails.contact_message_send(
        household=household, user=user, reason="payment", subject="Paiement", body="Où ?"
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply = emails.email_reply(
            thread=message.thread, body="Il part demain.", acting_user=make_user(Role.CASE_WORKER)
        )
    assert reply.recipient == "" and mail.outbox == []
    client.force_login(user)
    assert "Il part demain." in client.get("/mon-dossier/contact/").content.decode()

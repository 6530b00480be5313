"""The channels' URL × role matrix (to be merged into tests/test_roles_and_audit.py)."""

import datetime as dt

import pytest
from django.urls import reverse

from justedroit.channels import storage
from justedroit.channels.models import EmailThread, QuarantinedEmail
from justedroit.channels.services import documents, emails, mailbox
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.registry.models import HouseholdAccount

from .conftest import PDF

R = Role
QUEUES = {R.RECEPTION, R.CASE_WORKER, R.MANAGER, R.ADMINISTRATOR}
# Need-to-know: a payslip or a RIB is read by the roles that process files, not the front desk.
DOCUMENT_READERS = {
    R.CASE_WORKER,
    R.CONTROLLER,
    R.RECOVERY_AGENT,
    R.CRA_SECRETARY,
    R.VERIFIER,
    R.MANAGER,
}
ALLOWED = {
    "channels:home": QUEUES,
    "channels:statistics": {R.MANAGER, R.PROCESS_PILOT, R.DIRECTOR, R.VERIFIER, R.ADMINISTRATOR},
    "channels:email_thread": QUEUES,
    "channels:document_paper": {R.RECEPTION, R.CASE_WORKER},
    "channels:document_detail": DOCUMENT_READERS,
    "channels:document_file": DOCUMENT_READERS,
    "channels:triage": QUEUES,
    "channels:quarantine": QUEUES,
    "channels:quarantine_detail": QUEUES,
    "channels:email_attachment": DOCUMENT_READERS,
    "channels:imports_journal": {R.MANAGER, R.PROCESS_PILOT, R.ADMINISTRATOR},
    "portal:channels_contact": {R.CLAIMANT},
    "portal:channels_documents": {R.CLAIMANT},
    "portal:channels_declaration": {R.CLAIMANT},
}


@pytest.fixture
def objects(household, tmp_path):
    at = dt.datetime(2022, 12, 1, 10, tzinfo=dt.UTC)
    inbound = emails.InboundEmail("a@example.org", "Objet", "", "<p1@x>", at)
    attached = emails.Attachment("a.pdf", storage.check_upload(PDF))
    message = emails.email_receive(
        inbound=inbound,
        source="portal",
        household=household,
        acting_user=None,
        attachments=[attached],
    )
    document = documents.document_upload(
        household=household, kind="payslip", filename="a.pdf", content=PDF, acting_user=None
    )
    (tmp_path / "q.eml").write_bytes(b"pas un courriel")
    mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    return {
        "channels:email_thread": [EmailThread.objects.get().pk],
        "channels:document_detail": [document.pk],
        "channels:document_file": [document.pk],
        "channels:quarantine_detail": [QuarantinedEmail.objects.get().pk],
        "channels:email_attachment": [message.attachments.get().pk],
    }


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_every_channel_url_for_every_role(client, make_user, household, objects, role, name):
    user = make_user(role)
    if role == Role.CLAIMANT:
        HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    response = client.get(reverse(name, args=objects.get(name, [])))
    assert response.status_code == (200 if role in ALLOWED[name] else 403)


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_anonymous_visitors_go_to_login(client, household, objects, name):
    response = client.get(reverse(name, args=objects.get(name, [])))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_a_controller_cannot_reply_and_nothing_is_sent(client, make_user, household, objects):
    client.force_login(make_user(Role.CONTROLLER))
    url = reverse("channels:email_thread", args=objects["channels:email_thread"])
    assert client.post(url, {"reply": "1", "body": "x"}).status_code == 403
    assert EmailThread.objects.get().messages.count() == 1


def test_reading_a_thread_is_audited(client, make_user, household, objects):
    client.force_login(make_user(Role.CASE_WORKER))
    client.get(reverse("channels:email_thread", args=objects["channels:email_thread"]))
    assert AuditEvent.objects.filter(action="view", household_number="1234567").exists()

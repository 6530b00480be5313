import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from justedroit.channels.models import Direction, EmailMessage, EmailThread, Team, ThreadStatus
from justedroit.channels.services import emails, mailbox
from justedroit.core import clock
from justedroit.core.roles import Role
from tests.task_queue import run_ready_tasks

EML = (
    b"From: Paul Durand <paul.durand@example.org>\r\n"
    b"To: courriels@vienne.caf.example\r\n"
    b"Subject: Dossier 1234567 : mon paiement\r\n"
    b"Date: Thu, 29 Dec 2022 18:00:00 +0100\r\n"
    b"Message-ID: <m1@example.org>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Bonjour, je n'ai pas recu mon paiement.\r\n"
)
NO_SENDER = b"Subject: sans expediteur\r\nMessage-ID: <m2@example.org>\r\n\r\nTexte\r\n"


def test_eml_directory_import_files_threads_and_reports_bad_files(household, tmp_path):
    (tmp_path / "a.eml").write_bytes(EML)
    (tmp_path / "b.eml").write_bytes(NO_SENDER)
    report = mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    assert report.created == 1
    assert report.errors == ["b.eml : courriel sans expéditeur (From)."]
    thread = EmailThread.objects.get()
    assert (thread.household, thread.status, thread.correspondent) == (
        household,
        ThreadStatus.WAITING,
        "paul.durand@example.org",
    )
    again = mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    assert (again.created, again.already_there, EmailMessage.objects.count()) == (0, 1, 1)


def test_a_reply_is_sent_by_the_queue_after_commit_and_starts_the_sla_clock(
    household, make_user, django_capture_on_commit_callbacks
):
    emails.email_receive(inbound=emails.parse_eml(EML), source="mailbox", acting_user=None)
    thread = EmailThread.objects.get()
    agent = make_user(Role.CASE_WORKER)
    with django_capture_on_commit_callbacks(execute=True):
        reply = emails.email_reply(
            thread=thread, body="Votre paiement part demain.", acting_user=agent
        )
    thread.refresh_from_db()
    assert (reply.status, thread.status, mail.outbox) == ("queued", ThreadStatus.SENDING, [])
    assert run_ready_tasks() == 1
    reply.refresh_from_db()
    assert (reply.status, reply.attempts, reply.sent_at) == ("sent", 1, clock.now())
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["paul.durand@example.org"]
    assert sent.extra_headers["In-Reply-To"] == "<m1@example.org>"
    inbound = EmailMessage.objects.get(direction=Direction.INBOUND)
    # Thursday 29/12 18:00 → Saturday 31/12 10:00 (frozen clock): 6 h + 24 h on Friday.
    assert inbound.response_minutes == 30 * 60
    assert inbound.answered_at == clock.now()
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.ANSWERED
    # The allocataire answers our reply: same thread, waiting again.
    follow_up = EML.replace(b"<m1@example.org>", b"<m3@example.org>").replace(
        b"Subject: Dossier 1234567",
        b"In-Reply-To: " + reply.message_id.encode() + b"\r\nSubject: Re",
    )
    emails.email_receive(inbound=emails.parse_eml(follow_up), source="mailbox", acting_user=None)
    assert EmailThread.objects.count() == 1
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.WAITING


def test_an_empty_reply_is_refused_and_nothing_is_sent(household, make_user):
    emails.email_receive(inbound=emails.parse_eml(EML), source="mailbox", acting_user=None)
    with pytest.raises(ValidationError, match="vide"):
        emails.email_reply(
            thread=EmailThread.objects.get(), body="  ", acting_user=make_user(Role.CASE_WORKER)
        )
    assert EmailMessage.objects.count() == 1 and mail.outbox == []


def test_unknown_sender_opens_an_unidentified_thread_then_assigned(household, make_user):
    unknown = EML.replace(b"Dossier 1234567 : ", b"").replace(b"paul.durand", b"x")
    emails.email_receive(inbound=emails.parse_eml(unknown), source="mailbox", acting_user=None)
    thread = EmailThread.objects.get()
    assert thread.household is None and thread.team == Team.FRONT_OFFICE
    emails.thread_assign(
        thread=thread, household=household, team=Team.BENEFITS, acting_user=make_user(Role.MANAGER)
    )
    thread.refresh_from_db()
    assert (thread.household, thread.team) == (household, Team.BENEFITS)


class FakeImap:
    """Speaks the few IMAP commands the fetcher uses; stands for a real server in tests."""

    def __init__(self, messages):
        self.messages, self.seen, self.logged_out = messages, set(), False

    def select(self, folder):
        return "OK", [b"2"]

    def uid(self, command, *args):
        if command == "SEARCH":
            unseen = [uid for uid in self.messages if uid not in self.seen]
            return "OK", [b" ".join(unseen)]
        if command == "FETCH":
            return "OK", [(b"1 (RFC822 {n}", self.messages[args[0]]), b")"]
        if command == "STORE":
            self.seen.add(args[0])
            return "OK", []
        raise AssertionError(command)

    def logout(self):
        self.logged_out = True


def test_imap_fetch_files_unseen_messages_and_flags_only_good_ones(household):
    server = FakeImap({b"1": EML, b"2": NO_SENDER})
    report = mailbox.emails_fetch_imap(acting_user=None, connect=lambda: server)
    assert report.created == 1 and len(report.errors) == 1
    assert server.seen == {b"1"} and server.logged_out
    second = mailbox.emails_fetch_imap(acting_user=None, connect=lambda: server)
    assert second.created == 0 and EmailMessage.objects.count() == 1


def test_imap_needs_a_configured_host(db, settings):
    settings.CHANNELS_IMAP_HOST = ""
    with pytest.raises(ValidationError, match="CHANNELS_IMAP_HOST"):
        mailbox.imap_connect()


def test_portal_contact_form_opens_a_thread_for_the_household(client, claimant, household):
    client.force_login(claimant)
    response = client.post(
        "/mon-dossier/contact/",
        {"reason": "debt", "subject": "Mon indu", "body": "Je conteste."},
    )
    assert response.status_code == 302
    thread = EmailThread.objects.get()
    assert (thread.household, thread.team, thread.reason) == (household, Team.RECOVERY, "debt")
    assert thread.messages.get().source == "portal"
    assert "Mon indu" in client.get("/mon-dossier/contact/").content.decode()

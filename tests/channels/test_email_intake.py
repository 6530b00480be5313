"""One malformed e-mail never stops intake, IMAP never loses mail, attachments are kept, and
every message is either filed or quarantined with its reason."""

import base64
import hashlib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from justedroit.channels import storage
from justedroit.channels.models import (
    EmailAttachment,
    EmailMessage,
    EmailThread,
    QuarantinedEmail,
    QuarantineStatus,
)
from justedroit.channels.services import email_import, emails, mailbox
from justedroit.core.imports import FileRefused
from justedroit.core.models import AuditEvent, ImportJournal, ImportStatus
from justedroit.core.roles import Role
from tests.channels.conftest import PDF, fuzz_examples, rolled_back, table_counts
from tests.channels.mail import DATE, FakeImapServer, eml, with_attachment
from tests.task_queue import run_ready_tasks

GOOD = eml()
# A corpus of messages that must each be quarantined (never filed, never stopping the others).
HOSTILE = {
    "date in year 9999": eml(message_id="<h1@x>", date="Fri, 31 Dec 9999 23:30:00 -0100"),
    "date in year 1": eml(message_id="<h2@x>", date="Mon, 01 Jan 0001 00:00:00 +0000"),
    "date in 2030": eml(message_id="<h3@x>", date="Tue, 01 Jan 2030 10:00:00 +0100"),
    "date in 2100": eml(message_id="<h4@x>", date="Fri, 01 Jan 2100 10:00:00 +0100"),
    "unreadable date": eml(message_id="<h5@x>", date="le 3 mars"),
    "unknown charset": eml(message_id="<h6@x>").replace(b"charset=utf-8", b"charset=x-inconnu"),
    "no sender": eml(message_id="<h7@x>").replace(b"From: paul.durand@example.org\r\n", b""),
    "two senders": eml(message_id="<h8@x>", sender="a@example.org, b@example.org"),
    "sender over 254 characters": eml(message_id="<h9@x>", sender="a" * 250 + "@example.org"),
    "broken MIME": (
        b"From: a@example.org\r\nMessage-ID: <h10@x>\r\n"
        b"Content-Type: multipart/mixed; boundary=ZZ\r\n\r\nno boundary at all\r\n"
    ),
    "broken base64 attachment": with_attachment(
        b"Voir PJ", filename="a.pdf", content_type="application/pdf", payload_b64="JVBE@@@###x"
    ),
    "refused attachment type": with_attachment(
        b"Voir PJ",
        filename="logo.gif",
        content_type="image/gif",
        payload_b64=base64.b64encode(b"GIF89a" + b"\0" * 20).decode(),
    ),
    "headers without end": b"From: a@example.org\r\nX-Long: " + b"a" * 300_000,
    "random bytes": bytes(range(256)) * 4,
    "MIME nested 3,000 deep": b"From: a@example.org\r\n"
    + b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (n, n)
        for n in range(3000)
    ),
}


def _dir(tmp_path, messages: dict[str, bytes]):
    directory = tmp_path / "boite"
    directory.mkdir()
    for number, raw in enumerate(messages.values()):
        (directory / f"{number:02d}.eml").write_bytes(raw)
    return directory


def test_one_malformed_message_never_stops_the_others(db, tmp_path):
    directory = _dir(tmp_path, HOSTILE | {"good": GOOD})
    journal, report = mailbox.emails_import_dir(directory=directory, acting_user=None)
    assert (report.read, report.created, len(report.refused)) == (len(HOSTILE) + 1, 1, len(HOSTILE))
    assert EmailMessage.objects.get().message_id == "<m1@example.org>"
    held = {q.label: q for q in QuarantinedEmail.objects.all()}
    assert len(held) == len(HOSTILE)
    reasons = [held[f"{n:02d}.eml"].reason for n in range(len(HOSTILE))]
    expected = [
        "hors de la période admise",
        "hors de la période admise",
        "hors de la période admise",
        "hors de la période admise",
        "date illisible « le 3 mars »",
        "jeu de caractères inconnu « x-inconnu »",
        "courriel sans expéditeur (From)",
        "exactement une adresse",
        "adresse de l'expéditeur trop longue (262 caractères, 254 au plus)",
        "structure MIME invalide",
        "pièce jointe « a.pdf » : encodage base64 invalide",
        "pièce jointe « logo.gif » : Ce fichier n'est ni un PDF",
        "en-têtes illisibles ou trop longs",
        "courriel sans expéditeur",
        "structure MIME trop imbriquée",
    ]
    for reason, fragment in zip(reasons, expected, strict=True):
        assert fragment in reason
    for item in held.values():  # kept raw, byte for byte
        raw = storage.quarantine_path(item.stored_name).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == item.sha256 and len(raw) == item.size
    journal.refresh_from_db()
    assert (journal.rows_read, journal.rows_created, journal.rows_refused) == (16, 1, 15)
    # The same directory again: a visible duplicate, nothing read, nothing doubled.
    again, _ = mailbox.emails_import_dir(directory=directory, acting_user=None)
    assert again.status == ImportStatus.DUPLICATE
    assert QuarantinedEmail.objects.count() == len(HOSTILE) and EmailMessage.objects.count() == 1


def test_an_encoded_newline_in_the_subject_cannot_inject_a_header(
    household, claimant, make_user, tmp_path, django_capture_on_commit_callbacks
):
    raw = eml(subject="=?utf-8?q?Bonjour=0D=0ABcc:_tous@example.net?= \x1b[2J\u202eevil")
    (tmp_path / "a.eml").write_bytes(raw)
    mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    thread = EmailThread.objects.get()
    assert thread.subject == "Bonjour Bcc: tous@example.net [2Jevil"
    with django_capture_on_commit_callbacks(execute=True):
        emails.email_reply(thread=thread, body="Réponse", acting_user=make_user(Role.CASE_WORKER))
    run_ready_tasks()
    (sent,) = mail.outbox
    assert sent.bcc == [] and sent.to == ["paul.durand@example.org"]
    assert "\n" not in sent.message()["Subject"]


def test_terminal_escapes_and_nul_are_removed_from_the_text(db, tmp_path):
    (tmp_path / "a.eml").write_bytes(eml(body="ligne 1\x1b]0;titre\x07\r\nligne\x00 2\x9b31m"))
    mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    assert EmailMessage.objects.get().body == "ligne 1]0;titre\nligne 231m"


def test_a_message_id_reused_by_another_message_is_quarantined_not_dropped(db, tmp_path):
    _dir(tmp_path, {"a": GOOD, "b": eml(body="un autre texte")})
    _, report = mailbox.emails_import_dir(directory=tmp_path / "boite", acting_user=None)
    assert report.created == 1
    assert "déjà celui d'un autre courriel" in QuarantinedEmail.objects.get().reason


def test_a_missing_message_id_still_makes_reimport_idempotent(db, tmp_path):
    (tmp_path / "a.eml").write_bytes(eml(message_id=""))
    mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    (tmp_path / "b.eml").write_bytes(eml(message_id=""))  # same bytes, another file
    _, report = mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    assert (report.already_there, EmailMessage.objects.count()) == (2, 1)
    assert EmailMessage.objects.get().message_id.startswith("<sha256-")


def test_an_empty_directory_is_refused(db, tmp_path):
    with pytest.raises(FileRefused, match=r"aucun fichier \.eml"):
        mailbox.emails_import_dir(directory=tmp_path, acting_user=None)


# ---- attachments -------------------------------------------------------------------------------
def test_attachments_are_kept_as_documents_of_the_thread(
    client, household, claimant, make_user, tmp_path
):
    raw = with_attachment(
        b"Ci-joint",
        filename="../../bulletin.pdf",
        content_type="application/pdf",
        payload_b64=base64.b64encode(PDF).decode(),
    )
    (tmp_path / "a.eml").write_bytes(raw)
    mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    attachment = EmailAttachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "bulletin.pdf",
        "application/pdf",
        len(PDF),
    )
    assert storage.path_of(attachment.stored_name).read_bytes() == PDF
    client.force_login(make_user(Role.CASE_WORKER))
    response = client.get(reverse("channels:email_attachment", args=[attachment.pk]))
    assert response.content == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert AuditEvent.objects.filter(
        household_number="1234567", reason="ouverture d'une pièce jointe de courriel"
    ).exists()


def test_a_too_big_attachment_or_message_is_quarantined_not_dropped(db, settings, tmp_path):
    settings.CHANNELS_DOCUMENT_MAX_BYTES = 1024
    settings.CHANNELS_EMAIL_MAX_BYTES = 8 * 1024
    big_pdf = base64.b64encode(PDF + b"0" * 2048).decode()
    huge = base64.b64encode(PDF + b"0" * 9000).decode()
    _dir(
        tmp_path,
        {
            "big attachment": with_attachment(
                b"x", filename="a.pdf", content_type="application/pdf", payload_b64=big_pdf
            ),
            "huge message": with_attachment(
                b"x", filename="b.pdf", content_type="application/pdf", payload_b64=huge
            ),
        },
    )
    mailbox.emails_import_dir(directory=tmp_path / "boite", acting_user=None)
    reasons = sorted(QuarantinedEmail.objects.values_list("reason", flat=True))
    assert reasons[0].startswith("courriel trop volumineux")
    assert reasons[1] == "pièce jointe « a.pdf » : Le fichier dépasse la taille maximale de 0 Mo."
    assert not EmailMessage.objects.exists()


class FakeScanner:
    """Stands for clamd: finds a virus in every file, or is down."""

    def __init__(self, error):
        self.error = error

    def scan(self, content):
        raise self.error


def test_a_virus_or_a_scanner_down_quarantines_and_a_retry_files_it(
    monkeypatch, household, claimant, make_user, tmp_path
):
    raw = with_attachment(
        b"PJ",
        filename="a.pdf",
        content_type="application/pdf",
        payload_b64=base64.b64encode(PDF).decode(),
    )
    (tmp_path / "a.eml").write_bytes(raw)
    down = ValidationError("L'analyse antivirale est indisponible : réessayez plus tard.")
    monkeypatch.setattr(storage, "virus_scanner", lambda: FakeScanner(down))
    mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    item = QuarantinedEmail.objects.get()
    assert item.reason == "L'analyse antivirale est indisponible : réessayez plus tard."
    assert not EmailAttachment.objects.exists() and not any(storage.document_dir().glob("*"))
    agent = make_user(Role.CASE_WORKER)
    monkeypatch.setattr(storage, "virus_scanner", lambda: FakeScanner(storage.VirusFound("virus")))
    with pytest.raises(ValidationError, match="Nouvel essai en échec : virus"):
        email_import.quarantine_retry(item=item, acting_user=agent)
    item.refresh_from_db()
    assert (item.status, item.attempts, item.reason) == (QuarantineStatus.PENDING, 2, "virus")
    monkeypatch.setattr(storage, "virus_scanner", storage.NoopScanner)
    message = email_import.quarantine_retry(item=item, acting_user=agent)
    item.refresh_from_db()
    assert (item.status, item.message, message.attachments.count()) == (
        QuarantineStatus.RELEASED,
        message,
        1,
    )


def test_an_agent_can_file_a_message_without_its_refused_attachment(db, make_user, tmp_path):
    (tmp_path / "a.eml").write_bytes(HOSTILE["refused attachment type"])
    mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    item = QuarantinedEmail.objects.get()
    agent = make_user(Role.RECEPTION)
    with pytest.raises(ValidationError, match=r"logo\.gif"):
        email_import.quarantine_retry(item=item, acting_user=agent)
    message = email_import.quarantine_retry(
        item=item, acting_user=agent, without_refused_attachments=True
    )
    assert "sans ces pièces jointes" in message.body and "logo.gif" in message.body
    assert storage.quarantine_path(item.stored_name).exists()  # the original stays


def test_discarding_needs_a_reason_and_is_audited(client, db, make_user, tmp_path):
    (tmp_path / "a.eml").write_bytes(HOSTILE["random bytes"])
    mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    item = QuarantinedEmail.objects.get()
    url = reverse("channels:quarantine_detail", args=[item.pk])
    client.force_login(make_user(Role.ADMINISTRATOR))
    page = client.get(url).content.decode()
    assert "\\x00" in page and "\x00" not in page  # controls shown escaped
    assert client.post(url, {"discard": "1", "note": "spam"}).status_code == 403
    client.force_login(make_user(Role.RECEPTION))
    assert client.post(url, {"discard": "1", "note": ""}).status_code == 400
    assert client.post(url, {"discard": "1", "note": "indésirable"}).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.handling_note) == (QuarantineStatus.DISCARDED, "indésirable")
    assert AuditEvent.objects.filter(reason="quarantaine : écarté").exists()


# ---- IMAP --------------------------------------------------------------------------------------
def _fetch(server, **kwargs):
    return mailbox.emails_fetch_imap(
        acting_user=None,
        connect=lambda: mailbox.ImapMailbox(server, folder="INBOX", name="test", **kwargs),
    )


def test_imap_files_each_message_then_flags_it_and_loses_none(db, tmp_path):
    server = FakeImapServer(
        {b"1": HOSTILE["date in year 9999"], b"2": GOOD, b"3": HOSTILE["unknown charset"]}
    )
    stored_before_flag = []
    server.on_store = lambda uid: stored_before_flag.append(
        EmailMessage.objects.count() + QuarantinedEmail.objects.count()
    )
    journal, report = _fetch(server, chunk=100)  # several partial fetches per message
    assert (report.created, len(report.refused)) == (1, 2)
    assert server.seen == {b"1", b"2", b"3"} and server.logged_out
    assert stored_before_flag == [1, 2, 3]  # each flag only once its message is kept here
    assert EmailMessage.objects.get().body == "Bonjour, je n'ai pas recu mon paiement."
    assert journal.kind == mailbox.IMAP_KIND and journal.rows_read == 3
    _, again = _fetch(server)
    assert again.read == 0 and EmailMessage.objects.count() == 1


def test_imap_leaves_a_message_the_server_would_not_deliver(db):
    server = FakeImapServer({b"1": GOOD}, refuse=("BODY.PEEK",))
    _, report = _fetch(server)
    assert report.read == 0 and "laissé sur le serveur" in report.warnings[0].lower()
    assert server.seen == set() and not EmailMessage.objects.exists()


def test_a_crash_while_filing_leaves_the_message_unread_on_the_server(db, monkeypatch):
    server = FakeImapServer({b"1": GOOD, b"2": eml(message_id="<m2@example.org>")})

    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(email_import, "email_receive", disk_full)
    monkeypatch.setattr(storage, "quarantine_keep", disk_full)
    with pytest.raises(OSError):
        _fetch(server)
    assert server.seen == set()  # nothing flagged: the next run gets both
    assert ImportJournal.objects.get().status == ImportStatus.RUNNING  # visible as interrupted
    monkeypatch.undo()
    _, report = _fetch(server)
    assert report.created == 2 and server.seen == {b"1", b"2"}


def test_a_failed_flag_is_harmless_the_next_run_finds_the_message_filed(db):
    server = FakeImapServer({b"1": GOOD}, refuse=("STORE",))
    _, first = _fetch(server)
    assert first.created == 1 and "marqué au prochain passage" in first.warnings[0]
    server.refuse = ()
    _, second = _fetch(server)
    assert (second.already_there, EmailMessage.objects.count(), server.seen) == (1, 1, {b"1"})


def test_imap_refuses_to_flag_inside_an_uncommitted_transaction(db):
    server = FakeImapServer({b"1": GOOD})
    with pytest.raises(RuntimeError), transaction.atomic():
        _fetch(server)
    assert server.seen == set()


def test_imap_without_configuration_says_so(db, settings):
    settings.CHANNELS_IMAP_HOST = ""
    with pytest.raises(ValidationError, match="CHANNELS_IMAP_HOST"):
        mailbox.ImapMailbox.from_settings()


def test_the_command_imports_a_directory_and_a_dry_run_leaves_no_file(db, tmp_path, capsys):
    directory = _dir(tmp_path, {"good": GOOD, "bad": HOSTILE["random bytes"]})
    call_command("channels", "import-emails", str(directory))
    assert not EmailMessage.objects.exists() and not QuarantinedEmail.objects.exists()
    assert not any(storage.quarantine_dir().glob("*"))
    call_command("channels", "import-emails", str(directory), "--wet-run")
    out, err = capsys.readouterr()
    assert "2 lu(s) : 1 ajouté(s)" in out and "01.eml : mis en quarantaine" in err


# ---- fuzzing: whatever arrives, every message is filed or quarantined, and flagged -----------
PIECES = st.sampled_from(
    [
        b"\r\n",
        b"\n\n",
        b"From: ",
        b"From: a@example.org\r\n",
        b"Subject: =?utf-8?q?a=0Ab?=\r\n",
        b"Subject: =?x-bad?B?!!?=\r\n",
        b"Date: Fri, 31 Dec 9999 23:59:59 -1200\r\n",
        b"Date: " + DATE.encode() + b"\r\n",
        b"Message-ID: <fuzz@x>\r\n",
        b"References: <m1@example.org>\r\n",
        b"Content-Type: multipart/mixed; boundary=B\r\n",
        b"Content-Type: text/plain; charset=utf-16\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"--B\r\n",
        b"--B--\r\n",
        b"\x00\x1b[31m\xff\xfe",
        b"=?utf-8?b?",
        PDF,
    ]
)
RAW = st.one_of(
    st.binary(max_size=300),
    st.lists(PIECES, max_size=12).map(b"".join),
    st.builds(
        lambda head, tail: GOOD[:head] + tail, st.integers(0, len(GOOD)), st.binary(max_size=40)
    ),
)


@settings(
    max_examples=fuzz_examples(40), suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(messages=st.lists(RAW, min_size=1, max_size=6))
def test_fuzz_no_input_loses_another_message(household, claimant, messages):
    server = FakeImapServer(
        {str(n).encode(): raw for n, raw in enumerate([*messages, GOOD], start=1)}
    )
    with rolled_back():
        before = table_counts()
        _, report = _fetch(server)
        assert server.seen == set(server.messages)  # every one kept here, then flagged
        assert report.balanced and report.read == len(server.messages)
        kept = {m.raw_sha256 for m in EmailMessage.objects.all()}
        kept |= set(QuarantinedEmail.objects.values_list("sha256", flat=True))
        assert {hashlib.sha256(raw).hexdigest() for raw in server.messages.values()} <= kept
        assert EmailMessage.objects.filter(message_id="<m1@example.org>").exists()
        after = table_counts()
        changed = {label for label in after if after[label] != before[label]}
        assert changed <= {
            "channels.EmailMessage",
            "channels.EmailThread",
            "channels.EmailAttachment",
            "channels.QuarantinedEmail",
            "core.AuditEvent",
            "core.AuditEventHousehold",
            "core.ImportJournal",
        }


def test_an_unreachable_imap_server_is_a_french_error(db, settings):
    settings.CHANNELS_IMAP_HOST, settings.CHANNELS_IMAP_PORT = "127.0.0.1", 9  # nothing listens
    with pytest.raises(ValidationError, match=r"Connexion IMAP impossible à 127\.0\.0\.1"):
        mailbox.ImapMailbox.from_settings()

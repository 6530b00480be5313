"""The inbound mailbox: a directory of .eml files, or an IMAP folder.

IMAP settings (read with defaults): `CHANNELS_IMAP_HOST` (empty: no fetching), `CHANNELS_IMAP_PORT`
(993), `CHANNELS_IMAP_USER`, `CHANNELS_IMAP_PASSWORD`, `CHANNELS_IMAP_FOLDER` ("INBOX").

The server is the outside world, reached through the `Mailbox` interface (`ImapMailbox` is its
adapter over imaplib). A message is downloaded in chunks into a spool file without being marked
read (BODY.PEEK), filed or quarantined in its own committed transaction, and only then flagged
\\Seen on the server: a crash at any point leaves it on the server for the next run, and no
message can stop the ones after it.
"""

import contextlib
import hashlib
import imaplib
import re
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError

from justedroit.channels import storage
from justedroit.channels.services.email_import import email_import_file
from justedroit.core.imports import (
    FileRefused,
    ImportReport,
    file_digest,
    journal_close,
    journal_open,
)
from justedroit.core.models import ImportJournal, ImportStatus, User

EML_KIND = "courriels-eml"
IMAP_KIND = "courriels-imap"


def emails_import_dir(
    *,
    directory: Path,
    acting_user: User | None,
    progress: Callable[[int], None] = lambda done: None,
) -> tuple[ImportJournal, ImportReport]:
    """Every *.eml of `directory`, in name order, each filed or quarantined on its own. The
    directory's content is journaled: the same files again are not read twice."""
    if not directory.is_dir():
        raise FileRefused(f"dossier introuvable : {directory}.")
    paths = sorted(p for p in directory.glob("*.eml") if p.is_file())
    if not paths:
        raise FileRefused(f"le dossier {directory} ne contient aucun fichier .eml.")
    digest, size = hashlib.sha256(), 0
    for path in paths:
        sha256, length = file_digest(path)
        digest.update(f"{path.name}\0{sha256}\0".encode())
        size += length
    report = ImportReport()
    journal = journal_open(
        kind=EML_KIND,
        source_name=str(directory),
        sha256=digest.hexdigest(),
        size=size,
        acting_user=acting_user,
    )
    if journal.status == ImportStatus.DUPLICATE:
        return journal, report
    for done, path in enumerate(paths, start=1):
        email_import_file(path=path, label=path.name, report=report, acting_user=acting_user)
        progress(done)
    journal_close(journal, report)
    return journal, report


# ---- IMAP --------------------------------------------------------------------------------------
class MailboxError(Exception):
    """The server did not do what was asked; the message stays there for the next run."""


class Mailbox(Protocol):
    name: str

    def unseen(self) -> list[str]: ...

    def download(self, uid: str, sink: BinaryIO) -> None:
        """Write the raw message into `sink` without marking it read."""

    def mark_filed(self, uid: str) -> None:
        """Flag the message \\Seen: it is safely kept here."""

    def close(self) -> None: ...


_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapMailbox:
    """`Mailbox` over imaplib (RFC 3501): UID commands only, partial fetches of `chunk` bytes."""

    def __init__(self, client: imaplib.IMAP4, *, folder: str, name: str, chunk: int = 1 << 20):
        self.client, self.name, self.chunk = client, name, chunk
        status, _ = client.select(folder)
        if status != "OK":
            raise ValidationError(f"Dossier IMAP « {folder} » inaccessible.")

    @classmethod
    def from_settings(cls) -> "ImapMailbox":
        host = getattr(settings, "CHANNELS_IMAP_HOST", "")
        if not host:
            raise ValidationError("Aucune boîte IMAP configurée (CHANNELS_IMAP_HOST).")
        user = getattr(settings, "CHANNELS_IMAP_USER", "")
        folder = getattr(settings, "CHANNELS_IMAP_FOLDER", "INBOX")
        try:
            client = imaplib.IMAP4_SSL(host, int(getattr(settings, "CHANNELS_IMAP_PORT", 993)))
            client.login(user, getattr(settings, "CHANNELS_IMAP_PASSWORD", ""))
        except (OSError, imaplib.IMAP4.error) as error:
            raise ValidationError(f"Connexion IMAP impossible à {host} : {error}") from None
        return cls(client, folder=folder, name=f"{user}@{host}/{folder}")

    def unseen(self) -> list[str]:
        status, data = self.client.uid("SEARCH", "UNSEEN")
        if status != "OK":
            raise MailboxError("recherche des messages non lus refusée par le serveur.")
        return [uid.decode() for uid in (data[0] or b"").split()] if data else []

    def _fetch(self, uid: str, item: str) -> tuple[bytes, bytes | None]:
        status, parts = self.client.uid("FETCH", uid, f"({item})")
        answer = next((p for p in parts or [] if isinstance(p, tuple)), None)
        if status != "OK" or not parts or parts[0] is None:
            raise MailboxError("lecture refusée par le serveur.")
        if answer is None:
            return parts[0] if isinstance(parts[0], bytes) else b"", None
        return answer[0], answer[1]

    def download(self, uid: str, sink: BinaryIO) -> None:
        envelope, _ = self._fetch(uid, "RFC822.SIZE")
        found = _SIZE.search(envelope)
        if found is None:
            raise MailboxError("taille du message inconnue.")
        size, offset = int(found.group(1)), 0
        while offset < size:
            # BODY.PEEK never sets \Seen (FETCH RFC822 or BODY[] would, before we hold it).
            _, data = self._fetch(uid, f"BODY.PEEK[]<{offset}.{self.chunk}>")
            if not data:
                break
            sink.write(data)
            offset += len(data)
        if offset != size:
            raise MailboxError(f"message incomplet ({offset} octets reçus sur {size}).")

    def mark_filed(self, uid: str) -> None:
        status, _ = self.client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        if status != "OK":
            raise MailboxError("marquage comme lu refusé par le serveur.")

    def close(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self.client.logout()


def emails_fetch_imap(
    *,
    acting_user: User | None,
    connect: Callable[[], Mailbox] = ImapMailbox.from_settings,
) -> tuple[ImportJournal, ImportReport]:
    """File or quarantine every unseen message of the folder, each committed before the server
    is told; a message the server fails to deliver stays there (a warning) for the next run."""
    mailbox = connect()
    report = ImportReport()
    try:
        journal = journal_open(
            kind=IMAP_KIND, source_name=mailbox.name, sha256="", size=0, acting_user=acting_user
        )
        for uid in mailbox.unseen():
            label = f"message IMAP {uid}"
            with storage.spooled() as (path, sink):
                try:
                    mailbox.download(uid, sink)
                except MailboxError as error:
                    report.warnings.append(f"{label} : {error} Laissé sur le serveur.")
                    continue
                sink.flush()
                email_import_file(
                    path=path,
                    label=label,
                    report=report,
                    acting_user=acting_user,
                    move=True,
                    durable=True,
                )
            try:
                mailbox.mark_filed(uid)
            except MailboxError as error:  # kept here already: the next run finds it filed
                report.warnings.append(f"{label} : {error} Il sera marqué au prochain passage.")
    finally:
        mailbox.close()
    journal_close(journal, report)
    return journal, report

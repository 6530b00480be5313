"""The inbound mailbox: a directory of .eml files, or an IMAP folder.

IMAP settings (read with defaults): `CHANNELS_IMAP_HOST` (empty: no fetching), `CHANNELS_IMAP_PORT`
(993), `CHANNELS_IMAP_USER`, `CHANNELS_IMAP_PASSWORD`, `CHANNELS_IMAP_FOLDER` ("INBOX").
Messages are fetched over TLS and flagged \\Seen only once filed and committed.
"""

import contextlib
import imaplib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.channels.models import EmailSource
from justedroit.channels.services.common import ImportReport
from justedroit.channels.services.emails import email_receive, parse_eml
from justedroit.core.models import User


def _file_one(raw: bytes, label: str, report: ImportReport, acting_user: User | None) -> bool:
    try:
        inbound = parse_eml(raw)
        with transaction.atomic():
            message = email_receive(
                inbound=inbound, source=EmailSource.MAILBOX, acting_user=acting_user
            )
    except ValidationError as error:
        report.errors.append(f"{label} : {' '.join(error.messages)}")
        return False
    if message is None:
        report.already_there += 1
    else:
        report.created += 1
    return True


def emails_import_dir(
    *,
    directory: Path,
    acting_user: User | None,
    progress: Callable[[int], None] = lambda done: None,
) -> ImportReport:
    """Every *.eml of `directory`, in name order; a bad file is reported, the others kept."""
    if not directory.is_dir():
        raise ValidationError(f"Dossier introuvable : {directory}.")
    report = ImportReport()
    for done, path in enumerate(sorted(directory.glob("*.eml")), start=1):
        _file_one(path.read_bytes(), path.name, report, acting_user)
        progress(done)
    return report


def imap_connect() -> imaplib.IMAP4:
    host = getattr(settings, "CHANNELS_IMAP_HOST", "")
    if not host:
        raise ValidationError("Aucune boîte IMAP configurée (CHANNELS_IMAP_HOST).")
    client = imaplib.IMAP4_SSL(host, int(getattr(settings, "CHANNELS_IMAP_PORT", 993)))
    client.login(
        getattr(settings, "CHANNELS_IMAP_USER", ""), getattr(settings, "CHANNELS_IMAP_PASSWORD", "")
    )
    return client


def emails_fetch_imap(
    *, acting_user: User | None, connect: Callable[[], imaplib.IMAP4] = imap_connect
) -> ImportReport:
    """File the unseen messages of the configured folder; a message is flagged seen only when
    filed (or already there), so a failure leaves it for the next run."""
    report = ImportReport()
    client = connect()
    try:
        status, _ = client.select(getattr(settings, "CHANNELS_IMAP_FOLDER", "INBOX"))
        if status != "OK":
            raise ValidationError("Dossier IMAP inaccessible.")
        status, data = client.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for uid in uids:
            status, parts = client.uid("FETCH", uid, "(RFC822)")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple)), None)
            if status != "OK" or raw is None:
                report.errors.append(f"message IMAP {uid.decode()} : lecture impossible.")
                continue
            if _file_one(raw, f"message IMAP {uid.decode()}", report, acting_user):
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return report

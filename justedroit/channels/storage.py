"""Uploaded files: content sniffing, virus scan, storage outside the web root under a random name.

Settings (read with defaults):
- `CHANNELS_DOCUMENT_DIR` — where files are kept (default `VAR_DIR / "documents"`, never served
  by the web server; agents get a file through a view that checks their permission);
- `CHANNELS_DOCUMENT_MAX_BYTES` — size limit (default 10 Mio);
- `CHANNELS_CLAMAV_SOCKET` — path of clamd's Unix socket; without it a no-op scanner is used only
  when `DEBUG` is on or `CHANNELS_VIRUS_SCANNER = "noop"` (development, tests), and uploads are
  refused otherwise.
"""

import contextlib
import hashlib
import os
import secrets
import shutil
import socket
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

ALLOWED_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def document_dir() -> Path:
    return Path(getattr(settings, "CHANNELS_DOCUMENT_DIR", settings.VAR_DIR / "documents"))


def max_bytes() -> int:
    return int(getattr(settings, "CHANNELS_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def read_bounded(upload) -> bytes:
    """An uploaded file's content, at most one byte beyond the limit: enough for the checks to
    refuse a file that is too big without reading all of it."""
    return upload.read(max_bytes() + 1)


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    sha256: str


def check_upload(content: bytes) -> CheckedFile:
    """The file's real type from its first bytes, whatever its name says; a French message when it
    is empty, too big or not a PDF, JPEG or PNG."""
    if not content:
        raise ValidationError("Le fichier est vide.")
    limit = max_bytes()
    if len(content) > limit:
        raise ValidationError(
            f"Le fichier dépasse la taille maximale de {limit // (1024 * 1024)} Mo."
        )
    kind = filetype.guess(content[:8192])
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(
            "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG (son contenu a été vérifié, "
            "quel que soit son nom)."
        )
    return CheckedFile(content, kind.mime, hashlib.sha256(content).hexdigest())


class VirusFound(ValidationError):
    pass


class NoopScanner:
    """Development and tests only: accepts everything."""

    def scan(self, content: bytes) -> None:
        return None


class ClamAVScanner:
    """clamd's INSTREAM command over its Unix socket."""

    def __init__(self, path: str, timeout: float = 30.0):
        self.path, self.timeout = path, timeout

    def scan(self, content: bytes) -> None:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                sock.connect(self.path)
                sock.sendall(b"zINSTREAM\0")
                for start in range(0, len(content), 65536):
                    chunk = content[start : start + 65536]
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                answer = b""
                while not answer.endswith(b"\0"):
                    data = sock.recv(4096)
                    if not data:
                        break
                    answer += data
        except OSError as error:
            raise ValidationError(
                "L'analyse antivirale est indisponible : réessayez plus tard."
            ) from error
        text = answer.rstrip(b"\0").decode("utf-8", "replace")
        if text.endswith("FOUND"):
            raise VirusFound("Le fichier contient un virus : il n'a pas été enregistré.")
        if not text.endswith("OK"):
            raise ValidationError("L'analyse antivirale a échoué : réessayez plus tard.")


def virus_scanner():
    path = getattr(settings, "CHANNELS_CLAMAV_SOCKET", "")
    if path:
        return ClamAVScanner(path)
    if settings.DEBUG or getattr(settings, "CHANNELS_VIRUS_SCANNER", "") == "noop":
        return NoopScanner()
    raise ValidationError(
        "L'analyse antivirale n'est pas configurée : le dépôt de documents est fermé."
    )


def store(content: bytes) -> str:
    """Write the file under a random name; returns that name."""
    directory = document_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    path = directory / name
    with open(path, "xb") as handle:
        handle.write(content)
    path.chmod(0o600)
    return name


def remove(name: str) -> None:
    (document_dir() / name).unlink(missing_ok=True)


def path_of(name: str) -> Path:
    if not name or "/" in name or name.startswith("."):
        raise ValidationError("Nom de stockage invalide.")
    return document_dir() / name


# ---- raw e-mails: spool and quarantine ---------------------------------------------------------
# `CHANNELS_QUARANTINE_DIR` (default `VAR_DIR / "quarantaine"`): raw messages that could not be
# filed, kept for an agent, never served by the web server. Its `spool/` subdirectory receives
# messages being fetched, on the same file system so that keeping one is a rename.
def quarantine_dir() -> Path:
    return Path(getattr(settings, "CHANNELS_QUARANTINE_DIR", settings.VAR_DIR / "quarantaine"))


def quarantine_path(name: str) -> Path:
    if not name or "/" in name or name.startswith("."):
        raise ValidationError("Nom de stockage invalide.")
    return quarantine_dir() / name


@contextlib.contextmanager
def spooled() -> Iterator[tuple[Path, BinaryIO]]:
    """A new private file to receive a raw message; gone afterwards unless kept."""
    directory = quarantine_dir() / "spool"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle = tempfile.NamedTemporaryFile(dir=directory, delete=False)  # noqa: SIM115
    path = Path(handle.name)
    try:
        with handle:
            yield path, handle
    finally:
        path.unlink(missing_ok=True)


def quarantine_keep(source: Path, *, move: bool) -> str:
    """Keep a raw message in quarantine under a random name (moved when it is a spool file,
    copied from an operator's directory otherwise)."""
    directory = quarantine_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = secrets.token_hex(16)
    target = directory / name
    if move:
        os.replace(source, target)
    else:
        shutil.copyfile(source, target)
    target.chmod(0o600)
    return name

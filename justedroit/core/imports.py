"""Imports of files from outside (telephony exports, e-mails, partner files): the rules every format
follows. User documentation: docs/imports.md.

Every input is hostile. A CSV file is first checked whole — encoding, delimiter, columns, at least
one row, every physical line accounted for — and a file that fails is refused with its reason before
any row is written. Then each row is validated whole against its format's schema (a pydantic model
whose fields carry range checks) before it is written: a bad row is reported with its line number
and a French message, the valid rows are kept. Each run is journaled (`ImportJournal`: the file's
SHA-256, the counts, the operator, start and end): a file already imported is not imported again,
and the journal says so.

The accounting invariant, checked at the end of every run and by a database constraint: rows read =
rows stored + rows already there + rows refused.
"""

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Generic, TypeVar

import pydantic
from django.db import DatabaseError, models, transaction
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from justedroit.core import audit, clock
from justedroit.core.models import ImportJournal, ImportStatus, User

# The plausible window of an imported instant: nothing older than five years to the day (the
# longest period a Caf looks back on a contact) and nothing later than now, give or take one hour
# of clock skew between the sender's systems and ours.
PAST_YEARS = 5
FUTURE_TOLERANCE = dt.timedelta(hours=1)
JOURNAL_ERRORS_KEPT = 1_000


class FileRefused(Exception):
    """The whole file is refused; `reason` is in French. Nothing of it is written."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RowError:
    where: str  # "Ligne 4", or a message's label ("a.eml", "message IMAP 12")
    message: str

    def __str__(self) -> str:
        return f"{self.where} : {self.message}"


def at_line(line: int, message: str) -> RowError:
    return RowError(f"Ligne {line}", message)


@dataclass
class ImportReport:
    """What a run did. Every row read is counted once: created, already there, or refused."""

    read: int = 0
    created: int = 0
    already_there: int = 0
    refused: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.read == self.created + self.already_there + len(self.refused)

    def summary(self) -> str:
        return (
            f"{self.read} lu(s) : {self.created} ajouté(s), {self.already_there} déjà présent(s), "
            f"{len(self.refused)} refusé(s), {len(self.warnings)} avertissement(s)."
        )


# ---- text from outside -------------------------------------------------------------------------
# C0 controls but tab and line feed, DEL, C1 controls (terminal escapes start with ESC or CSI).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BREAKS = re.compile("[\r\n\t\x0b\x0c\x85\u2028\u2029]+")
# Invisible formatting that can disguise a header on screen: bidi overrides, zero-width marks.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def printable(value: Any, limit: int = 60) -> str:
    """A value quoted in a message for an operator's terminal or a page: every non-printable
    character shown as an escape, cut at `limit` characters."""
    text = str(value)
    shown = "".join(
        c if c.isprintable() and not _INVISIBLE.match(c) else c.encode("unicode_escape").decode()
        for c in text[: limit + 1]
    )
    return shown[:limit] + ("…" if len(text) > limit or len(shown) > limit else "")


def _valid_unicode(text: str) -> str:
    # Parsers hand undecodable bytes over as lone surrogates, which no database accepts.
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def single_line(text: str, max_length: int) -> str:
    """A header value made safe to store, display and send again: line breaks become spaces (no
    header injection), control and invisible formatting characters are removed, spaces collapse,
    and the value is cut at `max_length` with an ellipsis."""
    text = _INVISIBLE.sub("", _CONTROL.sub("", _BREAKS.sub(" ", _valid_unicode(text))))
    text = " ".join(text.split())
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


def clean_text(text: str) -> str:
    """A message's text: lines kept, control characters (terminal escapes, NUL) removed."""
    return _CONTROL.sub("", _valid_unicode(text).replace("\r\n", "\n").replace("\r", "\n"))


def forbidden_character(text: str, *, allow_newline: bool = False) -> str | None:
    """The first control character in `text`, described in French; None when there is none."""
    for char in text:
        if char == "\n" and allow_newline:
            continue
        if char in "\r\n\t" or _CONTROL.match(char) or _INVISIBLE.match(char):
            return f"caractère de contrôle interdit (U+{ord(char):04X})"
    return None


# ---- schema field types ------------------------------------------------------------------------
def _single_line_text(value: Any) -> Any:
    if isinstance(value, str) and (problem := forbidden_character(value)):
        raise ValueError(problem)
    return value


def _multiline_text(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        if problem := forbidden_character(value, allow_newline=True):
            raise ValueError(problem)
    return value


def text(max_length: int, *, required: bool = True, multiline: bool = False):
    """A text column: stripped, no control character, at most `max_length` characters."""
    return Annotated[
        str,
        BeforeValidator(_multiline_text if multiline else _single_line_text),
        StringConstraints(
            strip_whitespace=True, min_length=1 if required else 0, max_length=max_length
        ),
    ]


def choice(values: Iterable[str], *, aliases: dict[str, str] | None = None, required=True):
    """A code among `values` (case-insensitive; `aliases` maps other spellings to a value);
    empty allowed when not `required`."""
    allowed = {v.lower(): v for v in values} | {k.lower(): v for k, v in (aliases or {}).items()}
    listed = ", ".join(values)

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("texte attendu")
        code = value.strip().lower()
        if not code and not required:
            return ""
        if code not in allowed:
            raise ValueError(f"valeur inconnue (attendu : {listed})")
        return allowed[code]

    return Annotated[str, BeforeValidator(check)]


_ASCII_INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")


def _ascii_integer(value: Any) -> Any:
    # int() accepts "²"-like digits from other scripts and "1_000": only ASCII digits here.
    if isinstance(value, str):
        value = value.strip()
        if not _ASCII_INTEGER.match(value):
            raise ValueError("nombre entier attendu (chiffres 0 à 9)")
        return int(value)
    return value


def integer(*, ge: int, le: int):
    """A whole number written in ASCII digits, within [ge, le]."""
    return Annotated[int, BeforeValidator(_ascii_integer), Field(ge=ge, le=le)]


_MONEY = re.compile(r"^-?[0-9]{1,10}([.,][0-9]{1,2})?$")


def money(*, ge: Decimal, le: Decimal):
    """An amount in euros written with at most two decimals (more are refused, not rounded),
    within [ge, le] (at most 10 digits before the decimal point)."""

    def parse(value: Any) -> Decimal:
        text = value.strip() if isinstance(value, str) else ""
        if not _MONEY.match(text):
            raise ValueError(
                "montant invalide : chiffres, virgule ou point, deux décimales au plus"
            )
        amount = Decimal(text.replace(",", "."))
        if not ge <= amount <= le:
            raise ValueError(f"doit être compris entre {ge} et {le}")
        return amount

    return Annotated[Decimal, BeforeValidator(parse)]


_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?$")


def parse_instant(value: Any) -> Any:
    """'AAAA-MM-JJ HH:MM[:SS]' with an optional offset; Paris time when there is none."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    try:
        if not _INSTANT.match(value):
            raise ValueError
        instant = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("date invalide : format attendu AAAA-MM-JJ HH:MM:SS") from None
    return instant.replace(tzinfo=clock.PARIS) if instant.tzinfo is None else instant


def instant_window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    now = now or clock.now()
    day = now.date()
    day = day.replace(
        year=day.year - PAST_YEARS, day=28 if (day.month, day.day) == (2, 29) else day.day
    )
    earliest = dt.datetime.combine(day, dt.time(), tzinfo=clock.PARIS)
    return earliest, now + FUTURE_TOLERANCE


def plausible_instant(value: dt.datetime) -> dt.datetime:
    """`value` when it lies in the plausible window; a French ValueError otherwise."""
    earliest, latest = instant_window()
    try:
        inside = earliest <= value <= latest
    except OverflowError:  # an offset pushing year 9999 or year 1 out of range
        inside = False
    if not inside:
        raise ValueError(
            f"date hors de la période admise (du {earliest:%d/%m/%Y} au "
            f"{latest.astimezone(clock.PARIS):%d/%m/%Y %H:%M})"
        )
    return value.astimezone(clock.PARIS)


Instant = Annotated[dt.datetime, BeforeValidator(parse_instant), AfterValidator(plausible_instant)]


# ---- row validation ----------------------------------------------------------------------------
_PYDANTIC_MESSAGES = {
    "missing": "valeur manquante",
    "string_type": "texte attendu",
    "string_too_short": "valeur manquante",
    "string_too_long": "trop long ({max_length} caractères au plus)",
    "string_pattern_mismatch": "format invalide",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "greater_than": "doit être supérieur à {gt}",
    "less_than": "doit être inférieur à {lt}",
    "decimal_max_places": "{decimal_places} décimales au plus",
    "decimal_max_digits": "{max_digits} chiffres au plus",
    "decimal_parsing": "montant invalide",
    "datetime_type": "date invalide",
    "extra_forbidden": "colonne inattendue",
}


def _french(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error":
        message = str(ctx.get("error", "valeur invalide"))
    elif kind in ("enum", "literal_error"):
        message = f"valeur inconnue (attendu : {ctx.get('expected', '')})".replace("'", "")
    else:
        message = _PYDANTIC_MESSAGES.get(kind, "valeur invalide").format(
            **{key: str(value) for key, value in ctx.items()}
        )
    if not error["loc"]:
        return message
    column = str(error["loc"][0])
    given = error.get("input")
    if kind == "missing" or given in (None, ""):
        return f"{column} : {message}"
    return f"{column} « {printable(given)} » : {message}"


def validate_row(schema: type[pydantic.BaseModel], record: dict) -> pydantic.BaseModel:
    """The row as its schema's model; a ValueError whose text lists every problem, in French."""
    try:
        return schema.model_validate(record)
    except pydantic.ValidationError as error:
        raise ValueError(" ; ".join(_french(e) for e in error.errors(include_url=False))) from None


# ---- CSV files ---------------------------------------------------------------------------------
Row = TypeVar("Row", bound=pydantic.BaseModel)
Stored = TypeVar("Stored", bound=models.Model)


class CsvFormat(Generic[Row, Stored]):
    """A CSV format: its schema (field aliases are the column names), what identifies a row (so
    a re-import adds nothing), and the database row each valid row becomes.

    Subclasses set `kind` (journal key), `label` (French) and `schema`, and implement `build`
    (and optionally `prepare`, to read what a chunk of rows needs in one query, and `recorded`,
    to write the audit row of a stored row)."""

    kind: str
    label: str
    schema: type[Row]
    delimiter = ";"
    multiline_columns: frozenset[str] = frozenset()

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return tuple(f.alias or name for name, f in cls.schema.model_fields.items())

    def key(self, row: Row) -> str | None:
        """What identifies the row in the file (duplicates within a file are refused)."""
        return None

    def prepare(self, rows: list[Row]) -> Any:
        return None

    def build(self, context: Any, line: int, row: Row, report: ImportReport) -> Stored | None:
        """The unsaved database row for a valid row; None when it is already stored."""
        raise NotImplementedError

    def recorded(self, instance: Stored, acting_user) -> None:
        """Called once `instance` is stored, in the same transaction (its audit row)."""


class _Counting(io.RawIOBase):
    """Reads a binary file, hashing it and counting its physical lines as csv sees them (LF,
    CRLF or a lone CR each end a line)."""

    def __init__(self, stream: BinaryIO):
        self.stream, self.sha256, self.size = stream, hashlib.sha256(), 0
        self.breaks, self._last, self._pending_cr = 0, b"", False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        if data:
            self.sha256.update(data)
            self.size += len(data)
            crlf = data.count(b"\r\n") + (self._pending_cr and data[:1] == b"\n")
            self.breaks += data.count(b"\r") + data.count(b"\n") - crlf
            self._pending_cr, self._last = data.endswith(b"\r"), data[-1:]
        return len(data)

    @property
    def lines(self) -> int:
        return self.breaks + (1 if self.size and self._last not in (b"\n", b"\r") else 0)


@dataclass(frozen=True)
class CsvShape:
    sha256: str
    size: int
    lines: int
    records: int


def _reader(stream, fmt: CsvFormat):
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    return csv.reader(text, delimiter=fmt.delimiter, strict=True)


def _check_header(header: list[str], fmt: CsvFormat) -> None:
    expected = fmt.columns()
    if len(header) == 1 and len(expected) > 1:
        found = next((d for d in (",", "\t", "|", ";") if d in header[0]), None)
        if found and found != fmt.delimiter:
            raise FileRefused(
                f"séparateur « {printable(found)} » trouvé : le séparateur attendu est "
                f"« {fmt.delimiter} »."
            )
    names = [name.strip() for name in header]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    missing = [c for c in expected if c not in names]
    unknown = [n for n in names if n not in expected]
    problems = []
    if missing:
        problems.append(f"colonnes manquantes : {', '.join(missing)}")
    if unknown:
        problems.append(f"colonnes inconnues : {', '.join(printable(n, 30) for n in unknown)}")
    if duplicated:
        problems.append(f"colonnes en double : {', '.join(duplicated)}")
    if problems:
        raise FileRefused(f"ligne 1 : {' ; '.join(problems)} (attendu : {', '.join(expected)}).")


def csv_check(opener: Callable[[], BinaryIO], fmt: CsvFormat) -> CsvShape:
    """First pass over the file: its hash, and every reason to refuse it whole."""
    with opener() as raw:
        counting = _Counting(raw)
        reader = _reader(io.BufferedReader(counting), fmt)
        records, header_seen, previous = 0, False, 0
        try:
            for record in reader:
                spanned, start = reader.line_num - previous, previous + 1
                previous = reader.line_num
                if not header_seen:
                    _check_header(record, fmt)
                    header, header_seen = [n.strip() for n in record], True
                    continue
                if not record:
                    continue
                records += 1
                if spanned > 1:
                    _check_multiline(record, header, fmt, start, previous)
        except UnicodeDecodeError:
            raise FileRefused(
                f"le fichier n'est pas encodé en UTF-8 (vers la ligne {reader.line_num + 1})."
            ) from None
        except csv.Error as error:
            raise FileRefused(
                f"ligne {reader.line_num} : CSV mal formé ({error}) ; un guillemet n'est "
                "probablement pas fermé."
            ) from None
        if not header_seen:
            raise FileRefused("le fichier est vide.")
        if not records:
            raise FileRefused("le fichier ne contient aucune ligne de données.")
        if counting.lines != reader.line_num:
            raise FileRefused(
                f"le fichier compte {counting.lines} lignes mais {reader.line_num} ont été lues : "
                "un guillemet n'est probablement pas fermé."
            )
        return CsvShape(counting.sha256.hexdigest(), counting.size, counting.lines, records)


def _check_multiline(record, header, fmt: CsvFormat, start: int, end: int) -> None:
    """A record over several lines is legitimate only when the line breaks are inside columns
    that allow them; anything else is an unbalanced quote swallowing the rows that follow."""
    allowed = len(record) == len(header) and all(
        ("\n" not in value and "\r" not in value) or name in fmt.multiline_columns
        for name, value in zip(header, record, strict=True)
    )
    if not allowed:
        raise FileRefused(
            f"lignes {start} à {end} : un guillemet ouvert n'est pas refermé sur sa ligne, ces "
            "lignes seraient lues comme une seule : fichier refusé."
        )


def csv_rows(
    opener: Callable[[], BinaryIO], fmt: CsvFormat, report: ImportReport
) -> Iterator[tuple[int, pydantic.BaseModel]]:
    """Second pass: each valid row with the line it starts on; bad rows go to `report`."""
    seen: dict[str, int] = {}
    with opener() as raw:
        reader = _reader(raw, fmt)
        header = [name.strip() for name in next(reader)]
        previous = reader.line_num
        for record in reader:
            line, previous = previous + 1, reader.line_num
            if not record:
                continue
            report.read += 1
            if len(record) != len(header):
                report.refused.append(
                    at_line(line, f"{len(record)} champ(s) au lieu de {len(header)}.")
                )
                continue
            try:
                row = validate_row(fmt.schema, dict(zip(header, record, strict=True)))
            except ValueError as error:
                report.refused.append(at_line(line, f"{error}."))
                continue
            key = fmt.key(row)
            if key is not None and key in seen:
                report.refused.append(
                    at_line(line, f"l'identifiant {printable(key)} figure déjà ligne {seen[key]}.")
                )
                continue
            if key is not None:
                seen[key] = line
            yield line, row


def csv_import(
    *,
    fmt: CsvFormat,
    path: Path,
    acting_user: User | None,
    progress: Callable[[int], None] = lambda done: None,
    chunk: int = 2_000,
) -> tuple[ImportJournal, ImportReport]:
    """Import one CSV file: refused whole (FileRefused, journaled) or row by row. A file whose
    hash was already imported completely is not read again (journal: duplicate)."""

    def opener() -> BinaryIO:
        return open(path, "rb")

    report = ImportReport()
    sha256, size = file_digest(path)
    journal = journal_open(
        kind=fmt.kind, source_name=str(path), sha256=sha256, size=size, acting_user=acting_user
    )
    if journal.status == ImportStatus.DUPLICATE:
        return journal, report
    try:
        csv_check(opener, fmt)
    except FileRefused as refused:
        journal_refuse(journal, refused.reason)
        raise
    batch: list[tuple[int, pydantic.BaseModel]] = []
    for item in csv_rows(opener, fmt, report):
        batch.append(item)
        if len(batch) >= chunk:
            _store_batch(fmt, batch, report, acting_user)
            progress(report.read)
            batch = []
    _store_batch(fmt, batch, report, acting_user)
    progress(report.read)
    journal_close(journal, report)
    return journal, report


def _store_batch(fmt: CsvFormat, batch, report: ImportReport, acting_user) -> None:
    """Store a chunk of valid rows in one insert; should the database still refuse it, each row
    again in its own savepoint, so that only the row at fault is reported."""
    if not batch:
        return
    with transaction.atomic():
        context = fmt.prepare([row for _, row in batch])
        built = [(line, fmt.build(context, line, row, report)) for line, row in batch]
        new = [(line, instance) for line, instance in built if instance is not None]
        report.already_there += len(built) - len(new)
        if not new:
            return
        try:
            with transaction.atomic():
                stored = type(new[0][1]).objects.bulk_create([instance for _, instance in new])
                for instance in stored:
                    fmt.recorded(instance, acting_user)
            report.created += len(new)
            return
        except DatabaseError:
            pass
        for line, instance in new:
            instance.pk = None
            try:
                with transaction.atomic():
                    instance.save(force_insert=True)
                    fmt.recorded(instance, acting_user)
            except DatabaseError as error:
                report.refused.append(
                    at_line(line, f"refusée par la base de données ({printable(error, 120)}).")
                )
            else:
                report.created += 1


def file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


# ---- the journal -------------------------------------------------------------------------------
def journal_open(
    *, kind: str, source_name: str, sha256: str, size: int, acting_user: User | None
) -> ImportJournal:
    """Start a run. When the same content was already imported completely, the journal row says
    so (status duplicate, finished) and the caller does nothing more."""
    now = clock.now()
    previous = (
        ImportJournal.objects.filter(kind=kind, sha256=sha256, status=ImportStatus.DONE)
        .order_by("started_at")
        .first()
        if sha256
        else None
    )
    with transaction.atomic():
        return ImportJournal.objects.create(
            kind=kind,
            source_name=single_line(source_name, 300),
            sha256=sha256,
            size=size,
            operator=audit.current_operator() or getattr(acting_user, "username", ""),
            acting_user=acting_user,
            started_at=now,
            status=ImportStatus.DUPLICATE if previous else ImportStatus.RUNNING,
            finished_at=now if previous else None,
            duplicate_of=previous,
        )


def journal_refuse(journal: ImportJournal, reason: str) -> None:
    journal.status = ImportStatus.REFUSED
    journal.refusal = reason[:500]
    journal.finished_at = clock.now()
    with transaction.atomic():
        journal.save(update_fields=["status", "refusal", "finished_at"])


def journal_close(journal: ImportJournal, report: ImportReport) -> None:
    if not report.balanced:  # a programming error: some row was neither stored nor reported
        raise RuntimeError(f"Import accounting broken: {dataclasses.asdict(report)}")
    journal.status = ImportStatus.DONE
    journal.finished_at = clock.now()
    journal.rows_read = report.read
    journal.rows_created = report.created
    journal.rows_already_there = report.already_there
    journal.rows_refused = len(report.refused)
    journal.errors = [str(e) for e in report.refused[:JOURNAL_ERRORS_KEPT]]
    with transaction.atomic():
        journal.save()


def normalized_filename(name: str) -> str:
    """A file name from outside, safe to show: no directory part, no control character."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    return single_line(name, 255).lstrip(".") or "sans-nom"

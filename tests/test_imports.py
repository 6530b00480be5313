"""The shared import machinery (core.imports): file checks, row schemas with French messages,
line numbers, the plausible window, and the journal's accounting guarantee."""

import datetime as dt
from decimal import Decimal

import pydantic
import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from justedroit.core import clock, imports
from justedroit.core.models import ImportJournal, ImportStatus


class NoteRecord(pydantic.BaseModel):
    """A format with a free-text column that may hold line breaks (as a partner's « libellé »)."""

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    ref: imports.text(10)
    note: imports.text(200, required=False, multiline=True)
    montant: imports.money(ge=Decimal("0"), le=Decimal("9999999999.99"))
    quand: imports.Instant


class NotesCsv(imports.CsvFormat):
    kind = "notes-test"
    label = "format de test"
    schema = NoteRecord
    multiline_columns = frozenset({"note"})

    def key(self, row):
        return row.ref

    def build(self, context, line, row, report):
        """Any real table does: here a journal row per line, one the database refuses for a
        line whose reference is « BAD » (an unknown status)."""
        self.stored.append((line, row))
        status = "inconnu" if row.ref == "BAD" else ImportStatus.RUNNING
        return ImportJournal(kind="ligne", source_name=row.ref, status=status, started_at=row.quand)

    def __init__(self):
        self.stored = []


def _run(tmp_path, text: str, fmt=None):
    fmt = fmt or NotesCsv()
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    journal, report = imports.csv_import(fmt=fmt, path=path, acting_user=None)
    return fmt, journal, report


def test_line_numbers_stay_right_after_quoted_newlines(db, tmp_path):
    text = (
        "ref;note;montant;quand\n"
        'A;"première ligne\nseconde ligne\ntroisième";12,50;2022-06-01 10:00\n'
        "B;;-1;2022-06-01 10:00\n"
        'C;"x\r\ny";1.5;2022-06-01 10:00\n'
        "D;;1.234;2022-06-01 10:00\n"
    )
    fmt, journal, report = _run(tmp_path, text)
    assert [(line, row.ref) for line, row in fmt.stored] == [(2, "A"), (6, "C")]
    assert fmt.stored[0][1].note == "première ligne\nseconde ligne\ntroisième"
    assert fmt.stored[0][1].montant == Decimal("12.50")
    assert [str(e) for e in report.refused] == [
        "Ligne 5 : montant « -1 » : doit être compris entre 0 et 9999999999.99.",
        "Ligne 8 : montant « 1.234 » : montant invalide : chiffres, virgule ou point, deux "
        "décimales au plus.",
    ]
    assert journal.status == ImportStatus.DONE and journal.rows_read == 4


def test_a_line_break_outside_a_multiline_column_refuses_the_file(db, tmp_path):
    text = 'ref;note;montant;quand\n"A\nB";;1;2022-06-01 10:00\n'
    with pytest.raises(imports.FileRefused, match="lignes 2 à 3 : un guillemet ouvert"):
        _run(tmp_path, text)
    assert ImportJournal.objects.get().status == ImportStatus.REFUSED


def test_a_row_the_database_refuses_is_reported_and_the_others_kept(db, tmp_path):
    rows = ("A", "BAD", "C")
    text = "ref;note;montant;quand\n" + "".join(f"{r};;1;2022-06-01 10:00\n" for r in rows)
    _, _, report = _run(tmp_path, text)
    assert (report.created, [e.where for e in report.refused]) == (2, ["Ligne 3"])
    assert "refusée par la base de données" in report.refused[0].message
    assert sorted(
        ImportJournal.objects.filter(kind="ligne").values_list("source_name", flat=True)
    ) == ["A", "C"]


def test_the_window_refuses_implausible_instants():
    earliest, latest = imports.instant_window()
    assert (earliest, latest) == (
        dt.datetime(2017, 12, 31, tzinfo=clock.PARIS),
        clock.now() + dt.timedelta(hours=1),
    )
    for value in (earliest - dt.timedelta(seconds=1), latest + dt.timedelta(seconds=1)):
        with pytest.raises(ValueError, match="hors de la période admise"):
            imports.plausible_instant(value)
    extreme = dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12)))
    with pytest.raises(ValueError, match="hors de la période admise"):
        imports.plausible_instant(extreme)


def test_the_journal_cannot_lose_a_row_even_through_raw_sql(db):
    journal = imports.journal_open(
        kind="notes-test", source_name="f.csv", sha256="ab", size=1, acting_user=None
    )
    report = imports.ImportReport(read=3, created=1, already_there=1)  # one row unaccounted for
    with pytest.raises(RuntimeError, match="accounting broken"):
        imports.journal_close(journal, report)
    table = ImportJournal._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET rows_read = 3, rows_created = 1 WHERE id = %s", [journal.pk]
        )
    journal.refresh_from_db()
    assert journal.rows_read == 0


def test_a_file_already_imported_is_not_read_again(db, tmp_path):
    text = "ref;note;montant;quand\nA;;1;2022-06-01 10:00\n"
    _, journal, _ = _run(tmp_path, text)
    second, again, report = _run(tmp_path, text)
    assert (again.status, again.duplicate_of, second.stored, report.read) == (
        ImportStatus.DUPLICATE,
        journal,
        [],
        0,
    )


@given(st.text(max_size=80))
def test_single_line_never_lets_a_line_break_or_escape_through(text):
    clean = imports.single_line(text, 50)
    assert len(clean) <= 50
    assert not any(c in clean for c in "\r\n\x00\x1b\x85\u2028\u2029\u202e")
    assert imports.forbidden_character(clean) is None


@given(st.text(max_size=80))
def test_printable_shows_every_control_as_an_escape(text):
    shown = imports.printable(text, 200)
    assert all(c.isprintable() for c in shown)

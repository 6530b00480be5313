"""The telephony platform's CSV export: each row validated whole, bad rows reported with their
line, valid rows kept, files refused whole with their reason, every run journaled."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from justedroit.channels.models import Call
from justedroit.channels.services import calls
from justedroit.core import clock
from justedroit.core.imports import FileRefused
from justedroit.core.models import AuditEvent, ImportJournal, ImportStatus
from justedroit.core.roles import Role
from tests.channels.conftest import fuzz_examples, rolled_back, table_counts

P = clock.PARIS
COLUMNS = (
    "identifiant;file;debut;issue;attente_s;conversation_s;numero_appelant;numero_allocataire;motif"
)
HEADER = COLUMNS + "\n"
CSV = HEADER + (
    "A1;general;2022-03-14 09:12:05;decroche;40;300;05 49 00 00 01;1234567;payment\n"
    "A2;rsa_ppa;2022-03-14 09:20:00;abandonne;200;0;;;\n"
    "A3;nowhere;2022-03-14 09:21:00;decroche;40;300;;;\n"
    "A4;general;14/03/2022;decroche;40;300;;;\n"
    "A5;general;2022-03-14 10:00:00;abandonne;20;30;;;\n"
    "A6;general;2022-03-14 10:05:00;decroche;20;30;;7654321;\n"
    "A1;general;2022-03-14 09:12:05;decroche;40;300;;;\n"
    # The hostile rows of the robustness issue: each refused, none stops the others.
    "A\x007;general;2022-03-14 10:06:00;decroche;20;30;;;\n"
    "A8;general;2022-03-14 10:07:00;decroche;2²;30;;;\n"
    "A9;general;2022-03-14 10:08:00;decroche;2147483648;30;;;\n"
    "A10;general;0001-01-01 10:00:00;decroche;20;30;;1234567;\n"
    "A11;general;2030-01-01 10:00:00;decroche;20;30;;;\n"
    "A12;general;2100-01-01 10:00:00;decroche;20;30;;;\n"
    '"A13";general;2022-03-14 10:09:00;decroche;20;30;;;\n'
)


def _file(tmp_path, text: str, name="appels.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_good_rows_are_kept_bad_ones_reported_with_their_line(household, tmp_path):
    journal, report = calls.calls_import(path=_file(tmp_path, CSV), acting_user=None)
    assert sorted(Call.objects.values_list("call_id", flat=True)) == ["A1", "A13", "A2", "A6"]
    refused = {error.where: error.message for error in report.refused}
    assert sorted(refused, key=lambda w: int(w.split()[1])) == [
        f"Ligne {n}" for n in (4, 5, 6, 8, 9, 10, 11, 12, 13, 14)
    ]
    assert refused["Ligne 4"] == (
        "file « nowhere » : valeur inconnue (attendu : general, rsa_ppa, housing, family, "
        "recovery)."
    )
    assert refused["Ligne 5"].startswith("debut « 14/03/2022 » : date invalide")
    assert refused["Ligne 6"] == "un appel abandonné n'a pas de durée de conversation."
    assert refused["Ligne 8"] == "l'identifiant A1 figure déjà ligne 2."
    assert "caractère de contrôle interdit (U+0000)" in refused["Ligne 9"]
    assert "attente_s « 2² » : nombre entier attendu" in refused["Ligne 10"]
    assert "attente_s « 2147483648 » : doit être inférieur ou égal à 86400" in refused["Ligne 11"]
    for line in ("Ligne 12", "Ligne 13", "Ligne 14"):
        assert "date hors de la période admise (du 31/12/2017 au 31/12/2022 11:00)" in refused[line]
    assert "numéro allocataire 7654321 inconnu" in report.warnings[0]
    first = Call.objects.get(call_id="A1")
    assert (first.household, first.caller_number, first.reason) == (
        household,
        "+33549000001",
        "payment",
    )
    assert first.offered_at == dt.datetime(2022, 3, 14, 9, 12, 5, tzinfo=P)
    assert AuditEvent.objects.filter(household_number="1234567", object_id=str(first.pk)).exists()
    journal.refresh_from_db()
    assert (journal.status, journal.rows_read, journal.rows_created, journal.rows_refused) == (
        ImportStatus.DONE,
        14,
        4,
        10,
    )
    assert journal.errors[0].startswith("Ligne 4 : file")


def test_a_call_dated_year_one_never_reaches_the_household_page(
    client, make_user, household, tmp_path
):
    # Stored before, as a BC date, it made this page fail with a 500 on every load.
    calls.calls_import(path=_file(tmp_path, HEADER + CSV.splitlines()[11] + "\n"), acting_user=None)
    assert not Call.objects.exists()
    client.force_login(make_user(Role.CASE_WORKER))
    assert client.get(f"/agents/foyers/{household.number}/").status_code == 200


def test_reimporting_a_file_is_idempotent_and_visible(household, tmp_path):
    path = _file(tmp_path, CSV)
    calls.calls_import(path=path, acting_user=None)
    before = table_counts()
    journal, report = calls.calls_import(path=path, acting_user=None)
    assert journal.status == ImportStatus.DUPLICATE and journal.duplicate_of is not None
    assert report.read == 0
    after = table_counts()
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "core.ImportJournal": 1
    }
    # The same rows in another file: read again, nothing doubled.
    _, again = calls.calls_import(path=_file(tmp_path, CSV + "\n", "autre.csv"), acting_user=None)
    assert (again.created, again.already_there, Call.objects.count()) == (0, 4, 4)


REFUSED_FILES = {
    "wrong delimiter": (COLUMNS.replace(";", ",") + "\nA1,general\n", "séparateur « , » trouvé"),
    "missing columns": ("identifiant;file\nA1;general\n", "colonnes manquantes : debut, issue"),
    "unknown column": (
        COLUMNS + ";secret\nA1;general;2022-03-14 09:00:00;decroche;1;1;;;;x\n",
        "colonnes inconnues : secret",
    ),
    "no rows": (HEADER, "aucune ligne de données"),
    "empty": ("", "le fichier est vide"),
    "unbalanced quote swallowing rows": (
        HEADER
        + 'B1;general;"2022-03-14 09:00:00;decroche;1;1;;;\n'
        + "".join(f"B{n};general;2022-03-14 09:0{n}:00;decroche;1;1;;;\n" for n in range(2, 7))
        + 'B7;general;2022-03-14 09:08:00";decroche;1;1;;;\n',
        "lignes 2 à 8 : un guillemet ouvert n'est pas refermé",
    ),
    "unbalanced quote at the end": (
        HEADER + 'B1;general;"2022-03-14 09:00:00;decroche;1;1;;;\nB2;general\n',
        "un guillemet n'est probablement pas fermé",
    ),
    "quote then garbage": (
        HEADER + 'B1;"general"x;2022-03-14 09:00:00;decroche;1;1;;;\n',
        "ligne 2 : CSV mal formé",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED_FILES))
def test_a_refused_file_exits_non_zero_with_its_reason_and_writes_nothing(db, tmp_path, case):
    text, reason = REFUSED_FILES[case]
    path = _file(tmp_path, text)
    with pytest.raises(CommandError, match="Fichier refusé : .*" + reason.replace("(", r"\(")):
        call_command("channels", "import-calls", str(path), "--wet-run")
    assert not Call.objects.exists()
    journal = ImportJournal.objects.get()
    assert journal.status == ImportStatus.REFUSED and reason in journal.refusal


def test_a_file_not_in_utf8_is_refused(db, tmp_path):
    path = _file(tmp_path, CSV.replace("A2;", "Aé;"), encoding="latin-1")
    with pytest.raises(FileRefused, match="n'est pas encodé en UTF-8"):
        calls.calls_import(path=path, acting_user=None)
    assert not Call.objects.exists()


def test_import_command_is_dry_unless_wet_run(household, tmp_path, capsys):
    path = _file(tmp_path, CSV)
    call_command("channels", "import-calls", str(path))
    assert "rien n'est écrit" in capsys.readouterr().out
    assert not Call.objects.exists() and not ImportJournal.objects.exists()
    call_command("channels", "import-calls", str(path), "--wet-run")
    out, err = capsys.readouterr()
    assert "14 lu(s) : 4 ajouté(s), 0 déjà présent(s), 10 refusé(s)" in out
    assert "Ligne 4 : file" in err
    assert "\x00" not in err  # control characters are shown escaped on the terminal
    assert Call.objects.count() == 4
    call_command("channels", "import-calls", str(path), "--wet-run")
    assert "déjà importé" in capsys.readouterr().out


# ---- fuzzing: for any file, valid rows in = rows stored + rows reported ---------------------
VALID = st.fixed_dictionaries(
    {
        "file": st.sampled_from(["general", "rsa_ppa", "housing", "family", "recovery"]),
        "debut": st.datetimes(
            min_value=dt.datetime(2018, 1, 1), max_value=dt.datetime(2022, 12, 31, 9)
        ),
        "issue": st.sampled_from(["decroche", "décroché", "abandonne", "answered"]),
        "attente_s": st.integers(0, 86_400),
        "conversation_s": st.integers(0, 86_400),
        "numero_appelant": st.sampled_from(["", "05 49 00 00 01", "+33 6 12 34 56 78"]),
        "numero_allocataire": st.sampled_from(["", "1234567", "7654321"]),
        "motif": st.sampled_from(["", "payment", "debt", "other"]),
    }
)
# Each sabotage makes a row certainly invalid, whatever the rest of it.
SABOTAGE = st.sampled_from(
    [
        ("identifiant", "X\x00"),
        ("identifiant", "I" * 65),
        ("identifiant", "\x1b[31mrouge"),
        ("file", "nowhere"),
        ("debut", "0001-01-01 00:00:00"),
        ("debut", "9999-12-31 23:59:59"),
        ("debut", "2030-06-01 12:00:00"),
        ("debut", "2100-01-01 00:00:00"),
        ("debut", "2022-02-30 10:00:00"),
        ("debut", "hier"),
        ("attente_s", "²"),
        ("attente_s", "١٢"),
        ("attente_s", str(2**31)),
        ("attente_s", "-1"),
        ("conversation_s", "1e3"),
        ("numero_appelant", "12"),
        ("numero_allocataire", "12345678"),
        ("motif", "x" * 300),
        ("issue", ""),
    ]
)
ROW = st.tuples(VALID, st.one_of(st.none(), SABOTAGE), st.booleans())


def _render(rows) -> tuple[str, set[int], int]:
    """CSV text, the lines expected refused, and how many rows are valid and distinct."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS.split(";"))
    refused, ids = set(), set()
    for number, (values, sabotage, reuse_id) in enumerate(rows):
        line = number + 2
        fields = dict(values, identifiant=f"F{number}")
        fields["debut"] = f"{values['debut']:%Y-%m-%d %H:%M:%S}"
        if fields["issue"] in ("abandonne",):
            fields["conversation_s"] = 0
        if reuse_id and ids:
            fields["identifiant"] = sorted(ids)[0]
        if sabotage is not None:
            fields[sabotage[0]] = sabotage[1]
        writer.writerow([fields[c] for c in COLUMNS.split(";")])
        if sabotage is not None or fields["identifiant"] in ids:
            refused.add(line)
        else:
            ids.add(fields["identifiant"])
    return buffer.getvalue(), refused, len(ids)


@settings(
    max_examples=fuzz_examples(40), suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=25))
def test_fuzz_every_valid_row_is_stored_and_every_other_reported(household, tmp_path, rows):
    text, expected_refused, valid = _render(rows)
    with rolled_back():
        before = table_counts()
        path = tmp_path / "fuzz.csv"
        path.write_text(text, encoding="utf-8")
        journal, report = calls.calls_import(path=path, acting_user=None)
        refused_lines = {int(error.where.split()[1]) for error in report.refused}
        assert refused_lines == expected_refused
        assert report.read == len(rows) == report.created + len(report.refused)
        assert report.created == valid == Call.objects.count()
        after = table_counts()
        changed = {k: after[k] - before[k] for k in after if after[k] != before[k]}
        audited = Call.objects.filter(household__isnull=False).count()
        expected = {
            "channels.Call": valid,
            "core.ImportJournal": 1,
            "core.AuditEvent": audited,
            "core.AuditEventHousehold": audited,  # each audit row names its household
        }
        assert changed == {label: n for label, n in expected.items() if n}
        journal.refresh_from_db()
        assert journal.rows_read == journal.rows_created + journal.rows_refused

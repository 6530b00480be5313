"""Partner files (DRM / PASRAU, France Travail, DGFiP) into registry facts: row by row, journaled,
idempotent, hostile input refused with its line and a French message."""

import csv
import datetime as dt
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from justedroit.core import clock
from justedroit.core.imports import FileRefused
from justedroit.core.models import ImportJournal, ImportStatus
from justedroit.exchanges.models import ExchangeFile
from justedroit.exchanges.services import UNKNOWN_NIR, exchange_import, exchange_inbox_import
from justedroit.registry.models import Fact, FactSource, Person
from tests.channels.conftest import fuzz_examples, rolled_back, table_counts
from tests.factories import HouseholdFactory, claimant

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).with_name("fixtures")
JUNE = dt.date(2022, 6, 1)
A, SPOUSE, B = "185020023456764", "287050000000181", "185020023456863"


@pytest.fixture
def households(db):
    first = HouseholdFactory(
        number="1234567",
        members=[
            claimant(serial=1234567),
            claimant(
                serial=1,
                sex=2,
                first_name="Anne",
                birth_date=dt.date(1987, 5, 1),
                role="spouse",
            ),
        ],
    )
    second = HouseholdFactory(number="1234568")
    return first, second


def facts(**filters):
    return {
        (f.household.number, f.person.nir if f.person else None, f.kind, f.valid_from): f.value
        for f in Fact.objects.filter(**filters).select_related("household", "person")
    }


def refused(report):
    return {int(e.where.split()[1]): e.message for e in report.refused}


def test_a_drm_file_becomes_monthly_resource_facts(households):
    exchange_file, report = exchange_import(
        connector="drm", month=JUNE, path=FIXTURES / "drm_2022-06.csv", acting_user=None
    )
    may = dt.date(2022, 5, 1)
    assert facts(source=FactSource.PARTNER_EXCHANGE) == {
        ("1234567", A, "salary", JUNE): Decimal("1500.75"),  # two employers add up
        ("1234567", A, "salary", may): Decimal("1180.00"),
        ("1234567", SPOUSE, "pension", JUNE): Decimal("650.00"),
        ("1234568", B, "unemployment_benefit", JUNE): Decimal("900.00"),
    }
    assert all(
        f.valid_until == clock.add_months(f.valid_from, 1) for f in Fact.objects.all()
    )  # valid for their month only
    assert (report.read, report.created, report.already_there) == (13, 5, 0)
    messages = refused(report)
    assert sorted(messages) == list(range(7, 15))
    assert messages[7] == f"{UNKNOWN_NIR}."
    assert "figure déjà ligne 2" in messages[8]
    assert messages[9] == "mois 2022-07 postérieur au mois du fichier (2022-06)."
    assert messages[10].startswith("nir « 185020023456799 » : NIR invalide")
    assert messages[11] == "siret « 1234 » : un SIRET compte 14 chiffres."
    assert messages[12].startswith("nature « prime » : valeur inconnue")
    assert messages[13].startswith("montant_net « -5 » : doit être compris entre 0")
    assert messages[14].startswith("montant_net « 12.345 » : montant invalide")
    journal = exchange_file.journal
    assert (journal.status, journal.rows_read, journal.rows_created, journal.rows_refused) == (
        ImportStatus.DONE,
        13,
        5,
        8,
    )
    assert journal.kind == "echange_drm" and len(journal.sha256) == 64
    assert (exchange_file.month, exchange_file.facts_created) == (JUNE, 4)
    assert journal.errors[0] == f"Ligne 7 : {UNKNOWN_NIR}."


def test_france_travail_gives_activity_and_allowance(households):
    exchange_file, report = exchange_import(
        connector="france_travail",
        month=JUNE,
        path=FIXTURES / "france_travail_2022-06.csv",
        acting_user=None,
    )
    assert facts() == {
        ("1234568", B, "unemployment_benefit", JUNE): Decimal("1050.40"),
        ("1234568", B, "activity", JUNE): "unemployed",
        ("1234567", A, "unemployment_benefit", JUNE): Decimal("0.00"),
        ("1234567", SPOUSE, "unemployment_benefit", JUNE): Decimal("0.00"),
        ("1234567", SPOUSE, "activity", JUNE): "unemployed",
    }
    assert refused(report) == {
        5: "allocation ASS sans inscription.",
        6: "allocation « aucune » avec un montant non nul.",
    }
    assert exchange_file.facts_created == 5


def test_dgfip_gives_the_household_its_income_n2_for_year_n_plus_2(households):
    _, report = exchange_import(
        connector="dgfip",
        month=dt.date(2022, 9, 1),
        path=FIXTURES / "dgfip_2022-09.csv",
        acting_user=None,
    )
    january = dt.date(2023, 1, 1)
    assert facts() == {
        ("1234567", None, "fiscal_income_n2", january): Decimal("30000.50"),  # two declarants
        ("1234568", None, "fiscal_income_n2", january): Decimal("15000.00"),
    }
    assert set(Fact.objects.values_list("valid_until", flat=True)) == {dt.date(2024, 1, 1)}
    assert refused(report) == {
        5: "année de revenus 2015 hors des trois années closes avant 2022.",
        6: f"{UNKNOWN_NIR}.",
    }


def test_importing_the_same_file_again_changes_nothing(households, tmp_path):
    path = FIXTURES / "drm_2022-06.csv"
    exchange_import(connector="drm", month=JUNE, path=path, acting_user=None)
    before = table_counts()
    again, report = exchange_import(connector="drm", month=JUNE, path=path, acting_user=None)
    assert again.journal.status == ImportStatus.DUPLICATE and report.read == 0
    after = table_counts()
    assert {k for k in after if after[k] != before[k]} == {
        "core.ImportJournal",
        "exchanges.ExchangeFile",
    }
    # The same rows in another file (another hash): every row already there, no new fact.
    copy = tmp_path / "drm_copie.csv"
    copy.write_bytes(path.read_bytes() + b"\n")
    facts_before = Fact.objects.count()
    with clock.frozen(dt.datetime(2022, 12, 31, 11, 0)):
        _, report = exchange_import(connector="drm", month=JUNE, path=copy, acting_user=None)
    assert (report.created, report.already_there, Fact.objects.count()) == (0, 5, facts_before)


def test_a_corrected_amount_is_a_new_fact_the_old_one_kept(households, tmp_path):
    path = tmp_path / "drm_correction.csv"
    path.write_text(f"nir;mois;siret;nature;montant_net\n{A};2022-06;12345678900011;salaire;100\n")
    exchange_import(connector="drm", month=JUNE, path=path, acting_user=None)
    path.write_text(f"nir;mois;siret;nature;montant_net\n{A};2022-06;12345678900011;salaire;120\n")
    with clock.frozen(dt.datetime(2022, 12, 31, 11, 0)):
        _, report = exchange_import(connector="drm", month=JUNE, path=path, acting_user=None)
    assert report.created == 1
    assert sorted(Fact.objects.values_list("amount", flat=True)) == [100, 120]


def test_a_malformed_file_is_refused_whole_and_journaled(households):
    with pytest.raises(FileRefused, match="séparateur"):
        exchange_import(
            connector="drm", month=JUNE, path=FIXTURES / "drm_bad_delimiter.csv", acting_user=None
        )
    journal = ImportJournal.objects.get()
    assert journal.status == ImportStatus.REFUSED and "séparateur" in journal.refusal
    assert not Fact.objects.exists()


def test_the_command_is_dry_unless_wet_and_refuses_with_its_reason(households, capsys):
    path = str(FIXTURES / "drm_2022-06.csv")
    call_command("exchanges", "import", "--connector", "drm", "--month", "2022-06", path)
    assert "rien n'est écrit" in capsys.readouterr().out
    assert not Fact.objects.exists() and not ImportJournal.objects.exists()
    call_command(
        "exchanges", "import", "--connector", "drm", "--month", "2022-06", path, "--wet-run"
    )
    output = capsys.readouterr()
    assert "13 ligne(s) lue(s) : 5 retenue(s)" in output.out and "Ligne 7" in output.err
    assert Fact.objects.count() == 4
    with pytest.raises(CommandError, match=r"Fichier refusé : .*séparateur"):
        call_command(
            "exchanges",
            "import",
            "--connector",
            "drm",
            "--month",
            "2022-06",
            str(FIXTURES / "drm_bad_delimiter.csv"),
            "--wet-run",
        )
    assert ImportJournal.objects.filter(status=ImportStatus.REFUSED).count() == 1
    call_command("exchanges", "files")
    listing = capsys.readouterr().out
    assert "drm" in listing and "refusées 8" in listing and "séparateur" in listing


def test_the_inbox_imports_every_partner_file_of_the_month(households, tmp_path):
    folder = tmp_path / "2022-06"
    folder.mkdir()
    shutil.copy(FIXTURES / "france_travail_2022-06.csv", folder / "france_travail.csv")
    shutil.copy(FIXTURES / "drm_bad_delimiter.csv", folder / "drm_1.csv")
    (folder / "notes.txt").write_text("pas un fichier d'échange")
    counts = exchange_inbox_import(month=JUNE, inbox=tmp_path, acting_user=None)
    assert counts == {
        "files_refused": 1,
        "files": 1,
        "rows_read": 5,
        "rows_kept": 3,
        "rows_already_there": 0,
        "rows_refused": 2,
        "facts": 5,
    }
    again = exchange_inbox_import(month=JUNE, inbox=tmp_path, acting_user=None)
    assert again == {"files_refused": 1, "files_already_imported": 1}
    assert ExchangeFile.objects.count() == 4


# ---- fuzzing: valid rows in = rows stored + rows reported, nothing else changes ---------------
KNOWN = [A, SPOUSE, B]
VALID = st.fixed_dictionaries(
    {
        "nir": st.sampled_from(KNOWN),
        "mois": st.sampled_from(["2022-06", "2022-05", "2021-01"]),
        "siret": st.sampled_from(["12345678900011", "98765432100022"]),
        "nature": st.sampled_from(["salaire", "chomage", "pension", "autre", "Chômage"]),
        "montant_net": st.decimals(0, 99_999, places=2).map(str),
    }
)
SABOTAGE = st.sampled_from(
    [
        ("nir", "270030000099978"),  # well formed, unknown
        ("nir", "185020023456799"),
        ("nir", "1850200234567\x00"),
        ("mois", "2022-13"),
        ("mois", "2030-01"),
        ("mois", "2019-01"),
        ("siret", "１２３４５６７８９０００１１"),
        ("nature", "prime"),
        ("montant_net", "-1"),
        ("montant_net", "1e3"),
        ("montant_net", "99999999999"),
        ("montant_net", "²"),
        ("montant_net", ""),
    ]
)
ROW = st.tuples(VALID, st.one_of(st.none(), SABOTAGE))


def _render(rows) -> tuple[str, set[int]]:
    buffer = io.StringIO()
    columns = ["nir", "mois", "siret", "nature", "montant_net"]
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(columns)
    refused, keys = set(), set()
    for number, (values, sabotage) in enumerate(rows):
        fields = dict(values)
        if sabotage is not None:
            fields[sabotage[0]] = sabotage[1]
        writer.writerow([fields[c] for c in columns])
        key = (
            fields["nir"],
            fields["mois"],
            fields["siret"],
            fields["nature"].replace("Chô", "cho"),
        )
        if sabotage is not None or key in keys:
            refused.add(number + 2)
        else:
            keys.add(key)
    return buffer.getvalue(), refused


@settings(
    max_examples=fuzz_examples(30), suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=20))
def test_fuzz_every_valid_row_is_stored_and_every_other_reported(households, tmp_path, rows):
    text, expected_refused = _render(rows)
    with rolled_back():
        before = table_counts()
        path = tmp_path / "fuzz.csv"
        path.write_text(text, encoding="utf-8")
        exchange_file, report = exchange_import(
            connector="drm", month=JUNE, path=path, acting_user=None
        )
        assert {int(e.where.split()[1]) for e in report.refused} == expected_refused
        assert report.read == len(rows) == report.created + len(report.refused)
        after = table_counts()
        changed = {k: after[k] - before[k] for k in after if after[k] != before[k]}
        stored = Fact.objects.filter(source=FactSource.PARTNER_EXCHANGE).count()
        assert stored == exchange_file.facts_created
        expected = {
            "registry.Fact": stored,
            "core.ImportJournal": 1,
            "exchanges.ExchangeFile": 1,
            "core.AuditEvent": 1 if stored else 0,
            "core.AuditEventHousehold": len(set(Fact.objects.values_list("household", flat=True))),
        }
        assert changed == {label: n for label, n in expected.items() if n}
        assert Person.objects.count() == 3

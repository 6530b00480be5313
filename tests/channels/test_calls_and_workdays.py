import datetime as dt

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from justedroit.channels.models import Call, CallbackRequest, CallbackStatus
from justedroit.channels.services import calls
from justedroit.channels.services.common import ImportReport
from justedroit.channels.workdays import (
    is_working_day,
    working_minutes_between,
    working_minutes_vector,
)
from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role

P = clock.PARIS
HEADER = (
    "identifiant;file;debut;issue;attente_s;conversation_s;numero_appelant;"
    "numero_allocataire;motif\n"
)
CSV = HEADER + (
    "A1;general;2022-03-14 09:12:05;decroche;40;300;05 49 00 00 01;1234567;payment\n"
    "A2;rsa_ppa;2022-03-14 09:20:00;abandonne;200;0;;;\n"
    "A3;nowhere;2022-03-14 09:21:00;decroche;40;300;;;\n"
    "A4;general;14/03/2022;decroche;40;300;;;\n"
    "A5;general;2022-03-14 10:00:00;abandonne;20;30;;;\n"
    "A6;general;2022-03-14 10:05:00;decroche;20;30;;7654321;\n"
    "A1;general;2022-03-14 09:12:05;decroche;40;300;;;\n"
)


def test_working_time_skips_weekends_and_french_holidays():
    assert not is_working_day(dt.date(2022, 7, 14))  # Fête nationale, a Thursday
    friday_evening = dt.datetime(2022, 7, 8, 18, 0, tzinfo=P)
    monday_morning = dt.datetime(2022, 7, 11, 9, 0, tzinfo=P)
    assert working_minutes_between(friday_evening, monday_morning) == (6 + 9) * 60
    # Wednesday 13/07 12:00 → Friday 15/07 12:00 crosses the 14th: 12 h + 12 h.
    assert (
        working_minutes_between(
            dt.datetime(2022, 7, 13, 12, tzinfo=P), dt.datetime(2022, 7, 15, 12, tzinfo=P)
        )
        == 24 * 60
    )


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=dt.datetime(2021, 1, 1), max_value=dt.datetime(2022, 12, 1)),
    minutes=st.integers(min_value=1, max_value=30 * 24 * 60),
)
def test_the_twin_and_the_service_share_one_working_clock(start, minutes):
    start = start.replace(microsecond=0)
    end = start + dt.timedelta(minutes=minutes)
    scalar = working_minutes_between(start.replace(tzinfo=P), end.replace(tzinfo=P))
    vector = working_minutes_vector(
        np.array([start], dtype="datetime64[s]"),
        np.array([end], dtype="datetime64[s]"),
    )
    assert int(vector[0]) == scalar


def test_csv_import_keeps_good_rows_reports_bad_ones_and_is_idempotent(household):
    report = ImportReport()
    rows = calls.parse_calls_csv(CSV, report)
    assert [r.call_id for r in rows] == ["A1", "A2", "A6"]
    assert report.errors == [
        "Ligne 4 : file inconnue « nowhere » (attendu : general, rsa_ppa, housing, family, "
        "recovery).",
        "Ligne 5 : date invalide « 14/03/2022 » : format attendu AAAA-MM-JJ HH:MM:SS.",
        "Ligne 6 : un appel abandonné n'a pas de durée de conversation.",
        "Ligne 8 : l'identifiant A1 figure déjà ligne 2.",
    ]
    calls.calls_import(rows=rows, report=report, acting_user=None)
    assert report.created == 3
    assert "numéro allocataire 7654321 inconnu" in report.warnings[0]
    first = Call.objects.get(call_id="A1")
    assert (first.household, first.caller_number, first.reason) == (
        household,
        "+33549000001",
        "payment",
    )
    assert first.offered_at == dt.datetime(2022, 3, 14, 9, 12, 5, tzinfo=P)
    assert AuditEvent.objects.filter(household_number="1234567", object_id=str(first.pk)).exists()
    again = ImportReport()
    calls.calls_import(rows=calls.parse_calls_csv(CSV, again), report=again, acting_user=None)
    assert (again.created, again.already_there, Call.objects.count()) == (0, 3, 3)


def test_missing_columns_are_reported_on_line_one(db):
    report = ImportReport()
    assert calls.parse_calls_csv("id;file\n1;general\n", report) == []
    assert report.errors[0].startswith("Ligne 1 : colonnes manquantes")


def test_import_command_is_dry_unless_wet_run(household, tmp_path, capsys):
    path = tmp_path / "appels.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("channels", "import-calls", str(path))
    assert "rien n'est écrit" in capsys.readouterr().out
    assert not Call.objects.exists()
    call_command("channels", "import-calls", str(path), "--wet-run")
    out, err = capsys.readouterr()
    assert "3 ajouté(s)" in out and "Ligne 4" in err
    assert Call.objects.count() == 3


def test_callback_requests_are_tasks(household, make_user):
    agent = make_user(Role.RECEPTION)
    with pytest.raises(ValidationError, match="Numéro de téléphone invalide"):
        calls.callback_request_create(phone="12", reason="payment", acting_user=agent)
    assert not CallbackRequest.objects.exists()
    callback = calls.callback_request_create(
        phone="0549000002", reason="payment", household=household, acting_user=agent
    )
    assert callback.phone == "+33549000002"
    done = calls.callback_request_complete(callback=callback, acting_user=agent, note="ok")
    assert (done.status, done.done_by) == (CallbackStatus.DONE, agent)
    with pytest.raises(ValidationError, match="déjà fait"):
        calls.callback_request_complete(callback=callback, acting_user=agent)

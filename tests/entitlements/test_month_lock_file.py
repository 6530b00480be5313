"""On SQLite the payment run of a month holds an flock on a file beside the database: two runs of
one month never run together, and the run removes the file as it ends (a demo's 24 months used to
leave 24 files in var/)."""

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection

from justedroit.core import clock, db
from justedroit.entitlements.services import MonthBusy, month_lock, month_run

JUNE = dt.date(2022, 6, 1)


@pytest.fixture
def file_database(tmp_path, monkeypatch) -> Path:
    """process_lock as for a SQLite file in tmp_path (the test database itself is in memory)."""
    if connection.vendor != "sqlite":
        pytest.skip("the payment run's lock file exists on SQLite only (PostgreSQL: advisory lock)")
    monkeypatch.setattr(connection, "is_in_memory_db", lambda: False)
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "justedroit.sqlite3"))
    return tmp_path


def test_a_second_run_of_the_month_is_refused_while_the_first_holds_its_file(file_database):
    with month_lock(JUNE):
        (held,) = file_database.glob("*.lock")
        assert "payment-run-2022-06" in held.name
        with pytest.raises(MonthBusy), month_lock(JUNE):
            pass


def test_no_lock_file_remains_after_a_run_that_ends_or_fails(file_database):
    with month_lock(JUNE):
        pass
    with pytest.raises(RuntimeError), month_lock(JUNE):
        raise RuntimeError("the engine failed")
    assert list(file_database.glob("*.lock")) == []
    with month_lock(JUNE):  # and the next run of the month takes it
        pass


def test_a_run_that_opened_the_file_before_it_was_removed_does_not_run_beside_a_new_one(
    tmp_path, monkeypatch
):
    """A second run opens the lock file just before the first one ends and removes it; it then
    gets the flock on the removed file. It must start again on the new file, or a third run
    creating that new file would run beside it."""
    path = str(tmp_path / "month.lock")
    first = db._file_lock(path)
    first.__enter__()
    ended = []

    def open_as_the_first_run_ends(*args, **kwargs):
        handle = open(*args, **kwargs)  # noqa: SIM115 (the lock closes it)
        if not ended:
            ended.append(True)
            first.__exit__(None, None, None)
        return handle

    monkeypatch.setattr(db, "open", open_as_the_first_run_ends, raising=False)
    with db._file_lock(path), pytest.raises(db.LockHeld), db._file_lock(path):
        pass
    assert ended and not Path(path).exists()


@pytest.mark.django_db
def test_no_lock_file_remains_after_a_payment_run(file_database):
    with clock.frozen(dt.datetime(2022, 6, 26, 9)):
        month_run(month=JUNE, wet=True, workers=1, household_ids=[])
    assert list(file_database.glob("*.lock")) == []

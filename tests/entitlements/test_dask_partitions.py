"""Payment runs on Dask distributed (PostgreSQL only: workers read and write their partition in
the database themselves). Real commands, real scheduler and workers, on a small twin in databases
of their own: a Dask run pays exactly what the local pool pays and leaves no process behind; a
worker killed after storing its partition has it run again without paying twice; an unreachable
scheduler stops the command with a French message before anything is written; households with
missing facts are listed and the others of their partition paid."""

import json
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from django.db import connection

from tests.entitlements.conftest import MONTH, fresh

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the Dask executor runs on PostgreSQL only"
)
DASK = ["entitlements", "run", "--month", MONTH, "--wet-run", "--executor", "dask", "--chunk", "60"]
DYING_WORKER = Path(__file__).with_name("dying_worker.py")
DASK_CLI = str(Path(sys.executable).with_name("dask"))


def processes_on(database) -> list[psutil.Process]:
    """Processes (but this one) whose environment points at `database`."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("DATABASE_URL") == database.url:
                found.append(process)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def test_a_local_dask_cluster_pays_what_the_local_pool_pays_and_leaves_nothing_behind(
    twin_database, uninterrupted_payments
):
    database = fresh(twin_database, "dask")
    result = database.command(*DASK, "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert database.payments() == uninterrupted_payments
    assert database.runs() == [(1, "finished")]
    assert database.rows("SELECT executor FROM entitlements_run") == [("dask",)]
    assert processes_on(database) == []


def test_an_unreachable_scheduler_stops_before_anything_is_written(twin_database):
    database = fresh(twin_database, "unreachable")
    result = database.command(*DASK, "--scheduler", "tcp://127.0.0.1:9")
    assert result.returncode == 1
    assert "ne répond pas" in result.stderr and "Traceback" not in result.stderr
    assert database.runs() == [] and database.payments() == {}


def test_missing_facts_are_listed_and_the_others_of_the_partition_paid(
    twin_database, uninterrupted_payments
):
    database = fresh(twin_database, "missing")
    (number,) = ({number for number, _benefit in uninterrupted_payments}.__iter__().__next__(),)
    # A later record makes the household's housing status unknown to the engine.
    database.rows(
        "INSERT INTO registry_fact (household_id, kind, valid_from, recorded_at, source, code) "
        "SELECT id, 'housing_status', DATE '2022-01-01', TIMESTAMPTZ '2022-12-30 10:00+01', "
        f"'declaration', 'castle' FROM registry_household WHERE number = '{number}' RETURNING id"
    )
    result = database.command(*DASK, "--workers", "2")
    assert result.returncode == 1
    assert f"foyer {number} : Statut d'occupation du logement inconnu" in result.stderr
    assert database.payments() == {
        key: amount for key, amount in uninterrupted_payments.items() if key[0] != number
    }


def test_a_killed_worker_has_its_partition_run_again_and_paid_once(
    twin_database, uninterrupted_payments, tmp_path
):
    database = fresh(twin_database, "killed_worker")
    address = tmp_path / "scheduler.json"
    started: list[subprocess.Popen] = []

    def start(*arguments: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [DASK_CLI, *arguments],
            env=database.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    def worker(*extra: str) -> subprocess.Popen:
        return start(
            "worker", "--scheduler-file", str(address), "--nthreads", "1", "--no-nanny", *extra
        )

    try:
        start(
            "scheduler",
            "--scheduler-file",
            str(address),
            "--port",
            "0",
            "--dashboard-address",
            ":0",
        )
        for _ in range(600):
            if address.exists() and address.stat().st_size:
                break
            time.sleep(0.1)
        scheduler = json.loads(address.read_text())["address"]
        dying = worker("--preload", str(DYING_WORKER))
        run = subprocess.Popen(
            [sys.executable, "-m", "justedroit.manage", *DASK, "--scheduler", scheduler],
            env=database.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert dying.wait(timeout=600) == -9  # it stored a partition, then died unreported
        paid_by_the_dead = database.payments()
        assert 0 < len(paid_by_the_dead) < len(uninterrupted_payments)
        worker()  # the scheduler gives it the dead worker's partition, then the rest
        _stdout, stderr = run.communicate(timeout=600)
        assert run.returncode == 0, stderr
        assert database.payments() == uninterrupted_payments
        (count,) = database.rows("SELECT count(*) FROM entitlements_payment")[0]
        assert count == len(uninterrupted_payments)  # nothing paid twice
        assert database.runs() == [(1, "finished")]
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(timeout=60)

"""Real `justedroit entitlements run --wet-run` processes on a small twin in a database of their own
(a SQLite file, or a PostgreSQL database beside the test one when the suite runs on PostgreSQL):
killed half-way they leave no worker behind and a rerun pays exactly what an uninterrupted run
pays; two runs of the same month started together never both pay."""

import signal
import subprocess

import psutil

from tests.entitlements.conftest import RUN, fresh


def workers_of(process: subprocess.Popen) -> list[psutil.Process]:
    workers = psutil.Process(process.pid).children(recursive=True)
    assert len(workers) == 2  # the pool is up, its workers computing the next chunks
    return workers


def ended(process: subprocess.Popen, how: signal.Signals) -> int:
    process.send_signal(how)
    process.wait()
    process.stdin.close()
    process.stdout.close()
    return process.returncode


def assert_all_gone(workers: list[psutil.Process]) -> None:
    """The workers exit by themselves: waited for (generously), never killed here."""
    _gone, alive = psutil.wait_procs(workers, timeout=60)
    for worker in alive:
        worker.kill()
    assert alive == [], "pool workers survived their run"


def test_a_killed_run_leaves_no_worker_and_a_rerun_pays_exactly_once(
    twin_database, uninterrupted_payments
):
    database = fresh(twin_database, "killed")
    run = database.paused_run()
    workers = workers_of(run)
    paid_before_kill = database.payments()
    assert 0 < len(paid_before_kill) < len(uninterrupted_payments)

    ended(run, signal.SIGKILL)  # no handler, no cleanup: only the kernel acts
    assert_all_gone(workers)
    assert database.runs() == [(1, "running")]  # nobody could mark it

    rerun = database.command(*RUN)
    assert rerun.returncode == 0, rerun.stderr
    assert "reprise" in rerun.stdout
    assert database.runs() == [(1, "interrupted"), (2, "finished")]
    assert database.payments() == uninterrupted_payments


def test_a_second_run_of_the_month_is_refused_and_a_stopped_run_resumes(
    twin_database, uninterrupted_payments
):
    database = fresh(twin_database, "concurrent")
    first = database.paused_run()  # holds the month
    workers = workers_of(first)

    second = database.command(*RUN)
    assert second.returncode == 1
    assert "déjà en cours" in second.stderr and "Traceback" not in second.stderr
    assert database.runs() == [(1, "running")]

    returncode = ended(first, signal.SIGTERM)  # an operator's kill, a system stop
    stderr = database.stderr.read_text()
    assert returncode == 1 and "Calcul interrompu" in stderr, stderr
    assert "Traceback" not in stderr
    assert_all_gone(workers)
    assert database.runs() == [(1, "interrupted")]

    rerun = database.command(*RUN)
    assert rerun.returncode == 0, rerun.stderr
    assert database.runs() == [(1, "interrupted"), (2, "finished")]
    assert database.payments() == uninterrupted_payments

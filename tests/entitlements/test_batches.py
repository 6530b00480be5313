"""Payment runs as batches: a dry run writes nothing, an interrupted run keeps what it paid and the
next run of the month resumes it, two payment runs of a month never run together, and reading a
household's explanation on the command line is audited."""

import datetime as dt
import hashlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, transaction

from justedroit.core import clock
from justedroit.core.models import AuditAction, AuditEvent
from justedroit.core.roles import Role
from justedroit.entitlements.models import Entitlement, Payment, Run, RunStatus
from justedroit.entitlements.services import month_run
from justedroit.entitlements.situations import claimed_benefits

pytestmark = pytest.mark.django_db
JUNE = dt.date(2022, 6, 1)


def database_digest() -> dict[str, str]:
    """A fingerprint of every table's rows."""
    digest = {}
    for model in apps.get_models(include_auto_created=True):
        rows = model._base_manager.order_by("pk").values_list()
        digest[model._meta.db_table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digest


def test_a_dry_run_writes_nothing_at_all(small_twin, capsys):
    before = database_digest()
    call_command("entitlements", "run", "--month", "2022-06", "--workers", "1")
    assert "calculés à blanc" in capsys.readouterr().out
    assert database_digest() == before


def paid(month: dt.date) -> dict[tuple[int, str], object]:
    return {
        (household, benefit): amount
        for household, benefit, amount in Payment.objects.filter(month=month).values_list(
            "household_id", "benefit", "amount"
        )
    }


def expected_payments(households: list[int]) -> dict[tuple[int, str], object]:
    """What a run would pay, from a dry run (which writes nothing)."""
    dry = month_run(month=JUNE, household_ids=households, executor_kind="inline")
    ids = {household.number: household.pk for household in _households(households)}
    return {
        (ids[result.household_id], benefit): result.paid(benefit)
        for result in dry.results
        for benefit in result.amounts
        if result.paid(benefit) > 0
    }


def _households(ids):
    return apps.get_model("registry", "Household").objects.filter(pk__in=ids)


def test_an_interrupted_run_keeps_what_it_paid_and_the_next_one_resumes(small_twin):
    households = sorted(claimed_benefits(JUNE))[:300]
    expected = expected_payments(households)

    def interrupt(done):  # Ctrl-C, or SIGTERM turned into it by the command
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        month_run(
            month=JUNE, wet=True, household_ids=households, workers=1, chunk=100, progress=interrupt
        )
    interrupted = Run.objects.get()
    assert (interrupted.status, interrupted.finished_at) == (RunStatus.INTERRUPTED, None)
    assert interrupted.computed == 100
    first_chunk = paid(JUNE)
    # Stored: households with a right of the first chunk (the others have nothing to store).
    stored = set(Entitlement.objects.filter(run=interrupted).values_list("household", flat=True))
    assert 0 < len({household for household, _ in first_chunk}) <= len(stored) <= 100

    resumed = month_run(month=JUNE, wet=True, household_ids=households, workers=1, chunk=100)
    assert resumed.status == RunStatus.FINISHED and resumed.skipped == len(stored)
    assert resumed.computed == len(households) - len(stored)
    assert paid(JUNE) == expected
    assert Payment.objects.filter(run=interrupted).count() == len(first_chunk)


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(small_twin):
    households = sorted(claimed_benefits(JUNE))[:20]
    now = clock.now()
    dead = Run.objects.create(month=JUNE, as_of=now, wet=True, started_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Run.objects.create(month=JUNE, as_of=now, wet=True, started_at=now)
    run = month_run(month=JUNE, wet=True, household_ids=households, executor_kind="inline")
    dead.refresh_from_db()
    assert dead.status == RunStatus.INTERRUPTED
    assert run.status == RunStatus.FINISHED and paid(JUNE) == expected_payments(households)


def test_runs_lists_each_run_with_its_state(small_twin, capsys):
    now = clock.now()
    Run.objects.create(
        month=JUNE, as_of=now, wet=True, started_at=now, status=RunStatus.INTERRUPTED
    )
    call_command("entitlements", "runs")
    out = capsys.readouterr().out
    assert "2022-06" in out and "Interrompu" in out and "relancez le mois pour reprendre" in out


def test_explaining_a_household_on_the_command_line_is_audited(small_twin, make_user):
    household = _households(sorted(claimed_benefits(JUNE))[:1]).get()
    agent = make_user(Role.CASE_WORKER, username="claire")
    call_command(
        "entitlements",
        "explain",
        "--household",
        household.number,
        "--month",
        "2022-06",
        "--operator",
        "claire",
    )
    event = AuditEvent.objects.get(household_number=household.number, action=AuditAction.VIEW)
    assert (event.actor, event.operator) == (agent, "claire")
    assert "explication" in event.reason

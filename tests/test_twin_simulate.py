"""The twin's simulators: discovered by domain, their parameters sourced, their instants right on
the days Paris changes its clocks, and stored the way Django stores them."""

import datetime as dt
import importlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from justedroit.channels.models import Procedure
from justedroit.core import clock
from justedroit.core.clock import PARIS
from justedroit.core.db import bulk_insert_records
from justedroit.cycle.models import CycleStep
from justedroit.cycle.services import cut_off
from justedroit.registry.models import FactSource
from justedroit.registry.services import FactInput, facts_record_bulk
from justedroit.twin import simulate
from justedroit.twin.simulate import months
from justedroit.twin.simulate.instants import stored, utc_from_paris
from justedroit.twin.simulate.parameters import HYPOTHESIS, table
from tests.factories import HouseholdFactory

UTC = dt.UTC


def test_each_domain_is_a_package_and_a_domain_not_built_yet_is_skipped(monkeypatch):
    monkeypatch.setattr(simulate, "SIMULATORS", ("reception", "budget", "channels"))
    found = simulate.available()
    assert [name for name, _ in found] == ["reception", "channels"]
    for name, run in found:
        package = importlib.import_module(f"justedroit.twin.simulate.{name}")
        assert hasattr(package, "__path__") and run is package.simulate


@pytest.mark.parametrize(
    "domain", [*simulate.SIMULATORS, "partners", "appeals", "controls", "fraud"]
)
def test_every_parameter_says_what_it_means_and_where_it_comes_from(domain):
    parameters = importlib.import_module(f"justedroit.twin.simulate.{domain}.parameters")
    rows = table(parameters.PARAMETERS)
    documented = (Path(__file__).parent.parent / "docs/twin.md").read_text()
    assert rows
    for name, meaning, _, source in rows:
        assert meaning, f"{domain}.{name} ne dit pas ce qu'il est"
        assert source.startswith(HYPOTHESIS) or len(source) > len(HYPOTHESIS), (
            f"{domain}.{name} n'a pas de source"
        )
        assert f"| `{name}` |" in documented, f"{domain}.{name} manque dans docs/twin.md"


@pytest.mark.parametrize(
    ("paris", "utc"),
    [
        # 27 March 2022: at 02:00 Paris goes from UTC+1 to UTC+2.
        ("2022-03-27T01:30", "2022-03-27T00:30"),
        ("2022-03-27T02:30", "2022-03-27T01:30"),  # does not exist: the offset before the change
        ("2022-03-27T03:30", "2022-03-27T01:30"),
        ("2022-03-27T23:30", "2022-03-27T21:30"),
        # 30 October 2022: at 03:00 Paris goes back from UTC+2 to UTC+1.
        ("2022-10-30T01:30", "2022-10-29T23:30"),
        ("2022-10-30T02:30", "2022-10-30T00:30"),  # happens twice: the first one
        ("2022-10-30T03:30", "2022-10-30T02:30"),
        ("2022-10-30T23:30", "2022-10-30T22:30"),
    ],
)
def test_events_on_the_days_paris_changes_its_clocks_get_their_utc_instant(paris, utc):
    local = np.array([paris], dtype="datetime64[s]")
    assert utc_from_paris(local)[0] == np.datetime64(utc, "s")
    suffix = "+00:00" if connection.vendor == "postgresql" else ""
    assert stored(local) == [f"{utc.replace('T', ' ')}:00{suffix}"]


def test_every_hour_of_the_twin_years_is_converted_as_zoneinfo_converts_it():
    hours = np.arange(
        np.datetime64("2021-01-01T00:00"), np.datetime64("2023-01-01T00:00"), np.timedelta64(1, "h")
    ).astype("datetime64[s]")
    local = hours + np.timedelta64(17 * 60 + 3, "s")
    expected = [
        np.datetime64(moment.replace(tzinfo=PARIS).astimezone(UTC).replace(tzinfo=None), "s")
        for moment in local.astype(dt.datetime).tolist()
    ]
    assert (utc_from_paris(local) == np.array(expected)).all()


@dataclass
class _ProcedureRow:
    household: int
    kind: str
    channel: str
    benefit: str
    submitted_at: dt.datetime


@pytest.mark.django_db
def test_bulk_written_instants_are_stored_as_django_stores_them():
    household = HouseholdFactory()
    instant = dt.datetime(2022, 10, 30, 2, 30, fold=1, tzinfo=PARIS)  # the second 02:30
    bulk_insert_records(
        Procedure, [_ProcedureRow(household.id, "address_change", "online", "", instant)]
    )
    Procedure.objects.create(
        household=household, kind="address_change", channel="online", submitted_at=instant
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT submitted_at FROM {Procedure._meta.db_table} ORDER BY id")
        bulk, orm = (row[0] for row in cursor.fetchall())
    assert bulk == orm  # same text on SQLite (UTC), same instant on PostgreSQL
    # So that the database compares instants, not texts.
    just_after = dt.datetime(2022, 10, 30, 1, 31, tzinfo=UTC)
    assert Procedure.objects.filter(submitted_at__lt=just_after).count() == 2
    read_back = Procedure.objects.order_by("id").first().submitted_at
    assert read_back == dt.datetime(2022, 10, 30, 1, 30, tzinfo=UTC) == instant.astimezone(UTC)


def test_a_resumed_cycle_does_not_replay_the_instants_its_done_steps_used(db):
    """Found resuming the full twin after a kill inside January 2022's automated controls: the
    twin's clock started the cycle again at the same instant, so the controls recorded a salary
    at the very instant the partners' file had recorded an overlapping one, which the registry
    refuses, and the month could not go on. A resumed cycle starts after its journal's instants."""
    month = dt.date(2022, 1, 1)
    first_start = months._cycle_start(month)
    assert first_start == cut_off(month) - months.CYCLE_LEAD
    household = HouseholdFactory()
    salary = FactInput(
        household_id=household.pk,
        person_id=household.memberships.get().person_id,
        kind="salary",
        valid_from=dt.date(2021, 12, 1),
        valid_until=None,
        amount=Decimal("1200.00"),
    )

    def record(at: dt.datetime) -> None:
        with clock.frozen(at, tick=months.CLOCK_TICK):
            facts_record_bulk(facts=[salary], source=FactSource.PARTNER_EXCHANGE, acting_user=None)

    record(first_start)  # the exchanges step, before the kill
    CycleStep.objects.create(
        month=month,
        step="exchanges",
        status="done",
        started_at=first_start,
        finished_at=first_start,
    )
    with pytest.raises(ValidationError, match="se chevauchent"):
        record(first_start)  # what the resumed cycle did
    record(months._cycle_start(month))
    assert months._cycle_start(month) == first_start + months.RESUME_GAP

"""Parallel bookings (PostgreSQL: real concurrent sessions): of one slot, exactly one succeeds; of
one household at two sites at once, exactly one succeeds."""

import datetime as dt
import threading
from collections import defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from justedroit.core.roles import Role
from justedroit.reception import services
from justedroit.reception.models import Appointment, AppointmentType, Site
from justedroit.reception.services.appointments import HOUSEHOLD_BUSY, TAKEN
from justedroit.registry.models import Household
from tests.concurrent_sessions import MARKS
from tests.factories import HouseholdFactory
from tests.reception.conftest import TUESDAY, at

THREADS = 12

pytestmark = MARKS


def test_parallel_bookings_of_one_slot_exactly_one_wins(tuesday_morning, household):
    site = Site.objects.get(slug="poitiers")
    kind = AppointmentType.objects.get(code="dossier-sur-place")
    households = [household] + [
        Household.objects.create(
            number=f"76500{i:02d}", commune=household.commune, created_at=household.created_at
        )
        for i in range(THREADS - 1)
    ]
    barrier = threading.Barrier(THREADS)
    results: list[str] = []

    def attempt(target):
        try:
            barrier.wait()
            services.appointment_book(
                household=target,
                appointment_type=kind,
                site=site,
                starts_at=at(TUESDAY, 9),
                booked_via="claimant",
                acting_user=None,
            )
            results.append("ok")
        except ValidationError as error:
            results.append(error.messages[0])
        except Exception as error:  # recorded, so that the assertions below see it
            results.append(f"unexpected {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(h,)) for h in households]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == THREADS
    assert results.count("ok") == 1
    refusals = [r for r in results if r != "ok"]
    assert all("disponible" in r or "réservé" in r for r in refusals), refusals
    assert Appointment.objects.filter(starts_at=at(TUESDAY, 9)).count() == 1


def test_the_exclusion_constraint_holds_without_the_site_lock(tuesday_morning, household):
    """Even a writer that skips the service's lock cannot create an overlap."""
    from django.db import IntegrityError

    kind = AppointmentType.objects.get(code="dossier-sur-place")
    common = {
        "household": household,
        "type": kind,
        "channel": "in_person",
        "agent_id": tuesday_morning.agent_id,
        "site_id": tuesday_morning.site_id,
        "booked_via": "agent",
        "created_at": at(TUESDAY, 8),
    }
    Appointment.objects.create(starts_at=at(TUESDAY, 9), ends_at=at(TUESDAY, 10), **common)
    with pytest.raises(IntegrityError, match="appt_agent_no_overlap"):
        Appointment.objects.create(
            starts_at=at(TUESDAY, 9, 30), ends_at=at(TUESDAY, 10, 30), **common
        )


def test_one_household_booked_at_two_sites_at_once_gets_one_appointment(in_person, make_user):
    """Three households, each booked at Poitiers and at Châtellerault at the same instant by two
    concurrent sessions, for every slot of three Tuesdays (54 races). The site locks do not
    serialise the two bookings of a pair (two different sites): only the database can refuse the
    second one (with the household constraint dropped, 48 of 162 such races booked twice). Each
    household ends with one appointment per instant, the loser with a French message."""
    sites = [Site.objects.get(slug="poitiers"), Site.objects.get(slug="chatellerault")]
    for site in sites:
        for n in range(3):
            services.opening_slot_create(
                agent=make_user(Role.CASE_WORKER, username=f"agent-{site.slug}-{n}"),
                site=site,
                types=[in_person],
                weekday=1,
                starts=dt.time(9),
                ends=dt.time(12),
                first_day=dt.date(2022, 1, 4),
                acting_user=None,
            )
    households = [HouseholdFactory(number=f"76600{n:02d}") for n in range(3)]
    starts = [
        at(TUESDAY + dt.timedelta(weeks=week), 9) + dt.timedelta(minutes=30 * slot)
        for week in range(3)
        for slot in range(6)
    ]
    workers = [(household, site) for household in households for site in sites]
    barrier = threading.Barrier(len(workers))
    results: dict[tuple[int, dt.datetime], list[str]] = defaultdict(list)

    def work(household, site):
        try:
            for start in starts:
                barrier.wait(timeout=120)  # a stuck worker breaks the barrier, not the suite
                try:
                    services.appointment_book(
                        household=household,
                        appointment_type=in_person,
                        site=site,
                        starts_at=start,
                        booked_via="claimant",
                        acting_user=None,
                    )
                    outcome = "ok"
                except ValidationError as error:
                    outcome = error.messages[0]
                except Exception as error:  # recorded, so that the assertions below see it
                    outcome = f"unexpected {error!r}"
                results[(household.pk, start)].append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=worker) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == len(households) * len(starts)
    for outcomes in results.values():
        assert outcomes.count("ok") == 1, outcomes
        refusal = next(o for o in outcomes if o != "ok")
        assert refusal in (HOUSEHOLD_BUSY, TAKEN), refusal
    booked = Appointment.objects.filter(household__in=households, status="booked")
    assert booked.count() == len(households) * len(starts)

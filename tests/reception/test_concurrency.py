"""N parallel bookings of one slot: exactly one succeeds (PostgreSQL: real concurrent sessions)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from justedroit.reception import services
from justedroit.reception.models import Appointment, AppointmentType, Site
from justedroit.registry.models import Household
from tests.reception.conftest import TUESDAY, at

THREADS = 12

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Concurrent sessions need PostgreSQL (SQLite serialises writers); "
        "runs in the CI PostgreSQL pass.",
    ),
]


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

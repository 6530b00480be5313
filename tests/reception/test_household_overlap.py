"""One active appointment per household at a time, whatever the site: a database guarantee
(PostgreSQL exclusion constraint, SQLite triggers), with a French message from the service."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from justedroit.core.roles import Role
from justedroit.reception import services
from justedroit.reception.models import Appointment, AppointmentStatus, AppointmentType, Site
from justedroit.reception.services.appointments import HOUSEHOLD_BUSY
from tests.factories import HouseholdFactory
from tests.reception.conftest import TUESDAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def chatellerault_tuesday(make_user, in_person):
    """Tuesday 9:00–12:00 at Châtellerault, another agent."""
    return services.opening_slot_create(
        agent=make_user(Role.CASE_WORKER, username="agent-chatellerault"),
        site=Site.objects.get(slug="chatellerault"),
        types=[in_person],
        weekday=1,
        starts=dt.time(9),
        ends=dt.time(12),
        first_day=dt.date(2022, 1, 4),
        acting_user=None,
    )


def _row(household, opening, start, minutes=30, **extra):
    """An appointment written straight to the table, skipping the service and its checks."""
    fields = {
        "household": household,
        "type": AppointmentType.objects.get(code="dossier-sur-place"),
        "channel": "in_person",
        "agent_id": opening.agent_id,
        "site_id": opening.site_id,
        "starts_at": start,
        "ends_at": start + dt.timedelta(minutes=minutes),
        "booked_via": "agent",
        "created_at": at(TUESDAY, 8),
    }
    return Appointment(**(fields | extra))


def test_the_service_refuses_the_same_household_at_two_sites_in_french(
    tuesday_morning, chatellerault_tuesday, household, in_person, poitiers
):
    def book(site):
        return services.appointment_book(
            household=household,
            appointment_type=in_person,
            site=site,
            starts_at=at(TUESDAY, 9),
            booked_via="claimant",
            acting_user=None,
        )

    book(poitiers)
    with pytest.raises(ValidationError) as refused:
        book(Site.objects.get(slug="chatellerault"))
    assert refused.value.messages == [HOUSEHOLD_BUSY]
    assert Appointment.objects.filter(household=household).count() == 1


def test_the_database_refuses_a_household_overlap_written_without_the_service(
    tuesday_morning, chatellerault_tuesday, household
):
    _row(household, tuesday_morning, at(TUESDAY, 9)).save()
    overlapping = _row(household, chatellerault_tuesday, at(TUESDAY, 9, 15))
    with pytest.raises(IntegrityError, match="appt_household_no_overlap"), transaction.atomic():
        overlapping.save()
    # Back to back is not an overlap ([start, end) periods).
    _row(household, chatellerault_tuesday, at(TUESDAY, 9, 30)).save()
    assert Appointment.objects.filter(household=household).count() == 2


def test_a_queryset_update_or_raw_sql_cannot_create_the_overlap_either(
    tuesday_morning, chatellerault_tuesday, household
):
    _row(household, tuesday_morning, at(TUESDAY, 9)).save()
    later = _row(household, chatellerault_tuesday, at(TUESDAY, 11))
    later.save()
    with pytest.raises(IntegrityError, match="appt_household_no_overlap"), transaction.atomic():
        Appointment.objects.filter(pk=later.pk).update(
            starts_at=at(TUESDAY, 9), ends_at=at(TUESDAY, 9, 30)
        )
    with (
        pytest.raises(IntegrityError, match="appt_household_no_overlap"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE reception_appointment SET starts_at = %s, ends_at = %s WHERE id = %s",
            [
                connection.ops.adapt_datetimefield_value(at(TUESDAY, 9, 10)),
                connection.ops.adapt_datetimefield_value(at(TUESDAY, 9, 40)),
                later.pk,
            ],
        )
    later.refresh_from_db()
    assert later.starts_at == at(TUESDAY, 11)


def test_only_active_appointments_hold_the_households_time(
    tuesday_morning, chatellerault_tuesday, household
):
    cancelled = _row(household, tuesday_morning, at(TUESDAY, 9), status=AppointmentStatus.EXCUSED)
    cancelled.save()
    _row(household, chatellerault_tuesday, at(TUESDAY, 9)).save()
    # Re-activating the cancelled one would make two at once.
    with pytest.raises(IntegrityError, match="appt_household_no_overlap"), transaction.atomic():
        Appointment.objects.filter(pk=cancelled.pk).update(status=AppointmentStatus.BOOKED)
    # Another household at the same time is not concerned.
    _row(HouseholdFactory(number="7654399"), tuesday_morning, at(TUESDAY, 9, 30)).save()


def test_the_resource_constraint_survived_the_table_rebuild(
    tuesday_morning, household, lsf, make_user
):
    """Migration 0003 rebuilds the SQLite table (AddConstraint), which drops its triggers: they
    must all be there again (the agent's is checked in test_booking)."""
    need = {"resource": lsf, "accessibility_need": "lsf"}
    _row(household, tuesday_morning, at(TUESDAY, 9), **need).save()
    another_agent_and_household = _row(
        HouseholdFactory(number="7654398"),
        tuesday_morning,
        at(TUESDAY, 9, 15),
        agent_id=make_user(Role.CASE_WORKER, username="agent-2").pk,
        **need,
    )
    with pytest.raises(IntegrityError, match="appt_resource_no_overlap"), transaction.atomic():
        another_agent_and_household.save()

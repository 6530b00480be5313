import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.reception import services
from justedroit.reception.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    BookedVia,
    Notification,
)
from justedroit.reception.slots import free_slots
from tests.factories import HouseholdFactory
from tests.reception.conftest import TUESDAY, at
from tests.task_queue import run_ready_tasks

pytestmark = pytest.mark.django_db


def book(household, in_person, poitiers, start, **extra):
    return services.appointment_book(
        household=household,
        appointment_type=in_person,
        site=poitiers,
        starts_at=start,
        booked_via=extra.pop("booked_via", BookedVia.AGENT),
        acting_user=extra.pop("acting_user", None),
        **extra,
    )


def test_free_slots_cut_the_opening_slot_by_the_motif_duration(tuesday_morning, in_person):
    slots = free_slots(appointment_type=in_person, first_day=TUESDAY, last_day=TUESDAY)
    assert [s.starts_at for s in slots] == [at(TUESDAY, h, m) for h in (9, 10, 11) for m in (0, 30)]
    assert {s.site_slug for s in slots} == {"poitiers"}


def test_free_slots_skip_holidays_closures_absences_and_booked(
    tuesday_morning, in_person, poitiers, agent, household
):
    services.closure_create(
        site=poitiers,
        first_day=dt.date(2023, 1, 10),
        last_day=dt.date(2023, 1, 10),
        reason="Formation",
        acting_user=None,
    )
    services.absence_create(
        agent=agent,
        first_day=dt.date(2023, 1, 17),
        last_day=dt.date(2023, 1, 17),
        starts=dt.time(9),
        ends=dt.time(10),
        acting_user=None,
    )
    book(household, in_person, poitiers, at(TUESDAY, 9))
    days = free_slots(appointment_type=in_person, first_day=TUESDAY, last_day=dt.date(2023, 1, 17))
    starts = {s.starts_at for s in days}
    assert at(TUESDAY, 9) not in starts and at(TUESDAY, 9, 30) in starts
    assert not any(s.starts_at.date() == dt.date(2023, 1, 10) for s in days)  # closed
    assert at(dt.date(2023, 1, 17), 9, 30) not in starts  # absent 9–10
    assert at(dt.date(2023, 1, 17), 10) in starts


def test_no_slot_on_a_public_holiday(agent, poitiers, in_person):
    # Easter Monday 10 April 2023 is a holiday; the Mondays around it are not.
    in_person.max_delay_days = 120
    in_person.save()
    services.opening_slot_create(
        agent=agent,
        site=poitiers,
        types=[in_person],
        weekday=0,
        starts=dt.time(9),
        ends=dt.time(10),
        first_day=dt.date(2023, 1, 2),
        acting_user=None,
    )
    slots = free_slots(
        appointment_type=in_person, first_day=dt.date(2023, 4, 3), last_day=dt.date(2023, 4, 17)
    )
    assert {s.starts_at.date() for s in slots} == {dt.date(2023, 4, 3), dt.date(2023, 4, 17)}


def test_booking_writes_the_appointment_its_audit_and_its_notifications(
    tuesday_morning, in_person, poitiers, household, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(
            household,
            in_person,
            poitiers,
            at(TUESDAY, 10),
            contact_phone="06 12 34 56 78",
            contact_email="lea@example.org",
            acting_user=agent,
        )
    assert appointment.agent == agent and appointment.status == AppointmentStatus.BOOKED
    assert appointment.contact_phone == "+33612345678"
    event = AuditEvent.objects.get(object_type="reception.Appointment")
    assert event.household_number == "7654321"
    assert set(Notification.objects.values_list("channel", "status")) == {
        ("sms", "queued"),
        ("email", "queued"),
    }
    run_ready_tasks()  # the worker sends them
    assert set(Notification.objects.values_list("channel", "status")) == {
        ("sms", "sent"),
        ("email", "sent"),
    }


def test_booking_twice_the_same_slot_is_refused_in_french(
    tuesday_morning, in_person, poitiers, household
):
    book(household, in_person, poitiers, at(TUESDAY, 10))
    with pytest.raises(ValidationError, match=r"n.est pas disponible|déjà un rendez-vous"):
        book(household, in_person, poitiers, at(TUESDAY, 10))
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (at(TUESDAY, 12), "n'est pas disponible"),  # after the opening slot
        (at(TUESDAY, 9, 10), "n'est pas disponible"),  # not a slot boundary
        (at(dt.date(2022, 12, 31), 10, 30), "trop proche"),
        (at(dt.date(2023, 4, 4), 9), "trop lointain"),
        (at(dt.date(2022, 12, 27), 9), "déjà passé"),
    ],
)
def test_bad_starts_get_a_clear_message_and_write_nothing(
    tuesday_morning, in_person, poitiers, household, start, message
):
    with pytest.raises(ValidationError, match=message):
        book(household, in_person, poitiers, start)
    assert not Appointment.objects.exists()
    assert not AuditEvent.objects.filter(object_type="reception.Appointment").exists()


def test_unknown_household_is_refused(tuesday_morning, in_person, poitiers):
    with pytest.raises(ValidationError, match="Foyer inconnu"):
        book(None, in_person, poitiers, at(TUESDAY, 10))


def test_accessibility_need_lands_only_where_the_resource_is_free(
    tuesday_morning, in_person, poitiers, household, agent, make_user, lsf
):
    first = book(household, in_person, poitiers, at(TUESDAY, 9), accessibility_need="lsf")
    assert first.resource == lsf
    # A second agent on the same Tuesday morning has the interpreter too: the 9:00 interpreter is
    # taken, so 9:00 is not offered with the need, but is offered without it.
    other = make_user(Role.CASE_WORKER, username="agent-2")
    services.opening_slot_create(
        agent=other,
        site=poitiers,
        types=[in_person],
        weekday=1,
        starts=dt.time(9),
        ends=dt.time(12),
        first_day=dt.date(2022, 1, 4),
        resource=lsf,
        acting_user=None,
    )
    with_need = free_slots(
        appointment_type=in_person, first_day=TUESDAY, last_day=TUESDAY, accessibility_need="lsf"
    )
    assert at(TUESDAY, 9) not in {s.starts_at for s in with_need}
    without = free_slots(appointment_type=in_person, first_day=TUESDAY, last_day=TUESDAY)
    assert at(TUESDAY, 9) in {s.starts_at for s in without}
    from justedroit.registry.models import Household

    second_household = Household.objects.create(
        number="7654322", commune=household.commune, created_at=household.created_at
    )
    with pytest.raises(ValidationError, match="langue des signes"):
        book(second_household, in_person, poitiers, at(TUESDAY, 9), accessibility_need="lsf")
    # A written-relay need cannot land on a slot without that resource (none on Thursdays).
    with pytest.raises(ValidationError):
        book(
            second_household,
            in_person,
            poitiers,
            at(dt.date(2023, 1, 5), 9),
            accessibility_need="written",
        )


def test_the_database_refuses_an_overlap_for_the_agent(tuesday_morning, household, agent):
    other = HouseholdFactory(number="7654322")  # another household: only the agent overlaps
    first = Appointment.objects.create(
        household=household,
        type=AppointmentType.objects.get(code="dossier-sur-place"),
        channel="in_person",
        agent=agent,
        site_id=tuesday_morning.site_id,
        starts_at=at(TUESDAY, 9),
        ends_at=at(TUESDAY, 9, 30),
        booked_via="agent",
        created_at=at(TUESDAY, 8),
    )
    with pytest.raises(IntegrityError, match="appt_agent_no_overlap"), transaction.atomic():
        Appointment.objects.create(
            household=other,
            type=first.type,
            channel="in_person",
            agent=agent,
            site_id=first.site_id,
            starts_at=at(TUESDAY, 9, 15),
            ends_at=at(TUESDAY, 9, 45),
            booked_via="agent",
            created_at=at(TUESDAY, 8),
        )
    # Once cancelled, the time is free again.
    Appointment.objects.filter(pk=first.pk).update(status=AppointmentStatus.REVOKED)
    Appointment.objects.create(
        household=household,
        type=first.type,
        channel="in_person",
        agent=agent,
        site_id=first.site_id,
        starts_at=at(TUESDAY, 9, 15),
        ends_at=at(TUESDAY, 9, 45),
        booked_via="agent",
        created_at=at(TUESDAY, 8),
    )
    assert Appointment.objects.count() == 2


def test_site_capacity_limits_in_person_appointments(in_person, poitiers, household, make_user):
    poitiers.desks = 1
    poitiers.save()
    agents = [make_user(Role.CASE_WORKER, username=f"a{i}") for i in range(2)]
    for agent in agents:
        services.opening_slot_create(
            agent=agent,
            site=poitiers,
            types=[in_person],
            weekday=1,
            starts=dt.time(9),
            ends=dt.time(10),
            first_day=dt.date(2022, 1, 4),
            acting_user=None,
        )
    assert len(free_slots(appointment_type=in_person, first_day=TUESDAY, last_day=TUESDAY)) == 4
    book(household, in_person, poitiers, at(TUESDAY, 9))
    remaining = free_slots(appointment_type=in_person, first_day=TUESDAY, last_day=TUESDAY)
    assert [s.starts_at for s in remaining] == [at(TUESDAY, 9, 30), at(TUESDAY, 9, 30)]


def test_claimant_cancel_and_move_follow_the_motif_deadlines(
    tuesday_morning, in_person, poitiers, household
):
    appointment = book(household, in_person, poitiers, at(TUESDAY, 10), booked_via="claimant")
    moved = services.appointment_move(
        appointment=appointment, starts_at=at(TUESDAY, 11), by_caf=False, acting_user=None
    )
    assert moved.starts_at == at(TUESDAY, 11)
    in_person.cancel_until_hours = 96  # now configurable: 96 h before is already past
    in_person.save()
    moved.refresh_from_db()
    with pytest.raises(ValidationError, match="96 h avant"):
        services.appointment_cancel(appointment=moved, by_caf=False, acting_user=None)
    cancelled = services.appointment_cancel(appointment=moved, by_caf=True, acting_user=None)
    assert cancelled.status == AppointmentStatus.REVOKED


def test_visio_appointments_get_a_unique_meeting_link(tuesday_morning, poitiers, household):
    visio = AppointmentType.objects.get(code="dossier-visio")
    links = set()
    for hour in (9, 10):
        appointment = services.appointment_book(
            household=household,
            appointment_type=visio,
            site=poitiers,
            starts_at=at(TUESDAY, hour),
            booked_via="agent",
            acting_user=None,
        )
        links.add(appointment.meeting_url)
    assert len(links) == 2 and all(link.startswith("https://") for link in links)


def test_marking_attendance_only_after_start(tuesday_morning, in_person, poitiers, household):
    from justedroit.core import clock

    appointment = book(household, in_person, poitiers, at(TUESDAY, 10))
    with pytest.raises(ValidationError, match="pas encore commencé"):
        services.appointment_mark(appointment=appointment, status="seen", acting_user=None)
    with clock.frozen(dt.datetime(2023, 1, 3, 10, 5)):
        services.appointment_check_in(appointment=appointment, acting_user=None)
        marked = services.appointment_mark(appointment=appointment, status="seen", acting_user=None)
    assert marked.status == AppointmentStatus.SEEN and marked.checked_in_at is not None


def test_partner_booking_is_recorded_as_such(
    tuesday_morning, in_person, poitiers, household, partner_user, civray_efs
):
    appointment = book(
        household,
        in_person,
        poitiers,
        at(TUESDAY, 9),
        booked_via="partner",
        partner=civray_efs,
        acting_user=partner_user,
    )
    assert (appointment.booked_via, appointment.partner, appointment.partner_organisation) == (
        "partner",
        civray_efs,
        "Espace France Services de Civray",
    )
    with pytest.raises(ValidationError, match="nomme son organisation"):
        book(household, in_person, poitiers, at(TUESDAY, 10), booked_via="partner")
    debt = AppointmentType.objects.get(code="dette-indu")
    with pytest.raises(ValidationError, match="auprès d'un agent"):
        services.appointment_book(
            household=household,
            appointment_type=debt,
            site=poitiers,
            starts_at=at(TUESDAY, 11),
            booked_via="claimant",
            acting_user=None,
        )


@pytest.mark.parametrize("code", ["dossier-sur-place", "premiere-demande", "dossier-visio"])
@pytest.mark.parametrize("need", ["lsf", "written"])
def test_every_slot_listed_for_a_need_is_bookable_with_that_need(
    tuesday_morning, household, poitiers, code, need
):
    """Slots advertised for a need (the API's `/slots?need=`) are exactly the ones booking accepts
    with that need: each is booked (then rolled back) with it."""
    kind = AppointmentType.objects.get(code=code)
    kind.opening_slots.add(tuesday_morning)
    listed = free_slots(
        appointment_type=kind,
        first_day=TUESDAY,
        last_day=TUESDAY + dt.timedelta(days=13),
        accessibility_need=need,
    )
    for slot in listed:
        with transaction.atomic():
            booked = services.appointment_book(
                household=household,
                appointment_type=kind,
                site=poitiers,
                starts_at=slot.starts_at,
                accessibility_need=need,
                booked_via=BookedVia.CLAIMANT,
                acting_user=None,
            )
            assert booked.resource.kind == need
            transaction.set_rollback(True)
    if need == "lsf" and kind.channel == "in_person":
        assert listed  # the Tuesday opening has the LSF interpreter
    if kind.channel != "in_person":
        assert listed == []

"""Reads of the reception domain."""

import datetime as dt

from django.db.models import QuerySet

from justedroit.core import clock
from justedroit.core.clock import PARIS
from justedroit.core.db import by_pk
from justedroit.reception.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    BookedVia,
    Site,
    Ticket,
    TicketStatus,
)
from justedroit.reception.slots import FreeSlot, free_slots  # re-exported for the web layer

__all__ = ["FreeSlot", "free_slots"]


def sites() -> QuerySet[Site]:
    return Site.objects.select_related("commune").order_by("kind", "name")


def site_by_slug(slug: str) -> Site | None:
    return Site.objects.filter(slug=slug).first()


def appointment_types(*, for_claimant: bool = False, for_partner: bool = False):
    types = AppointmentType.objects.all()
    if for_claimant:
        types = types.filter(claimant_may_book=True)
    if for_partner:
        types = types.filter(partner_may_book=True)
    return types


def appointment_type_by_code(
    code: str, among: QuerySet[AppointmentType] | None = None
) -> AppointmentType | None:
    """`among`: the types this user may book (a claimant's are fewer than an agent's)."""
    types = AppointmentType.objects.all() if among is None else among
    return types.filter(code=code).first()


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=PARIS)
    return start, start + dt.timedelta(days=1)


def day_appointments(site: Site, day: dt.date) -> QuerySet[Appointment]:
    start, end = _day_bounds(day)
    return (
        Appointment.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end)
        .select_related("household", "type", "agent")
        .order_by("starts_at")
    )


def day_tickets(site: Site, day: dt.date) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(site=site, day=day)
        .select_related("household", "agent")
        .order_by("arrived_at", "number")
    )


def site_appointment(site: Site, pk) -> Appointment | None:
    return by_pk(Appointment.objects, pk, site=site)


def site_ticket(site: Site, pk) -> Ticket | None:
    return by_pk(Ticket.objects, pk, site=site)


def agent_appointment(agent, pk) -> Appointment | None:
    """One of the agent's own appointments."""
    return by_pk(Appointment.objects, pk, agent=agent)


def household_appointment(household, pk) -> Appointment | None:
    return by_pk(Appointment.objects, pk, household=household)


def waiting_count(site: Site, day: dt.date) -> int:
    return Ticket.objects.filter(site=site, day=day, status=TicketStatus.WAITING).count()


def unmarked_past_appointments(agent) -> QuerySet[Appointment]:
    """The agent's started appointments still without a status (seen / no-show)."""
    return (
        Appointment.objects.filter(
            agent=agent, status=AppointmentStatus.BOOKED, starts_at__lte=clock.now()
        )
        .select_related("household", "type", "site")
        .order_by("-starts_at")
    )


def household_appointments(household) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(household=household)
        .select_related("type", "site")
        .order_by("-starts_at")
    )


def partner_appointments(
    *,
    partner,
    households: QuerySet,
    status: str = "",
    household_number: str = "",
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
) -> QuerySet[Appointment]:
    """Appointments a partner organisation booked, for the given households, by start."""
    appointments = Appointment.objects.filter(
        booked_via=BookedVia.PARTNER, partner=partner, household__in=households
    )
    if status:
        appointments = appointments.filter(status=status)
    if household_number:
        appointments = appointments.filter(household__number=household_number)
    if first_day is not None:
        appointments = appointments.filter(starts_at__gte=_day_bounds(first_day)[0])
    if last_day is not None:
        appointments = appointments.filter(starts_at__lt=_day_bounds(last_day)[1])
    return appointments.select_related("household", "type", "site").order_by("starts_at", "id")

"""Reads of the reception domain."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from justedroit.core import clock
from justedroit.core.clock import PARIS
from justedroit.core.db import by_pk
from justedroit.core.models import User
from justedroit.core.roles import AGENT_ROLES
from justedroit.reception.models import (
    Absence,
    AccessibilityResource,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    BookedVia,
    Closure,
    OpeningSlot,
    Queue,
    Site,
    SiteKind,
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


@dataclass(frozen=True, slots=True)
class WaitingTicket:
    ticket: Ticket
    waited: dt.timedelta  # since arrival, as of the board's instant


@dataclass(frozen=True, slots=True)
class QueueNow:
    """One queue of a site, now: who waits (first to call first), for how long."""

    code: str
    label: str
    waiting: list[WaitingTicket]

    @property
    def count(self) -> int:
        return len(self.waiting)

    @property
    def longest(self) -> dt.timedelta | None:
        return self.waiting[0].waited if self.waiting else None

    @property
    def mean(self) -> dt.timedelta | None:
        if not self.waiting:
            return None
        return sum((w.waited for w in self.waiting), dt.timedelta()) / len(self.waiting)


@dataclass(frozen=True, slots=True)
class QueueBoard:
    """A site's walk-in queue at an instant: per queue, who waits; who is being called or
    received; how the day went so far (served, left, median wait of those called)."""

    queues: list[QueueNow]
    in_progress: list[Ticket]
    done: int
    left: int
    median_wait: dt.timedelta | None


def queue_board(site: Site, now: dt.datetime) -> QueueBoard:
    tickets = list(day_tickets(site, now.date()))
    waiting = [t for t in tickets if t.status == TicketStatus.WAITING]
    queues = [
        QueueNow(
            code=code,
            label=label,
            waiting=[
                # A ticket the clock has not reached yet (a restarted demo) has waited 0 min.
                WaitingTicket(t, max(now - t.arrived_at, dt.timedelta()))
                for t in waiting
                if t.queue == code
            ],
        )
        for code, label in Queue.choices
    ]
    waits = sorted(t.called_at - t.arrived_at for t in tickets if t.called_at is not None)
    return QueueBoard(
        queues=queues,
        in_progress=[t for t in tickets if t.status in (TicketStatus.CALLED, TicketStatus.SERVING)],
        done=sum(t.status == TicketStatus.DONE for t in tickets),
        left=sum(t.status == TicketStatus.NO_SHOW for t in tickets),
        median_wait=waits[len(waits) // 2] if waits else None,
    )


def calls_display(site: Site, day: dt.date, *, limit: int = 8) -> QuerySet[Ticket]:
    """The latest tickets called that day (the waiting room's screen): no household shown."""
    return Ticket.objects.filter(
        site=site,
        day=day,
        called_at__isnull=False,
        status__in=[TicketStatus.CALLED, TicketStatus.SERVING],
    ).order_by("-called_at")[:limit]


GRID_DAYS = 14  # the booking grid shows two weeks from the chosen day


@dataclass(frozen=True)
class SlotSearch:
    """What a slot search form asked: the motif, the place (None: every one), the first day."""

    appointment_type: AppointmentType
    site: Site | None
    first_day: dt.date
    need: str


def search_grid(
    search: SlotSearch | None, *, exclude_appointment_id: int | None = None
) -> list[tuple[dt.date, list[FreeSlot]]] | None:
    """The free slots of the search over GRID_DAYS, by day; None without a valid search."""
    if search is None:
        return None
    return slot_grid(
        free_slots(
            appointment_type=search.appointment_type,
            site=search.site,
            first_day=search.first_day,
            last_day=search.first_day + dt.timedelta(days=GRID_DAYS - 1),
            accessibility_need=search.need,
            exclude_appointment_id=exclude_appointment_id,
        )
    )


def slot_grid(slots: list[FreeSlot]) -> list[tuple[dt.date, list[FreeSlot]]]:
    """Free slots by day, one per site and start (the service picks the agent when booking)."""
    days: dict[dt.date, dict[tuple[str, dt.datetime], FreeSlot]] = {}
    for slot in slots:
        day = slot.starts_at.astimezone(PARIS).date()
        days.setdefault(day, {}).setdefault((slot.site_slug, slot.starts_at), slot)
    return [
        (day, sorted(cells.values(), key=lambda s: (s.starts_at, s.site_name)))
        for day, cells in sorted(days.items())
    ]


# ---- planning (managers) ------------------------------------------------------------------------


def opening_slots(*, on: dt.date) -> QuerySet[OpeningSlot]:
    """The opening slots still running on `on` or later, by site, weekday and start."""
    return (
        OpeningSlot.objects.filter(Q(last_day__isnull=True) | Q(last_day__gte=on))
        .select_related("agent", "site", "resource")
        .prefetch_related("types")
        .order_by("site__name", "weekday", "starts", "agent__username")
    )


def opening_slot(pk) -> OpeningSlot | None:
    return by_pk(OpeningSlot.objects.select_related("site", "agent"), pk)


def absences(*, on: dt.date) -> QuerySet[Absence]:
    return Absence.objects.filter(last_day__gte=on).select_related("agent").order_by("first_day")


def closures(*, on: dt.date) -> QuerySet[Closure]:
    return Closure.objects.filter(last_day__gte=on).select_related("site").order_by("first_day")


def sites_with_hours() -> QuerySet[Site]:
    return sites().prefetch_related("opening_hours")


def permanences() -> QuerySet[Site]:
    return sites_with_hours().filter(kind=SiteKind.PERMANENCE)


def slot_holders() -> QuerySet[User]:
    """The agents who may hold opening slots and absences."""
    return User.objects.filter(is_active=True, role__in=AGENT_ROLES).order_by("username")


def resources() -> QuerySet[AccessibilityResource]:
    return AccessibilityResource.objects.select_related("site").order_by("site__name", "name")

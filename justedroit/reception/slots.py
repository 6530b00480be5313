"""Free slots (a read): opening slots − appointments − absences − closures − public holidays.

Also answers *why* a given start is not bookable, so that the booking service can give a precise
French message (outside opening hours, delay limits, holiday, missing resource, already taken).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from justedroit.core import clock
from justedroit.core.calendar import is_holiday
from justedroit.core.clock import PARIS
from justedroit.reception.models import (
    ACTIVE_STATUSES,
    Absence,
    Appointment,
    AppointmentType,
    Channel,
    Closure,
    OpeningHours,
    OpeningSlot,
    Site,
    SlotOverride,
)

MAX_RANGE_DAYS = 62


@dataclass(frozen=True)
class FreeSlot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    agent_id: int
    site_slug: str
    site_name: str
    type_code: str
    resource_id: int | None


def booking_window(appointment_type: AppointmentType) -> tuple[dt.datetime, dt.datetime]:
    now = clock.now()
    return (
        now + dt.timedelta(minutes=appointment_type.min_delay_minutes),
        now + dt.timedelta(days=appointment_type.max_delay_days),
    )


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=PARIS)


def _overlaps(start, end, intervals) -> int:
    return sum(1 for s, e in intervals if s < end and start < e)


def free_slots(
    *,
    appointment_type: AppointmentType,
    first_day: dt.date,
    last_day: dt.date,
    site: Site | None = None,
    agent_id: int | None = None,
    accessibility_need: str = "",
    exclude_appointment_id: int | None = None,
    limit: int | None = None,
) -> list[FreeSlot]:
    """Bookable slots for a motif, in [first_day, last_day], sorted by start.

    Accessibility resources are for appointments on site: a need with a phone or visio motif has
    no slot (booking would refuse it)."""
    if accessibility_need and appointment_type.channel != Channel.IN_PERSON:
        return []
    earliest, latest = booking_window(appointment_type)
    first_day = max(first_day, earliest.date())
    last_day = min(last_day, latest.date(), first_day + dt.timedelta(days=MAX_RANGE_DAYS))
    if last_day < first_day:
        return []
    openings = OpeningSlot.objects.filter(
        Q(last_day__isnull=True) | Q(last_day__gte=first_day),
        types=appointment_type,
        first_day__lte=last_day,
    ).select_related("site")
    if appointment_type.channel == Channel.IN_PERSON:
        openings = openings.filter(site__offers_appointments=True)
    else:
        openings = openings.filter(site__offers_remote=True)
    if site is not None:
        openings = openings.filter(site=site)
    if agent_id is not None:
        openings = openings.filter(agent_id=agent_id)
    if accessibility_need:
        openings = openings.filter(resource__kind=accessibility_need)
    openings = list(openings)
    if not openings:
        return []
    agents = {o.agent_id for o in openings}
    site_ids = {o.site_id for o in openings}
    window = (_aware(first_day, dt.time.min), _aware(last_day + dt.timedelta(days=1), dt.time.min))

    overrides = {
        (o.opening_slot_id, o.day): o
        for o in SlotOverride.objects.filter(
            opening_slot__in=openings, day__range=(first_day, last_day)
        )
    }
    hours = defaultdict(list)
    for h in OpeningHours.objects.filter(site_id__in=site_ids):
        hours[(h.site_id, h.weekday)].append((h.opens, h.closes))
    closed = defaultdict(list)
    for c in Closure.objects.filter(
        site_id__in=site_ids, first_day__lte=last_day, last_day__gte=first_day
    ):
        closed[c.site_id].append((c.first_day, c.last_day))
    absences = defaultdict(list)
    for a in Absence.objects.filter(
        agent_id__in=agents, first_day__lte=last_day, last_day__gte=first_day
    ):
        absences[a.agent_id].append(a)
    busy_agent = defaultdict(list)
    busy_site = defaultdict(list)
    busy_resource = defaultdict(list)
    taken = (
        Appointment.objects.filter(
            status__in=ACTIVE_STATUSES, starts_at__lt=window[1], ends_at__gt=window[0]
        )
        .filter(
            Q(agent_id__in=agents)
            | Q(site_id__in=site_ids, channel=Channel.IN_PERSON)
            | Q(resource__isnull=False)
        )
        .exclude(pk=exclude_appointment_id)
        .values_list("agent_id", "site_id", "channel", "resource_id", "starts_at", "ends_at")
    )
    # Bucketed by day (appointments never span midnight): a candidate slot is checked against
    # that day's appointments only, so searches stay fast as bookings pile up.
    for agent, site_id, channel, resource, start, end in taken:
        day = start.astimezone(PARIS).date()
        busy_agent[(agent, day)].append((start, end))
        if channel == Channel.IN_PERSON:
            busy_site[(site_id, day)].append((start, end))
        if resource is not None:
            busy_resource[(resource, day)].append((start, end))

    duration = appointment_type.duration
    found: list[FreeSlot] = []
    day = first_day
    while day <= last_day:
        if not is_holiday(day):
            for opening in openings:
                found.extend(
                    _slots_of(
                        opening,
                        day,
                        duration,
                        appointment_type,
                        overrides,
                        hours,
                        closed,
                        absences,
                        busy_agent,
                        busy_site,
                        busy_resource,
                        (earliest, latest),
                        bool(accessibility_need),
                    )
                )
        day += dt.timedelta(days=1)
    found.sort(key=lambda s: (s.starts_at, s.site_slug, s.agent_id))
    return found[:limit] if limit else found


def _slots_of(
    opening,
    day,
    duration,
    appointment_type,
    overrides,
    hours,
    closed,
    absences,
    busy_agent,
    busy_site,
    busy_resource,
    window,
    needs_resource,
):
    if day.weekday() != opening.weekday or day < opening.first_day:
        return
    if opening.last_day is not None and day > opening.last_day:
        return
    if ((day - opening.first_day).days // 7) % opening.every_weeks:
        return
    if any(first <= day <= last for first, last in closed[opening.site_id]):
        return
    starts, ends = opening.starts, opening.ends
    override = overrides.get((opening.id, day))
    if override is not None:
        if override.starts is None:
            return
        starts, ends = override.starts, override.ends
    in_person = appointment_type.channel == Channel.IN_PERSON
    site_hours = hours[(opening.site_id, day.weekday())]
    start = _aware(day, starts)
    end_of_opening = _aware(day, ends)
    while start + duration <= end_of_opening:
        end = start + duration
        if (
            window[0] <= start <= window[1]
            and (
                not in_person
                or any(_aware(day, o) <= start and end <= _aware(day, c) for o, c in site_hours)
            )
            and not _absent(absences[opening.agent_id], day, start, end)
            and not _overlaps(start, end, busy_agent[(opening.agent_id, day)])
            and (
                not in_person
                or _overlaps(start, end, busy_site[(opening.site_id, day)]) < opening.site.desks
            )
            and (
                not needs_resource
                or not _overlaps(start, end, busy_resource[(opening.resource_id, day)])
            )
        ):
            yield FreeSlot(
                start,
                end,
                opening.agent_id,
                opening.site.slug,
                opening.site.name,
                appointment_type.code,
                opening.resource_id,
            )
        start = end


def _absent(absences, day, start, end) -> bool:
    for absence in absences:
        if not absence.first_day <= day <= absence.last_day:
            continue
        if absence.weekly and day.weekday() != absence.first_day.weekday():
            continue
        if absence.starts is None:
            return True
        if _aware(day, absence.starts) < end and start < _aware(day, absence.ends):
            return True
    return False


def why_not_bookable(
    *, appointment_type: AppointmentType, site: Site, starts_at: dt.datetime
) -> str:
    """A French explanation of why `starts_at` is not a free slot (for bad-input messages)."""
    earliest, latest = booking_window(appointment_type)
    local = starts_at.astimezone(PARIS)
    if starts_at < clock.now():
        return "Ce créneau est déjà passé."
    if starts_at < earliest:
        return (
            "Ce créneau est trop proche : ce motif se réserve au moins "
            f"{_delay(appointment_type.min_delay_minutes)} à l'avance."
        )
    if starts_at > latest:
        return (
            "Ce créneau est trop lointain : ce motif se réserve au plus "
            f"{appointment_type.max_delay_days} jours à l'avance."
        )
    if is_holiday(local.date()):
        return f"Le {local:%d/%m/%Y} est un jour férié : l'accueil est fermé."
    if Closure.objects.filter(
        site=site, first_day__lte=local.date(), last_day__gte=local.date()
    ).exists():
        return f"{site.name} est exceptionnellement fermé le {local:%d/%m/%Y}."
    return ""


def _delay(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} jour{'s' if days > 1 else ''}"
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"

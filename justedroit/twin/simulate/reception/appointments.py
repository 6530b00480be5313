"""A year's appointments (in person, phone, visio), booked as the product books them: every
appointment sits in an agent's opening slot, on a working day that is not a public holiday, one
per agent and start, and a household never has two active appointments at the same time (the
database refuses that: the household is redrawn)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from justedroit.core.clock import PARIS
from justedroit.reception.models import ACTIVE_STATUSES
from justedroit.twin.simulate.reception.agents import World
from justedroit.twin.simulate.reception.parameters import PARAMETERS as P

STATUS_ORDER = ("seen", "no_show", "excused", "revoked")
PLACEMENT_TRIES = 6  # agents and slots tried per site before the next site
HOUSEHOLD_DRAWS = 20  # households drawn before giving an appointment up


@dataclass(slots=True)
class AppointmentRow:
    """One `reception.Appointment` row, by field name."""

    id: int
    household: int
    type: int
    channel: str
    agent: int
    site: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    booked_via: str
    created_at: dt.datetime
    status_changed_at: dt.datetime | None
    accessibility_need: str = ""
    resource: int | None = None
    booked_by: int | None = None
    partner_organisation: str = ""
    meeting_url: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    note: str = ""
    checked_in_at: dt.datetime | None = None


def booked_statuses(rng, held: int) -> np.ndarray:
    """The statuses of the appointments booked for `held` honoured ones, in random order."""
    booked = round(held / ((1 - P.no_show_rate) * (1 - P.excused_rate - P.revoked_rate)))
    excused = round(booked * P.excused_rate)
    revoked = round(booked * P.revoked_rate)
    no_show = booked - held - excused - revoked
    return rng.permutation(np.repeat(np.array(STATUS_ORDER), [held, no_show, excused, revoked]))


def appointments(
    rng, world: World, days, weights, held: dict[str, int], *, first_id: int, now: dt.datetime
) -> list[AppointmentRow]:
    """The year's appointments: `held[channel]` honoured ones per channel, plus the no-shows and
    cancellations that go with them, spread over `days` by `weights`."""
    rows: list[AppointmentRow] = []
    busy = defaultdict(set)  # day → {(agent_id, start)}
    household_busy = defaultdict(list)  # (household, day) → [(start, end)] of active ones
    via = list(P.booked_via)
    for channel, n_held in held.items():
        statuses = booked_statuses(rng, n_held)
        per_day = rng.multinomial(len(statuses), weights)
        cursor = 0
        kind = world.types[channel]
        for day, count in zip(days, per_day, strict=True):
            for _ in range(count):
                status = str(statuses[cursor])
                cursor += 1
                placed = _place(rng, world, day, channel, busy)
                if placed is None:
                    continue
                agent_id, site_slug, start, area = placed
                candidates = world.area_members.get(area, world.households)
                household = _free_household(
                    rng, candidates, household_busy, day, start, kind.duration, status
                )
                if household is None:
                    continue
                created = start - dt.timedelta(days=int(rng.integers(*P.booking_lead_days)))
                booked_via = via[int(rng.choice(len(via), p=list(P.booked_via.values())))]
                rows.append(
                    AppointmentRow(
                        id=first_id + len(rows),
                        household=int(household),
                        type=kind.id,
                        channel=channel,
                        agent=agent_id,
                        site=world.sites[site_slug].id,
                        starts_at=start,
                        ends_at=start + kind.duration,
                        # Not yet held: seen or not is unknown before it starts.
                        status=status if start < now or status not in ACTIVE_STATUSES else "booked",
                        booked_via=booked_via,
                        created_at=created,
                        status_changed_at=start if start < now else None,
                    )
                )
    return rows


def _free_household(rng, candidates, household_busy, day, start, duration, status):
    """A household drawn from `candidates`, redrawn while it already has an active appointment
    overlapping this one (the database refuses that); None after HOUSEHOLD_DRAWS tries."""
    end = start + duration
    for _ in range(HOUSEHOLD_DRAWS):
        household = rng.choice(candidates)
        if status not in ACTIVE_STATUSES:
            return household
        taken = household_busy[(household, day)]
        if not any(s < end and start < e for s, e in taken):
            taken.append((start, end))
            return household
    return None


def _place(rng, world: World, day: dt.date, channel: str, busy):
    """A free (agent, site, start, area) cell for one appointment that day, or None if all the
    cells tried are taken. In person, the household's area decides the site; by phone or visio
    any household is served by a main site."""
    if channel == "in_person":
        area = str(rng.choice(list(world.area_weight), p=list(world.area_weight.values())))
        candidates = [world.site_for(area, day), "poitiers", "chatellerault"]
    else:
        area = None
        candidates = ["poitiers", "chatellerault"]
    cell = dt.timedelta(minutes=P.slot_minutes)
    for slug in candidates:
        spans = world.hours.get((slug, day.weekday()))
        if not spans:
            continue
        agents = world.agents[slug]
        for _ in range(PLACEMENT_TRIES):
            agent = agents[int(rng.integers(len(agents)))]
            opens, closes = spans[int(rng.integers(len(spans)))]
            start = dt.datetime.combine(day, opens, tzinfo=PARIS)
            cells = int((dt.datetime.combine(day, closes) - dt.datetime.combine(day, opens)) / cell)
            start += cell * int(rng.integers(cells))
            if (agent.id, start) not in busy[day]:
                busy[day].add((agent.id, start))
                return agent.id, slug, start, area
    return None

"""A year's walk-in visits: tickets taken at the site nearest to the household (or its fallback
when that permanence is closed), numbered by arrival within each site and day, closed after an
interview or left before being called."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from justedroit.core.clock import PARIS
from justedroit.twin.simulate.reception.agents import World
from justedroit.twin.simulate.reception.parameters import PARAMETERS as P


@dataclass(slots=True)
class TicketRow:
    """One `reception.Ticket` row, by field name."""

    id: int
    site: int
    day: dt.date
    number: int
    reason: str
    household: int | None
    status: str
    arrived_at: dt.datetime
    called_at: dt.datetime | None
    service_started_at: dt.datetime | None
    finished_at: dt.datetime | None
    outcome: str
    queue: str = "reception"
    agent: int | None = None
    sent_back: int = 0
    transfers: int = 0


@dataclass(order=True, slots=True)
class _Arrival:
    site: str
    at: dt.datetime
    index: int  # into the day's draws
    area: str


def visits(
    rng, world: World, days, weights, seen: int, *, first_id: int, now: dt.datetime
) -> list[TicketRow]:
    """The year's walk-in tickets: `seen` visitors received, plus those who left before their
    turn, spread over `days` by `weights`. Seen at `now`: nobody has arrived after it, and a
    visitor not yet called is waiting, one called and not yet done is being received."""
    left = round(seen * P.walk_in_left_rate)
    outcome = rng.permutation(np.array(["done"] * seen + ["no_show"] * left))
    per_day = rng.multinomial(len(outcome), weights)
    hours = np.array(list(P.hour_weight))
    hour_p = np.array(list(P.hour_weight.values()))
    hour_p = hour_p / hour_p.sum()
    reasons = list(P.visit_reasons)
    reason_p = list(P.visit_reasons.values())
    (wait_median, wait_sigma), (service_median, service_sigma) = P.wait_minutes, P.service_minutes
    rows: list[TicketRow] = []
    cursor = 0
    for day, count in zip(days, per_day, strict=True):
        areas = rng.choice(list(world.area_weight), size=count, p=list(world.area_weight.values()))
        waits = rng.lognormal(np.log(wait_median), wait_sigma, count)
        services = rng.lognormal(np.log(service_median), service_sigma, count)
        arrivals = []
        for index, area in enumerate(areas):
            site = world.site_for(area, day)
            at = _arrival(rng, day, world.hours[(site, day.weekday())], hours, hour_p)
            arrivals.append(_Arrival(site, at, index, area))
        arrivals.sort()  # by site, then time: the ticket numbers
        numbers = defaultdict(int)
        for arrival in arrivals:
            numbers[arrival.site] += 1
            status = str(outcome[cursor])
            cursor += 1
            members = world.area_members.get(arrival.area, world.households)
            household = int(rng.choice(members)) if rng.random() < P.with_household else None
            reason = reasons[int(rng.choice(len(reasons), p=reason_p))]
            if arrival.at >= now:
                continue
            wait = dt.timedelta(minutes=float(waits[arrival.index]))
            called = arrival.at + wait if status == "done" else None
            finished = (
                called + dt.timedelta(minutes=float(services[arrival.index]))
                if called is not None
                else arrival.at + wait
            )
            row = TicketRow(
                id=first_id + len(rows),
                site=world.sites[arrival.site].id,
                day=day,
                number=numbers[arrival.site],
                reason=reason,
                household=household,
                status=status,
                arrived_at=arrival.at,
                called_at=called,
                service_started_at=called,
                finished_at=finished,
                outcome="resolved" if status == "done" else "",
            )
            if finished > now:
                _in_progress(row, now)
            rows.append(row)
    return rows


def liveliest_instant(
    rows: list[TicketRow], *, site: int, day: dt.date, until: dt.datetime
) -> dt.datetime | None:
    """The instant of `day`, up to `until`, when most visitors wait at `site` (the minute after
    an arrival, the earliest of equals); None when nobody has arrived there by then."""
    stays = [
        (row.arrived_at, row.called_at or row.finished_at)
        for row in rows
        if row.site == site and row.day == day
    ]
    best, most = None, 0
    for arrived, _ in sorted(stays):
        instant = arrived + dt.timedelta(minutes=1)
        if instant > until:
            break
        waiting = sum(1 for a, left in stays if a < instant and (left is None or left > instant))
        if waiting > most:
            best, most = instant, waiting
    return best


def _in_progress(row: TicketRow, now: dt.datetime) -> None:
    """The ticket as it stands at `now`, before its visit ends: waiting, or being received."""
    row.finished_at, row.outcome = None, ""
    if row.called_at is None or row.called_at > now:
        row.status, row.called_at, row.service_started_at = "waiting", None, None
    else:
        row.status = "serving"


def _arrival(rng, day: dt.date, spans, hours: np.ndarray, hour_p: np.ndarray) -> dt.datetime:
    """An arrival time that day, by the hourly profile, within the site's opening hours."""
    while True:
        time = dt.time(int(rng.choice(hours, p=hour_p)), int(rng.integers(0, 60)))
        if any(opens <= time < closes for opens, closes in spans):
            return dt.datetime.combine(day, time, tzinfo=PARIS)

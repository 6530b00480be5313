"""Reception activity of the twin: appointments (in person, phone, visio) and walk-in tickets.

- `parameters.py`: the behavioural parameters and their sources; the published volumes are the
  reception domain's targets (`justedroit/reception/calibration.py`);
- `agents.py`: the twin's agents, their opening slots, and the world the year draws from;
- `appointments.py`: a year's appointments, booked by the product's rules;
- `visits.py`: a year's walk-in tickets.

Rows are drawn with numpy, one year at a time in a fixed order (appointments by channel, then
walk-ins), and written with bulk inserts; the database's constraints still check every row.
"""

import datetime as dt

import numpy as np
from django.db.models import Max

from justedroit.core import clock
from justedroit.core.calendar import is_holiday
from justedroit.core.db import bulk_insert_records, reset_sequences
from justedroit.reception import calibration as cal
from justedroit.reception.models import Appointment, Ticket
from justedroit.twin.simulate.reception.agents import world as reception_world
from justedroit.twin.simulate.reception.appointments import appointments
from justedroit.twin.simulate.reception.parameters import PARAMETERS as P
from justedroit.twin.simulate.reception.visits import liveliest_instant, visits


def simulate(*, first_month, last_month, seed, scale, progress=lambda note: None) -> dict:
    world = reception_world()
    if world is None:
        return {"rendez_vous": 0, "tickets": 0}
    # Appointments before the month after the period have their status recorded — or before the
    # clock, when it reads earlier: the demo's last day is then still going on (people waiting,
    # appointments to come), and nobody has arrived after the clock.
    period_end = dt.datetime.combine(clock.add_months(last_month, 1), dt.time(), tzinfo=clock.PARIS)
    now = min(period_end, clock.now())
    counts = {}
    if now < period_end and now.weekday() < 5 and not is_holiday(now.date()):
        # The clock's open day is still going on: it opens at its liveliest moment up to the
        # clock, read from the twin's own draws of that day (the same draws, whatever the cut).
        day_end = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), clock.PARIS)
        _, whole_day = _draw(world, first_month, last_month, seed, scale, now=day_end)
        main = max(world.sites.values(), key=lambda site: (site.desks, site.slug)).id
        liveliest = liveliest_instant(whole_day, site=main, day=now.date(), until=now)
        if liveliest is not None:
            now = liveliest
            counts["ouverture"] = now.isoformat()
    appointment_rows, ticket_rows = _draw(
        world, first_month, last_month, seed, scale, now=now, progress=progress
    )
    bulk_insert_records(Appointment, appointment_rows)
    bulk_insert_records(Ticket, ticket_rows)
    reset_sequences(Appointment, Ticket)
    return {"rendez_vous": len(appointment_rows), "tickets": len(ticket_rows)} | counts


def _draw(world, first_month, last_month, seed, scale, *, now, progress=lambda note: None):
    """The period's appointment and ticket rows as they stand at `now`; the draws do not depend
    on `now`, only what is kept of them and their statuses."""
    rng = np.random.default_rng(seed + 4)
    next_appointment = (Appointment.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    next_ticket = (Ticket.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    appointment_rows, ticket_rows = [], []
    for year in range(first_month.year, last_month.year + 1):
        if year not in cal.VISITORS:
            continue
        open_days = [
            d
            for d in (dt.date(year, 1, 1) + dt.timedelta(n) for n in range(366))
            if d.year == year and d.weekday() < 5 and not is_holiday(d)
        ]
        in_period = np.array([first_month <= d.replace(day=1) <= last_month for d in open_days])
        if not in_period.any():
            continue
        # The year's volumes are calibrated; a shorter period gets its seasonal share of them.
        year_weights = _day_weights(open_days)
        covered = float(year_weights[in_period].sum())
        days = [d for d, kept in zip(open_days, in_period, strict=True) if kept]
        weights = year_weights[in_period] / covered
        share = scale * covered
        held = {channel: round(n * share) for channel, n in cal.held(year).items()}
        appointment_rows += appointments(
            rng,
            world,
            days,
            weights,
            held,
            first_id=next_appointment + len(appointment_rows),
            now=now,
        )
        seen = round((cal.VISITORS[year] - sum(cal.held(year).values())) * share)
        ticket_rows += visits(
            rng, world, days, weights, seen, first_id=next_ticket + len(ticket_rows), now=now
        )
        progress(f"{year} : {len(appointment_rows)} rendez-vous, {len(ticket_rows)} tickets")
    return appointment_rows, ticket_rows


def _day_weights(days: list[dt.date]) -> np.ndarray:
    """Each day's share of the year: its month's weight × its weekday's weight."""
    w = np.array([P.month_weight[d.month - 1] * P.weekday_weight[d.weekday()] for d in days])
    return w / w.sum()

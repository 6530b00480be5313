"""Reception activity of the twin: appointments (in person, phone, visio) and walk-in tickets,
generated in numpy then written with bulk inserts, applying the booking rules: every appointment
sits in an agent's opening slot, on a working day that is not a public holiday, one per agent and
start (the database's overlap triggers/constraints still check every row). Targets and sources:
`justedroit/reception/calibration.py`."""

import datetime as dt
from collections import defaultdict

import numpy as np
from django.db.models import Max

from justedroit.core.calendar import is_holiday
from justedroit.core.clock import PARIS
from justedroit.core.db import bulk_insert, reset_sequences
from justedroit.core.models import User
from justedroit.core.roles import Role
from justedroit.reception import calibration as cal
from justedroit.reception.models import (
    ACTIVE_STATUSES,
    AccessibilityResource,
    Appointment,
    AppointmentType,
    OpeningSlot,
    Site,
    Ticket,
)
from justedroit.registry.models import Household

TYPE_BY_CHANNEL = {
    "in_person": "dossier-sur-place",
    "phone": "dossier-telephone",
    "visio": "dossier-visio",
}
CELL = dt.timedelta(minutes=30)
STATUS_ORDER = ("seen", "no_show", "excused", "revoked")


def _agents_and_slots(sites, types, first_day) -> dict[str, list]:
    """Twin agents and their weekly opening slots (created once; reused by later runs)."""
    by_site: dict[str, list] = {}
    lsf = AccessibilityResource.objects.filter(site__slug="poitiers", kind="lsf").first()
    for site in sites:
        agents = []
        for index in range(cal.AGENTS_PER_SITE[site.slug]):
            agent, created = User.objects.get_or_create(
                username=f"jumeau-{site.slug}-{index + 1}",
                defaults={
                    "role": Role.CASE_WORKER,
                    "first_name": "Agent",
                    "last_name": f"{site.name} {index + 1}",
                },
            )
            if created:
                agent.set_unusable_password()
                agent.save(update_fields=["password"])
            agents.append(agent)
            if OpeningSlot.objects.filter(agent=agent).exists():
                continue
            offered = [types["in_person"]] + (
                [types["phone"], types["visio"]] if site.offers_remote else []
            )
            for hours in site.opening_hours.all():
                slot = OpeningSlot.objects.create(
                    agent=agent,
                    site=site,
                    weekday=hours.weekday,
                    starts=hours.opens,
                    ends=hours.closes,
                    first_day=first_day,
                    resource=lsf
                    if (
                        site.slug == "poitiers"
                        and index == 0
                        and hours.weekday == 1
                        and hours.opens.hour < 12
                    )
                    else None,
                )
                slot.types.set(offered)
        by_site[site.slug] = agents
    return by_site


def _day_weights(days: list[dt.date]) -> np.ndarray:
    w = np.array([cal.MONTH_WEIGHT[d.month - 1] * cal.WEEKDAY_WEIGHT[d.weekday()] for d in days])
    return w / w.sum()


def simulate(*, first_month, last_month, seed, scale, progress=lambda note: None) -> dict:
    rng = np.random.default_rng(seed + 4)
    sites = list(Site.objects.prefetch_related("opening_hours").order_by("slug"))
    by_slug = {s.slug: s for s in sites}
    types = {c: AppointmentType.objects.get(code=code) for c, code in TYPE_BY_CHANNEL.items()}
    agents = _agents_and_slots(sites, types, dt.date(2021, 1, 4))
    hours = {
        (s.slug, h.weekday): [(h.opens, h.closes) for h in s.opening_hours.all()]
        for s in sites
        for h in s.opening_hours.all()
    }
    households = list(Household.objects.values_list("id", "commune__postcodes"))
    if not households:
        return {"rendez_vous": 0, "tickets": 0}
    hh_ids = np.array([h[0] for h in households])
    hh_area = np.array(
        [cal.AREA_BY_POSTCODE.get((h[1] or [""])[0], "poitiers") for h in households]
    )
    area_members = {a: hh_ids[hh_area == a] for a in set(hh_area)}
    area_weight = {a: len(m) / len(hh_ids) for a, m in area_members.items()}

    appt_rows, ticket_rows = [], []
    next_appt = (Appointment.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    next_ticket = (Ticket.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    now = dt.datetime(
        last_month.year + (last_month.month == 12), last_month.month % 12 + 1, 1, tzinfo=PARIS
    )
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
        held = cal.held(year)
        # --- appointments
        busy = defaultdict(set)  # (day) -> {(agent_id, start)}
        # (household, day) -> [(start, end)]: one active appointment per household at a time.
        household_busy = defaultdict(list)
        for channel, n_held in held.items():
            n_held = round(n_held * share)
            n_booked = round(
                n_held / ((1 - cal.NO_SHOW_RATE) * (1 - cal.EXCUSED_RATE - cal.REVOKED_RATE))
            )
            n_excused = round(n_booked * cal.EXCUSED_RATE)
            n_revoked = round(n_booked * cal.REVOKED_RATE)
            n_no_show = n_booked - n_held - n_excused - n_revoked
            statuses = rng.permutation(
                np.repeat(np.array(STATUS_ORDER), [n_held, n_no_show, n_excused, n_revoked])
            )
            per_day = rng.multinomial(len(statuses), weights)
            cursor = 0
            kind = types[channel]
            for day, count in zip(days, per_day, strict=True):
                for _ in range(count):
                    status = statuses[cursor]
                    cursor += 1
                    placed = _place(rng, day, channel, by_slug, agents, hours, busy, area_weight)
                    if placed is None:
                        continue
                    agent_id, site_slug, start, area = placed
                    household = _free_household(
                        rng,
                        area_members.get(area, hh_ids),
                        household_busy,
                        day,
                        start,
                        kind,
                        status,
                    )
                    if household is None:
                        continue
                    created = start - dt.timedelta(days=int(rng.integers(1, 21)))
                    via = ("claimant", "agent", "partner")[int(rng.choice(3, p=[0.6, 0.3, 0.1]))]
                    appt_rows.append(
                        (
                            next_appt,
                            int(household),
                            kind.id,
                            channel,
                            agent_id,
                            by_slug[site_slug].id,
                            start,
                            start + kind.duration,
                            str(status),
                            "",
                            None,
                            via,
                            None,
                            "",
                            "",
                            "",
                            "",
                            "",
                            created,
                            None,
                            start if start < now else None,
                        )
                    )
                    next_appt += 1
        # --- walk-in
        n_done = round((cal.VISITORS[year] - sum(held.values())) * share)
        n_left = round(n_done * cal.WALK_IN_LEFT_RATE)
        outcome = np.array(["done"] * n_done + ["no_show"] * n_left)
        outcome = rng.permutation(outcome)
        per_day = rng.multinomial(len(outcome), weights)
        cursor = 0
        hour_keys = np.array(list(cal.HOUR_WEIGHT))
        hour_p = np.array(list(cal.HOUR_WEIGHT.values()))
        hour_p = hour_p / hour_p.sum()
        for day, count in zip(days, per_day, strict=True):
            areas = rng.choice(list(area_weight), size=count, p=list(area_weight.values()))
            waits = rng.lognormal(np.log(cal.WAIT_MEDIAN_MIN), cal.WAIT_SIGMA, count)
            services = rng.lognormal(np.log(cal.SERVICE_MEDIAN_MIN), cal.SERVICE_SIGMA, count)
            arrivals = []
            for i, area in enumerate(areas):
                slug = area if (area, day.weekday()) in hours else cal.FALLBACK_SITE.get(area, area)
                spans = hours[(slug, day.weekday())]
                while True:
                    hour = int(rng.choice(hour_keys, p=hour_p))
                    minute = int(rng.integers(0, 60))
                    t = dt.time(hour, minute)
                    if any(o <= t < c for o, c in spans):
                        break
                arrivals.append((slug, dt.datetime.combine(day, t, tzinfo=PARIS), i, area))
            arrivals.sort()
            numbers = defaultdict(int)
            for slug, arrived, i, area in arrivals:
                numbers[slug] += 1
                status = outcome[cursor]
                cursor += 1
                members = area_members.get(area, hh_ids)
                household = int(rng.choice(members)) if rng.random() < cal.WITH_HOUSEHOLD else None
                reason = (
                    "file",
                    "documents",
                    "payment",
                    "new_claim",
                    "debt",
                    "online_help",
                    "other",
                )[int(rng.choice(7, p=[0.3, 0.2, 0.15, 0.12, 0.08, 0.1, 0.05]))]
                if status == "done":
                    called = arrived + dt.timedelta(minutes=float(waits[i]))
                    ended = called + dt.timedelta(minutes=float(services[i]))
                    ticket_rows.append(
                        (
                            next_ticket,
                            by_slug[slug].id,
                            day,
                            numbers[slug],
                            "reception",
                            reason,
                            household,
                            "done",
                            arrived,
                            called,
                            called,
                            ended,
                            None,
                            0,
                            0,
                            "resolved",
                        )
                    )
                else:
                    ticket_rows.append(
                        (
                            next_ticket,
                            by_slug[slug].id,
                            day,
                            numbers[slug],
                            "reception",
                            reason,
                            household,
                            "no_show",
                            arrived,
                            None,
                            None,
                            arrived + dt.timedelta(minutes=float(waits[i])),
                            None,
                            0,
                            0,
                            "",
                        )
                    )
                next_ticket += 1
        progress(f"{year} : {len(appt_rows)} rendez-vous, {len(ticket_rows)} tickets")
    bulk_insert(Appointment, APPT_FIELDS, appt_rows)
    bulk_insert(Ticket, TICKET_FIELDS, ticket_rows)
    reset_sequences(Appointment, Ticket)
    return {"rendez_vous": len(appt_rows), "tickets": len(ticket_rows)}


def _free_household(rng, candidates, household_busy, day, start, kind, status):
    """A household drawn from `candidates`, redrawn while it already has an active appointment
    overlapping this one (the database refuses that); None after a few tries."""
    end = start + kind.duration
    for _ in range(20):
        household = rng.choice(candidates)
        if str(status) not in ACTIVE_STATUSES:
            return household
        taken = household_busy[(household, day)]
        if not any(s < end and start < e for s, e in taken):
            taken.append((start, end))
            return household
    return None


APPT_FIELDS = (
    "id",
    "household",
    "type",
    "channel",
    "agent",
    "site",
    "starts_at",
    "ends_at",
    "status",
    "accessibility_need",
    "resource",
    "booked_via",
    "booked_by",
    "partner_organisation",
    "meeting_url",
    "contact_phone",
    "contact_email",
    "note",
    "created_at",
    "checked_in_at",
    "status_changed_at",
)
TICKET_FIELDS = (
    "id",
    "site",
    "day",
    "number",
    "queue",
    "reason",
    "household",
    "status",
    "arrived_at",
    "called_at",
    "service_started_at",
    "finished_at",
    "agent",
    "sent_back",
    "transfers",
    "outcome",
)


def _place(rng, day, channel, by_slug, agents, hours, busy, area_weight):
    """A free (agent, site, start) cell for one appointment that day, or None if all are taken."""
    if channel == "in_person":
        areas = list(area_weight)
        area = str(rng.choice(areas, p=list(area_weight.values())))
        slug = area if (area, day.weekday()) in hours else cal.FALLBACK_SITE.get(area, area)
        candidates = [slug, "poitiers", "chatellerault"]
    else:
        area = None  # any household, by phone or visio
        candidates = ["poitiers", "chatellerault"]
    for slug in candidates:
        spans = hours.get((slug, day.weekday()))
        if not spans:
            continue
        for _ in range(6):
            agent = agents[slug][int(rng.integers(len(agents[slug])))]
            opens, closes = spans[int(rng.integers(len(spans)))]
            start = dt.datetime.combine(day, opens, tzinfo=PARIS)
            cells = int((dt.datetime.combine(day, closes) - dt.datetime.combine(day, opens)) / CELL)
            start += CELL * int(rng.integers(cells))
            if (agent.id, start) not in busy[day]:
                busy[day].add((agent.id, start))
                return agent.id, slug, start, area
    return None

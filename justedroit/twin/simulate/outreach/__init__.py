"""The access-to-rights network of the twin, simulated over the period through the real services:
the département's 33 partners (`outreach partners-seed`'s reference table), the mobile numbers the
Caf knows, the monthly information meetings and their attendance, and the Halte-Répit permanences
with the Cpam (April–June 2022). The yearly datamining campaign and the households' response to
it run month by month with the cycle (`campaign.py`, called by `twin.simulate.months`)."""

import datetime as dt
from collections.abc import Callable

import numpy as np

from justedroit.core import clock
from justedroit.outreach.services import network, partners
from justedroit.registry.models import Commune, ContactKind, ContactPoint, Household
from justedroit.twin.simulate.outreach.parameters import PARAMETERS as P

HALTE_REPIT_DAYS = (
    dt.date(2022, 4, 5),
    dt.date(2022, 4, 19),
    dt.date(2022, 5, 3),
    dt.date(2022, 5, 17),
    dt.date(2022, 6, 7),
)


def simulate(
    *,
    first_month: dt.date,
    last_month: dt.date,
    seed: int,
    scale: float,
    progress: Callable[[str], None] = lambda note: None,
) -> dict[str, int]:
    rng = np.random.default_rng([seed, 12])
    created, _ = partners.partners_seed(acting_user=None)
    counts = {"partenaires": created, "mobiles": _mobiles(rng)}
    today = clock.now().date()
    meetings = 0
    month = first_month
    while month <= last_month:
        day = month.replace(day=P.meeting_day)
        if day < today:
            meeting = network.meeting_plan(
                held_on=day,
                title=f"Réunion d'information des partenaires — {day:%m/%Y}",
                agenda="Actualité législative et technique ; questions des partenaires.",
                acting_user=None,
            )
            invited = sorted(meeting.invitations.values_list("partner_id", flat=True))
            came = rng.random(len(invited)) < P.meeting_attendance
            network.attendance_record(
                meeting=meeting,
                present={p for p, c in zip(invited, came, strict=True) if c},
                acting_user=None,
            )
            meetings += 1
        month = clock.add_months(month, 1)
    counts["reunions"] = meetings
    counts["permanences"] = _halte_repit(first_month, last_month, today)
    progress(", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def _mobiles(rng: np.random.Generator) -> int:
    """A mobile number known for a share of the synthetic households (fictitious numbers)."""
    ids = np.array(
        Household.objects.filter(is_synthetic=True, contact_points__isnull=True)
        .order_by("id")
        .values_list("id", flat=True),
        dtype=np.int64,
    )
    chosen = ids[rng.random(len(ids)) < P.mobile_known_share]
    now = clock.now()
    ContactPoint.objects.bulk_create(
        ContactPoint(
            household_id=int(household_id),
            kind=ContactKind.MOBILE,
            value=f"+3369{int(household_id):07d}",
            source="declared",
            recorded_at=now,
        )
        for household_id in chosen
    )
    return len(chosen)


def _halte_repit(first_month: dt.date, last_month: dt.date, today: dt.date) -> int:
    days = [
        (d, n)
        for d, n in zip(HALTE_REPIT_DAYS, P.halte_repit_people, strict=True)
        if first_month <= d < clock.add_months(last_month, 1) and d < today
    ]
    if not days:
        return 0
    action = network.action_create(
        title="Permanences à la Halte-Répit avec la Cpam",
        requested_by="Halte-Répit de Poitiers",
        audience="Aidants familiaux et personnes accompagnées",
        place="Halte-Répit, Poitiers",
        commune=Commune.objects.get(insee_code="86194"),
        co_organisers="Cpam de la Vienne (travailleur social de la Caf, gestionnaire à distance)",
        first_day=dt.date(2022, 4, 1),
        last_day=dt.date(2022, 6, 30),
        acting_user=None,
    )
    for day, people in days:
        network.session_record(action=action, held_on=day, people_received=people, acting_user=None)
    return len(days)

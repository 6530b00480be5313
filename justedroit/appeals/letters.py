"""The appeals domain's documents: the routes of appeal a decision states."""

from __future__ import annotations

import datetime as dt

from justedroit.appeals import parameters as law
from justedroit.appeals.models import AppealCase, Court
from justedroit.core.calendar import months_later


def routes_of_appeal(case: AppealCase, decided_on: dt.date) -> dict:
    """The court the allocataire may seize after the commission's decision (or its implicit
    rejection), within which time, under which text."""
    route = law.route(law.subject_of(case.benefit, "contest"), decided_on)
    return {
        "court": Court(route.court).label,
        "months": route.months,
        "until": months_later(decided_on, route.months or 0),
        "article": route.article,
    }

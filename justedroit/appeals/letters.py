"""The appeals domain's documents: the routes of appeal a decision states, and the PDF of an HTML
letter or minutes (xhtml2pdf: pure Python, no system library)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from xhtml2pdf import pisa

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


def pdf(html: str) -> bytes:
    """The PDF of an HTML document; ValueError when it cannot be drawn."""
    out = BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8")
    if result.err:
        raise ValueError("Le document n'a pas pu être converti en PDF.")
    return out.getvalue()

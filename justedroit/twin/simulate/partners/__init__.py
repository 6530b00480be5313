"""The partners' monthly files, written from the twin's truth into the exchange inbox, in the
formats the exchanges domain reads (`justedroit/exchanges/connectors.py`):

- `drm.csv`: salaries and pensions of month M-1 (the DRM / PASRAU kind), for the allocataires'
  members a payer declares;
- `france_travail.csv`: job seekers of month M-1, their allowance;
- `dgfip.csv`: once a year, the revenu fiscal de référence of the year before, per household
  (its allocataire as declarant).

Only people the Caf knows are in a file (the Caf asks its partners about its allocataires): a
household's undeclared partner is in no file, a household gone abroad is in none either. A
partner's coverage is drawn once per person, from a hash of the person and the seed, so that the
same people are missing from every month's file.

Timing: a month's line usually comes with the file of the month after (`*_delay_months`), but a
calibrated share of lines come late (`drm_late_share`, `france_travail_late_share`), 1 to 3
months after that, drawn per person and month: the file of cycle M then carries, besides the
lines of M-1, the late lines of M-2..M-4 — months that payments already read, so that the
automated control of a late line settles a rappel or an indu (docs/twin.md, « Calendrier des
fichiers des partenaires »).
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.db.models import Q

from justedroit.core.clock import add_months
from justedroit.registry.models import Claim, ClaimStatus, MemberRole, Membership
from justedroit.twin.simulate.partners.parameters import PARAMETERS as P
from justedroit.twin.truth.models import TrueKind
from justedroit.twin.truth.reading import TrueMonth, true_month

HEADERS = {
    "drm": "nir;mois;siret;nature;montant_net",
    "france_travail": "nir;mois;inscrit;allocation;montant",
    "dgfip": "nir_declarant;annee_revenus;revenu_fiscal_reference",
}


def partner_files_write(*, month: dt.date, inbox: Path, seed: int, scale: float) -> dict:
    """Write the files the partners send for cycle `month`; return rows per file."""
    folder = Path(inbox) / f"{month:%Y-%m}"
    counts = {}
    written: dict[str, list[str]] = {"drm": [], "france_travail": []}
    for about in _months_sent(month, P.drm_delay_months, P.drm_late_months):
        written["drm"] += _drm_rows(month, about, true_month(about), seed, scale)
    for about in _months_sent(month, P.france_travail_delay_months, P.france_travail_late_months):
        written["france_travail"] += _france_travail_rows(month, about, seed)
    if month.month == P.dgfip_month:
        written["dgfip"] = _dgfip_rows(month)
    for connector, rows in written.items():
        counts[f"lignes_{connector}"] = len(rows)
        _write(folder / f"{connector}.csv", HEADERS[connector], rows)
    return counts


def _write(path: Path, header: str, rows: list[str]) -> None:
    """Write the file whole (a half-written file is never seen); the same content twice leaves
    the file as it was, so an import already done finds the same hash."""
    text = "\n".join([header, *rows]) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def _months_sent(month: dt.date, delay: int, late_months: int) -> list[dt.date]:
    """The months whose lines may be in the file of cycle `month`: the usual one, then those
    whose late lines may come now (oldest last)."""
    return [add_months(month, -delay - extra) for extra in range(late_months + 1)]


def late_by(person_id: int, about: dt.date, seed: int, connector: str) -> int:
    """How many months after the usual file the line of `person_id` for month `about` comes (0:
    on time): a stable draw per person, month and partner."""
    share, most = {
        "drm": (P.drm_late_share, P.drm_late_months),
        "france_travail": (P.france_travail_late_share, P.france_travail_late_months),
    }[connector]
    salt = 11 if connector == "drm" else 13
    draw = (
        (person_id * 2246822519 + about.toordinal() * 3266489917 + seed * 668265263 + salt) % 2**32
    ) / 2**32
    if draw >= share:
        return 0
    return 1 + int(draw / share * most)


def _sent_now(person_id: int, about: dt.date, month: dt.date, seed: int, connector: str) -> bool:
    delay = P.drm_delay_months if connector == "drm" else P.france_travail_delay_months
    return add_months(about, delay + late_by(person_id, about, seed, connector)) == month


def _covered(person_id: int, seed: int, salt: int, share: float) -> bool:
    """A stable draw per person: the same people are outside a partner's coverage every month."""
    return ((person_id * 2654435761 + seed * 40503 + salt * 97) % 2**32) / 2**32 < share


def _members(month: dt.date) -> list[tuple[int, int, str, str]]:
    """(household, person, NIR, role) of the members of households in the file in `month`."""
    in_file = set(
        Claim.objects.filter(
            Q(end_month__isnull=True) | Q(end_month__gt=month),
            status=ClaimStatus.GRANTED,
            start_month__lte=month,
        ).values_list("household_id", flat=True)
    )
    members = Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=month),
        start_date__lt=add_months(month, 1),
    ).order_by("person_id", "household_id")
    return [
        (household_id, person_id, nir, role)
        for household_id, person_id, nir, role in members.values_list(
            "household_id", "person_id", "person__nir", "role"
        )
        if household_id in in_file
    ]


def _euros(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _drm_rows(
    cycle: dt.date, month: dt.date, truth: TrueMonth, seed: int, scale: float
) -> list[str]:
    """The lines of `month` sent with the file of `cycle` (on time or late)."""
    employers = max(1, round(P.drm_employers * scale))
    rows, seen = [], set()
    for household_id, person_id, nir, _role in _members(month):
        if truth.abroad(household_id) or person_id in seen:
            continue
        seen.add(person_id)
        if not _sent_now(person_id, month, cycle, seed, "drm"):
            continue
        salary = truth.amount(person_id, TrueKind.SALARY)
        if salary and _covered(person_id, seed, 1, P.drm_salary_coverage):
            siret = f"{800_000_000 + person_id * 7919 % employers:09d}00018"
            rows.append(f"{nir};{month:%Y-%m};{siret};salaire;{_euros(salary)}")
        pension = truth.amount(person_id, TrueKind.PENSION)
        if pension and _covered(person_id, seed, 2, P.drm_pension_coverage):
            rows.append(f"{nir};{month:%Y-%m};78000000000019;pension;{_euros(pension)}")
    return rows


def _france_travail_rows(cycle: dt.date, month: dt.date, seed: int) -> list[str]:
    """The allowances of `month` notified with the file of `cycle` (on time or late)."""
    truth = true_month(month)
    rows, seen = [], set()
    for household_id, person_id, nir, _role in _members(month):
        if truth.abroad(household_id) or person_id in seen:
            continue
        seen.add(person_id)
        if not _sent_now(person_id, month, cycle, seed, "france_travail"):
            continue
        if truth.activity(person_id) != "unemployed" or not _covered(
            person_id, seed, 3, P.france_travail_coverage
        ):
            continue
        allowance = truth.amount(person_id, TrueKind.UNEMPLOYMENT_BENEFIT)
        kind = "aucune" if not allowance else "ASS" if allowance < P.allowance_ass_below else "ARE"
        rows.append(f"{nir};{month:%Y-%m};1;{kind};{_euros(allowance)}")
    return rows


def _dgfip_rows(month: dt.date) -> list[str]:
    """The revenus of year N-1 sent in year N, for the rights of N+1, per household in the file
    now (declared by its allocataire)."""
    income_year = month.year - 1
    truth = true_month(dt.date(income_year + 2, 1, 1))
    rows = []
    for household_id, _person_id, nir, role in _members(month):
        income = truth.households.get((household_id, TrueKind.FISCAL_INCOME_N2))
        if role == MemberRole.CLAIMANT and income is not None and not truth.abroad(household_id):
            rows.append(f"{nir};{income_year};{_euros(income[0])}")
    return rows

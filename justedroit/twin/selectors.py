"""Reads about the twin: what was built, and the calibration report (target vs generated)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from justedroit.registry import selectors as registry
from justedroit.registry.models import Commune, Fact, Household, MemberRole, Membership
from justedroit.twin import calibration as cal
from justedroit.twin.build import generate
from justedroit.twin.models import TwinBuild, TwinSimulation

END_2022, END_2021 = dt.date(2022, 12, 31), dt.date(2021, 12, 31)


def composition_on(day: dt.date) -> dict[str, int]:
    """Covered households on `day` by type (single, single parent, couple with/without child)."""
    covered = set(registry.households_covered_on(day).values_list("id", flat=True))
    spouses, children = set(), set()
    for household_id, role in Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=day),
        start_date__lte=day,
        role__in=[MemberRole.SPOUSE, MemberRole.CHILD],
    ).values_list("household_id", "role"):
        (spouses if role == MemberRole.SPOUSE else children).add(household_id)
    result = {"single": 0, "single_parent": 0, "couple_no_child": 0, "couple_children": 0}
    for household_id in covered:
        couple, parent = household_id in spouses, household_id in children
        key = (
            ("couple_children" if parent else "couple_no_child")
            if couple
            else ("single_parent" if parent else "single")
        )
        result[key] += 1
    return result


def calibration_report() -> list[tuple[str, str, str, str]]:
    build = TwinBuild.objects.first()
    if build is None:
        return []
    scale = float(build.scale)
    households = registry.households_covered_on(END_2022).count()
    households_2021 = registry.households_covered_on(END_2021).count()
    persons = registry.persons_covered_on(END_2022).count()
    composition = composition_on(END_2022)
    students = (
        Fact.objects.filter(
            kind="activity", code="student", person__memberships__role=MemberRole.CLAIMANT
        )
        .values("household")
        .distinct()
        .count()
    )
    communes = list(
        Commune.objects.order_by("insee_code").values_list("insee_code", "population", "apl_zone")
    )
    economy = generate(seed=build.seed, scale=scale, communes=communes).economy

    def share(part, whole):
        return f"{100 * part / whole:.1f} %" if whole else "—"

    def scaled(target):
        return f"{round(target.value * scale):,}".replace(",", " ")

    def number(value):
        return f"{value:,}".replace(",", " ")

    rows = [
        (
            cal.HOUSEHOLDS_END_2022.label,
            scaled(cal.HOUSEHOLDS_END_2022),
            number(households),
            cal.HOUSEHOLDS_END_2022.source,
        ),
        (
            cal.HOUSEHOLDS_GROWTH_2022.label,
            scaled(cal.HOUSEHOLDS_GROWTH_2022),
            number(households - households_2021),
            cal.HOUSEHOLDS_GROWTH_2022.source,
        ),
        (
            cal.PERSONS_END_2022.label,
            scaled(cal.PERSONS_END_2022),
            number(persons),
            cal.PERSONS_END_2022.source,
        ),
        (
            "Part de la population couverte",
            share(cal.PERSONS_END_2022.value, cal.POPULATION.value),
            share(persons, scale * cal.POPULATION.value),
            cal.PERSONS_END_2022.source,
        ),
        (
            cal.SINGLE_PARENT_SHARE.label,
            share(cal.SINGLE_PARENT_SHARE.value, 1),
            share(composition["single_parent"], households),
            cal.SINGLE_PARENT_SHARE.source,
        ),
        (
            cal.COUPLE_NO_CHILD_SHARE.label,
            share(cal.COUPLE_NO_CHILD_SHARE.value, 1),
            share(composition["couple_no_child"], households),
            cal.COUPLE_NO_CHILD_SHARE.source,
        ),
        (
            "Personnes seules (déduit)",
            share(cal.composition_shares()["single"], 1),
            share(composition["single"], households),
            "déduit de 206 587 / 94 757",
        ),
        (
            "Couples avec enfants (déduit)",
            share(cal.composition_shares()["couple_children"], 1),
            share(composition["couple_children"], households),
            "déduit de 206 587 / 94 757",
        ),
        (
            cal.STUDENT_SHARE_OF_SINGLES.label,
            share(cal.STUDENT_SHARE_OF_SINGLES.value, 1),
            share(students, Household.objects.count()),
            cal.STUDENT_SHARE_OF_SINGLES.source,
        ),
        (
            cal.RSA_NON_TAKE_UP.label,
            share(cal.RSA_NON_TAKE_UP.value, 1),
            share(
                int((economy.eligible_rsa & ~economy.claimed_rsa).sum()),
                int(economy.eligible_rsa.sum()),
            ),
            cal.RSA_NON_TAKE_UP.source,
        ),
        (
            cal.PPA_NON_TAKE_UP.label,
            share(cal.PPA_NON_TAKE_UP.value, 1),
            share(
                int((economy.eligible_ppa & ~economy.claimed_ppa).sum()),
                int(economy.eligible_ppa.sum()),
            ),
            cal.PPA_NON_TAKE_UP.source,
        ),
        (
            "Foyers au tirage sans droit plausible, ajustés",
            "—",
            number(economy.adjusted),
            "bas salaire (PPA) ou locataire (aide au logement)",
        ),
        (
            "Droits ouverts mais non demandés, devenus demandes",
            "—",
            number(build.rights.get("claims_added", 0)),
            "moteur de droits, mois de référence",
        ),
        (
            "Foyers aux revenus abaissés (tirage trop haut)",
            "—",
            number(build.rights.get("incomes_lowered", 0)),
            "moteur de droits, mois de référence",
        ),
        (
            "Foyers toujours sans droit payé au mois de référence",
            "0",
            number(build.rights.get("without_right", 0)),
            "moteur de droits, après 3 passes",
        ),
    ]
    return rows


# ---- what `justedroit demo` reports -------------------------------------------------------------


def build_matches(*, seed: int, scale: float) -> bool:
    """Whether the twin already built is this one (the build will reuse it)."""
    build = TwinBuild.objects.first()
    return build is not None and build.seed == seed and float(build.scale) == scale


def simulation_runs() -> int:
    return TwinSimulation.objects.count()


def reception_opening(first_month: dt.date, last_month: dt.date) -> dt.datetime | None:
    """The instant the twin's reception day opens at (its liveliest moment up to the clock of the
    simulation, see `simulate.reception`), or None when the period was simulated as finished."""
    run = TwinSimulation.objects.filter(
        simulator="reception", first_month=first_month, last_month=last_month
    ).first()
    opening = run.counts.get("ouverture") if run else None
    return dt.datetime.fromisoformat(opening) if opening else None


def month_count(first_month: dt.date, last_month: dt.date) -> int:
    return (last_month.year - first_month.year) * 12 + last_month.month - first_month.month + 1


@dataclass(frozen=True, slots=True)
class DemoFigures:
    households_ever: int  # every household the twin holds, allocataire at 31/12/2022 or not
    households_end: int  # allocataires at 31/12/2022: the Caf's published count


def demo_figures() -> DemoFigures:
    return DemoFigures(
        households_ever=Household.objects.count(),
        households_end=registry.households_covered_on(END_2022).count(),
    )

"""What the Caf knows about a household for one month: plain data, no OpenFisca here.

Validation lives here too, so that an incomplete household becomes an `InputError` naming the
missing fact (in French, for the case worker) instead of a silent default inside OpenFisca.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter, itemgetter

BENEFITS = ("af", "cf", "asf", "ars", "paje_base", "aide_logement", "rsa", "ppa", "aah")

FAMILY_ROLES = ("claimant", "spouse", "child", "other")
ACTIVITIES = (
    "employed",
    "self_employed",
    "unemployed",
    "inactive",
    "retired",
    "student",
    "apprentice",
)
RESOURCE_KINDS = ("salary", "self_employment", "unemployment_benefit", "pension", "other")
HOUSING_STATUSES = ("tenant", "social_tenant", "owner", "homeowner_loan", "hosted_free", "homeless")
# Statuses for which the monthly rent (or loan instalment) is a needed fact.
PAYING_STATUSES = ("tenant", "social_tenant", "homeowner_loan")
# Benefits whose amount depends on the N-2 fiscal income (resource ceilings, AAH annual
# evaluation, housing aid's fiscal part): claiming one without that income is an input error.
NEEDS_FISCAL_INCOME = frozenset({"af", "cf", "ars", "paje_base", "aide_logement", "aah"})

# Below this age a child's activity is irrelevant (compulsory schooling), so it may be unknown.
ACTIVITY_REQUIRED_FROM_AGE = 16

FRENCH_LABELS = {
    "af": "allocations familiales",
    "cf": "complément familial",
    "asf": "allocation de soutien familial",
    "ars": "allocation de rentrée scolaire",
    "paje_base": "allocation de base de la PAJE",
    "aide_logement": "aide au logement",
    "rsa": "revenu de solidarité active",
    "ppa": "prime d'activité",
    "aah": "allocation aux adultes handicapés",
}


@dataclass(frozen=True, slots=True)
class PersonInput:
    id: str
    birth_date: date
    family_role: str
    activity: str | None
    disability_rate: int = 0
    pregnant: bool = False
    # (kind, first day of month) -> monthly net amount; a month absent counts as 0.
    resources: dict[tuple[str, date], Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HouseholdInput:
    id: str
    persons: tuple[PersonInput, ...]
    housing_status: str | None
    rent: Decimal | None
    apl_zone: int
    commune_insee: str
    fiscal_income_n2: Decimal | None
    claims: frozenset[str]
    # RSA the household's own famille received, by month (absent: 0): housing aid neutralises
    # earnings after a month of RSA (R822-15 and R822-17 CCH, OpenFisca's
    # aide_logement_condition_neutralisation). Only the months of `inputs.rsa_months` are read.
    rsa_received: dict[date, Decimal] = field(default_factory=dict)
    # Vie maritale established with a partner the file does not list (a control's finding):
    # their monthly net resources (0: none). The partner joins the famille as its conjoint.
    partner_resources: Decimal | None = None
    # Residence abroad established: no benefit is due (residence condition, L512-1 CSS,
    # L262-2 CASF, L821-1 CSS, L823-1 CCH); OpenFisca has no variable for it.
    abroad: bool = False


# Housing aid counts contemporaneous resources from 2021 (décret 2019-1574); before, it reads
# N-2 incomes by nature that the Caf's inputs here do not carry.
FIRST_SUPPORTED_MONTH = date(2021, 1, 1)


# The partner's resources are set over the widest window `inputs.resource_window` reads (M-17..M).
PARTNER_RESOURCE_MONTHS = 18


def persons_computed(household: HouseholdInput, month: date) -> tuple[PersonInput, ...]:
    """The household's persons as the engine computes them for `month`: the listed members, and
    the partner of an established vie maritale as the claimant's conjoint — their resources as a
    salary over the months read (the couple's resources of the reference quarter are those of
    both, L262-3 CASF), their age taken as the claimant's (the Caf knows neither)."""
    if household.partner_resources is None:
        return household.persons
    claimant = next(p for p in household.persons if p.family_role == "claimant")
    amount = household.partner_resources
    partner = PersonInput(
        id="conjoint-vie-maritale",
        birth_date=claimant.birth_date,
        family_role="spouse",
        activity="employed" if amount > 0 else "inactive",
        resources=(
            {("salary", add_months(month, -k)): amount for k in range(PARTNER_RESOURCE_MONTHS)}
            if amount > 0
            else {}
        ),
    )
    return (*household.persons, partner)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def validation_error(household: HouseholdInput, month: date) -> str | None:
    """The first missing or contradictory fact, in French; None when computable."""
    persons = household.persons
    if not persons:
        return "Le foyer ne compte aucune personne."
    claimants = spouses = 0
    for person in persons:
        role = person.family_role
        if role == "claimant":
            claimants += 1
        elif role == "spouse":
            spouses += 1
        elif role not in FAMILY_ROLES:
            return f"Rôle familial inconnu : « {role} »."
    if len({person.id for person in persons}) != len(persons):
        return "Deux personnes du foyer ont le même identifiant."
    if claimants != 1:
        return (
            "Le foyer n'a pas d'allocataire."
            if not claimants
            else "Le foyer a plusieurs allocataires."
        )
    if spouses > 1:
        return "Le foyer déclare plusieurs conjoints."
    if household.partner_resources is not None:
        if spouses:
            return "Le foyer a déjà un conjoint : la vie maritale établie n'en ajoute pas d'autre."
        if household.partner_resources < 0:
            return "Les ressources du conjoint ne peuvent pas être négatives."
    if not household.claims <= _BENEFIT_SET:
        unknown = ", ".join(sorted(set(household.claims) - _BENEFIT_SET))
        return f"Prestation demandée inconnue : {unknown}."
    status = household.housing_status
    if status is None:
        return "Le statut d'occupation du logement est inconnu (locataire, propriétaire, hébergé…)."
    if status not in HOUSING_STATUSES:
        return f"Statut d'occupation du logement inconnu : « {status} »."
    if status in PAYING_STATUSES and household.rent is None:
        return "Le loyer (ou la mensualité d'emprunt) du mois est inconnu."
    if household.rent is not None and household.rent < 0:
        return "Le loyer du mois est négatif."
    if household.apl_zone not in (1, 2, 3):
        return "La zone APL de la commune est inconnue."
    if household.fiscal_income_n2 is None and household.claims & NEEDS_FISCAL_INCOME:
        return "Le revenu fiscal de référence de l'année N-2 est inconnu."
    for received_month, amount in household.rsa_received.items():
        if received_month.day != 1:
            return "Le RSA perçu doit être daté du premier jour du mois."
        if amount < 0:
            return "Le RSA perçu d'un mois ne peut pas être négatif."
    next_month = add_months(month, 1)
    for person in persons:
        error = _person_error(person, month, next_month)
        if error is not None:
            return error
    return None


_BENEFIT_SET = frozenset(BENEFITS)
_KIND_SET = frozenset(RESOURCE_KINDS)
_FIRST_DAY = frozenset({1})


def _person_error(person: PersonInput, month: date, next_month: date) -> str | None:
    who = f"la personne {person.id}"
    if person.birth_date is None:
        return f"La date de naissance de {who} est inconnue."
    if person.birth_date >= next_month:
        return f"La date de naissance de {who} est postérieure au mois calculé."
    if person.activity is None:
        adult = person.family_role != "child"
        if adult or age_on(person.birth_date, month) >= ACTIVITY_REQUIRED_FROM_AGE:
            return f"La situation d'activité de {who} est inconnue."
    elif person.activity not in ACTIVITIES:
        return f"Situation d'activité inconnue pour {who} : « {person.activity} »."
    if not 0 <= person.disability_rate <= 100:
        return f"Le taux d'incapacité de {who} doit être compris entre 0 et 100 %."
    resources = person.resources
    if resources:
        # map() keeps these checks at C speed: households declare a dozen months each.
        kinds = set(map(itemgetter(0), resources))
        if not kinds <= _KIND_SET:
            return f"Nature de ressource inconnue pour {who} : « {min(kinds - _KIND_SET)} »."
        if not set(map(attrgetter("day"), map(itemgetter(1), resources))) <= _FIRST_DAY:
            return f"Les ressources de {who} doivent être datées du premier jour du mois."
    return None

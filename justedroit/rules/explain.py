"""What a result is made of: the intermediate values kept for explanation, and the exact OpenFisca
situation of one household (for `explain --format openfisca-json`, replayable with OpenFisca)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .batch import FAMILLE, FOYER, MENAGE, PERSON, Batch
from .inputs import build_batch, month_key
from .situation import HouseholdInput, add_months, first_of_month, validation_error


@dataclass(frozen=True)
class Intermediate:
    """One explanation value, present in a result only when the stage that computes it
    simulated the household (no housing values for an owner, say)."""

    variable: str
    entity: str  # person values are summed over the household's famille
    stage: str
    offset: int = 0  # months before M
    # PPA quarter values are kept only where the quarter matters (stages.quarter_matters): for
    # other households the staged engine does not compute the quarter's housing aid, and their
    # PPA is zero for want of activity income anyway.
    quarter: bool = False

    def period(self, month: date) -> str:
        return month_key(add_months(month, -self.offset))

    def key(self, month: date) -> str:
        """`variable` for month M, `variable@YYYY-MM` for an earlier month."""
        return self.variable if self.offset == 0 else f"{self.variable}@{self.period(month)}"


def _quarter(variables: tuple[str, ...], entity: str = FAMILLE) -> tuple[Intermediate, ...]:
    return tuple(
        Intermediate(v, entity, "minimum_income", offset, quarter=True)
        for offset in (3, 2, 1)
        for v in variables
    )


INTERMEDIATES = (
    # Family benefits: N-2 resource base (D521-4 CSS) and the parts of the AF.
    Intermediate("prestations_familiales_base_ressources", FAMILLE, "family_and_aah"),
    Intermediate("af_allocation_forfaitaire", FAMILLE, "family_and_aah"),
    Intermediate("af_base", FAMILLE, "family_and_aah"),
    Intermediate("af_majoration", FAMILLE, "family_and_aah"),
    # Housing aid: resources (rounded up to 100 €), rent and charges retained, own share; MVA.
    Intermediate("aide_logement_base_ressources", FAMILLE, "housing"),
    Intermediate("aide_logement_loyer_retenu", FAMILLE, "housing"),
    Intermediate("aide_logement_charges", FAMILLE, "housing"),
    Intermediate("aide_logement_participation_personnelle", FAMILLE, "housing"),
    Intermediate("caah", PERSON, "housing"),
    # RSA of M: lump sum (plain or single-parent), resources counted, housing flat rate.
    Intermediate("rsa_socle", FAMILLE, "minimum_income"),
    Intermediate("rsa_socle_majore", FAMILLE, "minimum_income"),
    Intermediate("rsa_base_ressources", FAMILLE, "minimum_income"),
    Intermediate("rsa_forfait_logement", FAMILLE, "minimum_income"),
    # PPA of M is the mean of a fictitious PPA over M-3..M-1: each month's lump sum, 61 % of
    # activity income, bonuses, resources counted and housing flat rate.
    *_quarter(
        (
            "ppa_fictive",
            "ppa_fictive_montant_forfaitaire",
            "ppa_revenu_activite",
            "ppa_fictive_ressource_activite",
            "ppa_base_ressources",
            "ppa_forfait_logement",
        )
    ),
    *_quarter(("ppa_bonification",), PERSON),
)


# What each intermediate value is, in French: the agent's label, and the sentence the
# allocataire reads (`{}` is the amount). Every variable of INTERMEDIATES has one
# (tests/rules check it), so no page shows an OpenFisca name.
LABELS: dict[str, tuple[str, str]] = {
    "prestations_familiales_base_ressources": (
        "Ressources retenues pour les prestations familiales (revenus de l'année N-2)",
        "Pour les prestations familiales, la Caf retient les revenus de votre foyer d'il y a "
        "deux ans : {}.",
    ),
    "af_allocation_forfaitaire": (
        "Allocation forfaitaire (enfant de 20 ans)",
        "Une allocation forfaitaire est versée pour un enfant qui vient d'avoir 20 ans : {}.",
    ),
    "af_base": (
        "Allocations familiales : montant de base",
        "Le montant de base des allocations familiales, selon le nombre d'enfants et vos "
        "revenus, est de {}.",
    ),
    "af_majoration": (
        "Allocations familiales : majoration pour âge",
        "La majoration pour les enfants de 14 ans et plus est de {}.",
    ),
    "aide_logement_base_ressources": (
        "Ressources retenues pour l'aide au logement (douze mois, arrondies à la centaine)",
        "Pour l'aide au logement, la Caf retient les ressources de votre foyer sur les douze "
        "derniers mois connus, arrondies à la centaine d'euros : {}.",
    ),
    "aide_logement_loyer_retenu": (
        "Loyer retenu (dans la limite du plafond de la zone)",
        "Le loyer pris en compte, dans la limite du plafond de votre zone, est de {}.",
    ),
    "aide_logement_charges": (
        "Forfait de charges",
        "Un forfait de charges s'ajoute au loyer : {}.",
    ),
    "aide_logement_participation_personnelle": (
        "Participation personnelle du foyer",
        "La part du logement qui reste à la charge de votre foyer est de {}.",
    ),
    "caah": (
        "Complément à l'allocation aux adultes handicapés",
        "Le complément à l'allocation aux adultes handicapés est de {}.",
    ),
    "rsa_socle": (
        "Montant forfaitaire du RSA",
        "Le montant forfaitaire du RSA, selon la composition de votre foyer, est de {}.",
    ),
    "rsa_socle_majore": (
        "Montant forfaitaire majoré du RSA (parent isolé)",
        "Comme parent isolé, le montant forfaitaire majoré du RSA est de {}.",
    ),
    "rsa_base_ressources": (
        "Ressources retenues pour le RSA",
        "Les ressources de votre foyer retenues pour le RSA sont de {}.",
    ),
    "rsa_forfait_logement": (
        "Forfait logement déduit du RSA",
        "Parce que vous avez une aide au logement ou êtes logé gratuitement, un forfait "
        "logement de {} est déduit du RSA.",
    ),
    "ppa_fictive": (
        "Prime d'activité calculée pour le mois",
        "La prime d'activité calculée sur ce mois est de {}.",
    ),
    "ppa_fictive_montant_forfaitaire": (
        "Montant forfaitaire de la prime d'activité",
        "Le montant forfaitaire de la prime d'activité pour votre foyer est de {}.",
    ),
    "ppa_revenu_activite": (
        "Revenus d'activité du foyer",
        "Les revenus d'activité de votre foyer sont de {}.",
    ),
    "ppa_fictive_ressource_activite": (
        "Part des revenus d'activité ajoutée (61 %)",
        "61 % de ces revenus d'activité s'ajoutent au montant forfaitaire : {}.",
    ),
    "ppa_base_ressources": (
        "Ressources retenues pour la prime d'activité",
        "Les ressources de votre foyer retenues pour la prime d'activité sont de {}.",
    ),
    "ppa_forfait_logement": (
        "Forfait logement déduit de la prime d'activité",
        "Un forfait logement de {} est déduit de la prime d'activité.",
    ),
    "ppa_bonification": (
        "Bonification individuelle de la prime d'activité",
        "Chaque membre qui gagne assez reçoit une bonification ; pour votre foyer : {}.",
    ),
}


def per_household(batch: Batch, entity: str, values: np.ndarray) -> np.ndarray:
    """One value per household: its own famille's (person values summed over the famille)."""
    n = batch.n_households
    if entity == PERSON:
        own = batch.famille < n
        return np.bincount(batch.famille[own], weights=values[own].astype(np.float64), minlength=n)
    if entity in (FAMILLE, FOYER):
        return values[:n]
    return values


# JSON role keys (plural, sub-roles expressed by order) for each entity layout role.
_JSON_GROUPS = {
    FAMILLE: ("familles", {"demandeur": "parents", "conjoint": "parents", "enfant": "enfants"}),
    FOYER: (
        "foyers_fiscaux",
        {
            "declarant_principal": "declarants",
            "conjoint": "declarants",
            "personne_a_charge": "personnes_a_charge",
        },
    ),
    MENAGE: (
        "menages",
        {
            "personne_de_reference": "personne_de_reference",
            "conjoint": "conjoint",
            "enfant": "enfants",
            "autre": "autres",
        },
    ),
}


def openfisca_situation(household: HouseholdInput, month: date) -> dict:
    """The household as an OpenFisca JSON situation: every base input with its period, exactly
    what `compute_month_plain` simulates (replay with SimulationBuilder.build_from_entities).
    Raises ValueError (message in French) for a household the engine would not compute."""
    month = first_of_month(month)
    error = validation_error(household, month)
    if error is not None:
        raise ValueError(error)
    batch = build_batch([household], month)
    ids = [str(pid).split("/", 1)[1] for pid in batch.person_ids]
    group_ids = {
        FAMILLE: [f"famille_{i + 1}" for i in range(batch.n_familles)],
        FOYER: [f"foyer_fiscal_{i + 1}" for i in range(batch.n_familles)],
        MENAGE: ["menage_1"],
    }
    memberships = {
        FAMILLE: (batch.famille, batch.famille_role),
        FOYER: (batch.famille, batch.foyer_role),
        MENAGE: (batch.person_household, batch.menage_role),
    }
    situation: dict = {"individus": {pid: {} for pid in ids}}
    for entity, (plural, role_keys) in _JSON_GROUPS.items():
        groups: dict = {name: {} for name in group_ids[entity]}
        # Persons are laid out claimant first, so "parents"/"declarants" keep sub-role order.
        assignment, roles = memberships[entity]
        for person, group, role in zip(ids, assignment, roles, strict=True):
            groups[group_ids[entity][group]].setdefault(role_keys[role], []).append(person)
        situation[plural] = groups
    targets = {
        PERSON: [situation["individus"][pid] for pid in ids],
        FAMILLE: [situation["familles"][g] for g in group_ids[FAMILLE]],
        FOYER: [situation["foyers_fiscaux"][g] for g in group_ids[FOYER]],
        MENAGE: [situation["menages"][g] for g in group_ids[MENAGE]],
    }
    for variable, period, entity, values in batch.inputs:
        for target, value in zip(targets[entity], values, strict=True):
            target.setdefault(variable, {})[period] = _json_value(value)
    return situation


def _json_value(value):
    if isinstance(value, np.datetime64):
        return str(value.astype("datetime64[D]"))
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.floating | float):
        return float(value)
    if isinstance(value, np.integer | int):
        return int(value)
    return str(value)

"""The staged computation: which benefits are computed together, in which order, for whom, and
what each stage must never compute.

Each stage is ONE vectorised simulation for its households, fed with the facts, the shortcuts
(inputs.py) and all earlier stages' outputs as inputs, so no stage rebuilds another's chain:

1. family_and_aah: family benefits and AAH depend on no other benefit. Only households with a
   child (no family benefit without one) or a member at least 50 % disabled (the AAH's lowest
   rate) are simulated.
2. housing: housing aid of month M. It reads AAH (abatements and neutralisation of earnings,
   R822-13 to R822-17 CCH), so AAH comes first; the MVA (AAH complement, L821-1-2 CSS) needs
   housing aid, so it is computed here too. Only tenants and home buyers are simulated: for any
   other housing status OpenFisca's housing aid is zero by construction, and so is the MVA.
3. housing_quarter: the same for the PPA/RSA reference quarter (M-3..M-1), needed only where
   it can change something: a PPA (some activity income in the household over the quarter:
   without any, OpenFisca's PPA is zero whatever the housing aid) or an MVA (AAH paid).
4. minimum_income: RSA (month M) and PPA (mean over the quarter) count all of the above.

AAH has to come before housing aid (which reads it), not after as first sketched. Skipping
households is exact, not an approximation: the equivalence test against OpenFisca's plain
computation checks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from .batch import FAMILLE, PERSON, Batch, Input
from .inputs import benefit_months, month_key

QUARTER, MONTH, PAST, YEAR = "quarter", "month", "past", "year"
HOUSING_AID_STATUSES = ("tenant", "social_tenant", "homeowner_loan")
AAH_LOWEST_RATE = 50  # L821-2 CSS: 50 to 79 % with a restriction of access to employment


@dataclass(frozen=True)
class Output:
    variable: str
    entity: str
    months: str = QUARTER  # QUARTER: M and its reference quarter; PAST: the quarter without M

    def periods(self, month: date) -> list[str]:
        if self.months == YEAR:
            # The ARS is a yearly amount, paid with August's benefits.
            return [str(month.year)] if month.month == 8 else []
        if self.months == MONTH:
            return [month_key(month)]
        months = benefit_months(month)
        return [month_key(m) for m in (months[:-1] if self.months == PAST else months)]


Outputs = dict[tuple[str, str], Input]  # (variable, period) -> full-batch column


@dataclass(frozen=True)
class Stage:
    name: str
    outputs: tuple[Output, ...]
    # Households the stage simulates (from the batch and earlier outputs); None: all. The
    # others get zero outputs.
    households: Callable[[Batch, Outputs], np.ndarray] | None = None


def children_or_disability(batch: Batch, _outputs: Outputs | None = None) -> np.ndarray:
    own = batch.famille < batch.n_households
    person = (batch.famille_role == "enfant") | (
        np.array([p.disability_rate for p in batch.persons]) >= AAH_LOWEST_RATE
    )
    return np.bincount(batch.famille[own], weights=person[own], minlength=batch.n_households) > 0


def housing_aid_possible(batch: Batch, _outputs: Outputs | None = None) -> np.ndarray:
    statuses = [h.housing_status for h in batch.households]
    return np.isin(np.array(statuses, dtype=object), HOUSING_AID_STATUSES)


def quarter_matters(batch: Batch, outputs: Outputs) -> np.ndarray:
    """Households where some member of the famille has activity income (salary or
    self-employment: the only ones the Caf's resource kinds carry) or AAH in a month of the
    reference quarter: the only ones whose PPA, or MVA, can be non-zero."""
    past = [month_key(m) for m in benefit_months(batch.month)[:-1]]
    columns = {(v, p): values for v, p, _e, values in batch.inputs}
    person = np.zeros(batch.n_persons, dtype=bool)
    for period in past:
        for variable in ("salaire_net", "rpns_auto_entrepreneur_benefice"):
            person |= columns[(variable, period)] != 0
        person |= outputs[("aah", period)][3] > 0
    own = batch.famille < batch.n_households
    return np.bincount(batch.famille[own], weights=person[own], minlength=batch.n_households) > 0


def _housing_quarter(batch: Batch, outputs: Outputs) -> np.ndarray:
    return housing_aid_possible(batch) & quarter_matters(batch, outputs)


def _housing_outputs(months: str) -> tuple[Output, ...]:
    return (
        Output("aide_logement", FAMILLE, months),
        # Both amounts are fed on: the MVA reads aide_logement_montant, not aide_logement, so
        # feeding aide_logement alone would let the whole housing chain run again.
        Output("aide_logement_montant", FAMILLE, months),
        Output("caah", PERSON, months),
    )


STAGES = (
    Stage(
        "family_and_aah",
        (
            Output("af", FAMILLE),
            Output("af_base", FAMILLE),  # RSA and PPA count AF up to the base amount
            Output("cf", FAMILLE),
            Output("cf_non_majore_avant_cumul", FAMILLE),  # RSA/PPA count CF without increase
            Output("asf", FAMILLE),
            Output("paje_base", FAMILLE),
            Output("aah", PERSON),
            Output("ars", FAMILLE, YEAR),
        ),
        households=children_or_disability,
    ),
    Stage("housing", _housing_outputs(MONTH), households=housing_aid_possible),
    Stage("housing_quarter", _housing_outputs(PAST), households=_housing_quarter),
    Stage("minimum_income", (Output("rsa", FAMILLE, MONTH), Output("ppa", FAMILLE, MONTH))),
)

# Formulas that must never run in the staged engine: the chains that facts and shortcuts avoid.
FORBIDDEN_FORMULAS = frozenset(
    {
        # Income tax: N-2 incomes come from the revenu fiscal de référence.
        "irpp",
        "ir_brut",
        "rfr",
        "rni",
        "rng",
        "rbg",
        "revenu_categoriel",
        "revenu_categoriel_tspr",
        "traitements_salaires_pensions_rentes",
        "revenu_assimile_salaire",
        "revenu_assimile_pension",
        "rpns_imposables",
        # Gross to net: the Caf knows net monthly resources.
        "salaire_net",
        "salaire_imposable",
        "cotisations_salariales",
        "csg_deductible_salaire",
        "chomage_net",
        "chomage_imposable",
        "chomage_brut",
        "retraite_nette",
        "retraite_imposable",
        "retraite_brute",
        # Per-element lookup of the housing zone from the commune code.
        "zone_apl",
        # Benefits the Caf neither pays nor learns apart from declared resources.
        "ass",
        "asi",
        "aspa",
        "indemnites_journalieres",
    }
)
# The housing chain, which only the housing stages may run (mva reads aide_logement_montant).
HOUSING_CHAIN = frozenset({"mva", "aide_logement_montant_brut", "aide_logement_base_ressources"})


def stage_outputs(stage: Stage) -> frozenset[str]:
    return frozenset(output.variable for output in stage.outputs)


def forbidden_in(stage: Stage) -> frozenset[str]:
    """Formulas one stage must not run: the global list, the other stages' outputs (earlier
    ones are inputs, later ones cannot be dependencies) and, outside the housing stages, the
    housing chain. A stage's own outputs must run only for their declared periods (checked by
    the guard test): an RSA of M-1, say, would mean the spiral through housing aid is back."""
    others: set[str] = set()
    for other in STAGES:
        if stage_outputs(other) != stage_outputs(stage):
            others |= stage_outputs(other)
    if not stage.name.startswith("housing"):
        others |= HOUSING_CHAIN
    return FORBIDDEN_FORMULAS | others

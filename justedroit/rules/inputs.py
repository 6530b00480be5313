"""What the Caf knows -> OpenFisca inputs, as columns (pure numpy, no OpenFisca import).

Two lists per batch. Facts: what the Caf knows, mapped to the lowest OpenFisca variables that
carry it, including the nil facts below; the plain computation and the OpenFisca JSON situation
use these alone. Shortcuts: values OpenFisca would compute from the facts anyway, given to the
staged engine so that it skips long chains; the equivalence test proves them exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import repeat

import numpy as np

from .batch import FAMILLE, FOYER, MENAGE, PERSON, Batch, Input, layout
from .situation import HouseholdInput, add_months

# Resource kind -> OpenFisca monthly variables. One net amount per kind is known, so it feeds
# both the net variable (RSA, PPA, AAH) and the taxable one (housing aid); "other" goes to a
# variable that RSA, PPA and AAH count and that housing aid and ASF ignore.
RESOURCE_VARIABLES = {
    "salary": ("salaire_net", "salaire_imposable"),
    "self_employment": ("rpns_auto_entrepreneur_benefice",),
    "unemployment_benefit": ("chomage_net", "chomage_imposable"),
    "pension": ("retraite_nette", "retraite_imposable"),
    "other": ("prestation_compensatoire",),
}
KINDS = tuple(RESOURCE_VARIABLES)

# Facts the Caf knows to be nil. ASS, ASI and ASPA are paid by others and reach the Caf inside
# the declared unemployment or pension resources; scholarships are not known. Without these,
# OpenFisca would compute such benefits itself and count them twice.
NIL_FACTS_MONTHLY = {PERSON: ("ass", "asi", "boursier"), FAMILLE: ("aspa",)}

# Shortcuts: values OpenFisca would compute anyway from empty gross amounts or empty tax-return
# boxes (all zero here), given so that the staged engine never runs those chains (gross to net,
# income tax, self-employment boxes). The plain computation leaves them to OpenFisca, so the
# equivalence test proves each of them exact.
SHORTCUTS_MONTHLY = {
    PERSON: (
        "indemnites_journalieres",
        "indemnites_chomage_partiel",
        "remuneration_apprenti",
        "revenus_stage_formation_pro",
        "bourse_recherche",
        "indemnites_volontariat",
        "hsup",
        "rente_accident_travail",
        "rsa_base_ressources_patrimoine_individu",
    ),
    FOYER: ("rente_viagere_titre_onereux",),
}
SHORTCUTS_YEARLY_N2 = {
    PERSON: ("rpns_pvce", "rpns_exon"),
    FOYER: (
        "rev_coll",
        "abattements_speciaux_prestations_familiales",
        "aide_logement_base_revenus_fiscaux",
        "assiette_csg_plus_values",
    ),
}
SHORTCUTS_MONTHLY_N2 = {
    PERSON: ("revenus_capital", "revenus_locatifs"),
    FOYER: ("rente_viagere_titre_onereux",),
}

ACTIVITE = {
    "employed": "actif",
    "self_employed": "actif",
    "apprentice": "actif",
    "unemployed": "chomeur",
    "student": "etudiant",
    "retired": "retraite",
    "inactive": "inactif",
    None: "inactif",  # only children under 16 may have no known activity (see situation.py)
}
STATUT_OCCUPATION: dict[str | None, str] = {
    "tenant": "locataire_vide",
    "social_tenant": "locataire_hlm",
    "owner": "proprietaire",
    "homeowner_loan": "primo_accedant",
    "hosted_free": "loge_gratuitement",
    "homeless": "sans_domicile",
}
# Disability rate from which a person counts as "handicapé" for OpenFisca (carte mobilité
# inclusion mention invalidité); it exempts housing aid from the rent degressivity.
HANDICAP_RATE = 80


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def reference_offset(month: date) -> int:
    """How far back RSA and PPA look. From 10/2024 both formulas also evaluate a shifted quarter
    (M-4..M-2, for the experimental departments), so M-4 is needed as well."""
    return 4 if month >= date(2024, 10, 1) else 3


def benefit_months(month: date) -> list[date]:
    """M and its reference quarter: the months whose benefits RSA and PPA read."""
    return [add_months(month, -k) for k in range(reference_offset(month), -1, -1)]


def rsa_months(month: date) -> list[date]:
    """Months whose RSA received is read: housing aid of each benefit month reads the RSA of the
    month before it (neutralisation of earnings)."""
    return [add_months(m, -1) for m in benefit_months(month)]


def resource_window(month: date) -> list[date]:
    """Months whose resources are set: from 13 months before the earliest benefit month (housing
    aid counts the 12 months ending two months before) to M, or to November in August (the ARS
    looks at children's earnings up to December). Months after M repeat M."""
    first = add_months(month, -reference_offset(month) - 13)
    count = (month.year - first.year) * 12 + month.month - first.month + 1
    count += 3 if month.month == 8 else 0
    return [add_months(first, i) for i in range(count)]


def n2_years(month: date) -> list[int]:
    """Fiscal years read as N-2 by the benefit months (two when the quarter spans a new year)."""
    return sorted({m.year - 2 for m in benefit_months(month)})


def build_batch(households: Sequence[HouseholdInput], month: date) -> Batch:
    batch = layout(households, month)
    facts, shortcuts = base_inputs(batch)
    batch.inputs, batch.shortcuts = _float32(facts), _float32(shortcuts)
    return batch


def _float32(inputs: list[Input]) -> list[Input]:
    """OpenFisca stores money as float32: cast each distinct column once, here, rather than in
    every stage's simulation (the same cast OpenFisca would apply)."""
    cast: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    result = []
    for variable, period, entity, values in inputs:
        if values.dtype == np.float64:
            if id(values) not in cast:
                cast[id(values)] = (values, values.astype(np.float32))  # keeps ids unique
            values = cast[id(values)][1]
        result.append((variable, period, entity, values))
    return result


def base_inputs(batch: Batch) -> tuple[list[Input], list[Input]]:
    """(facts, shortcuts) for the batch's month."""
    month, households, persons = batch.month, batch.households, batch.persons
    window = resource_window(month)
    amounts = _resource_amounts(persons, window, month)
    zeros = {PERSON: np.zeros(len(persons)), FAMILLE: np.zeros(batch.n_familles)}
    zeros[FOYER] = zeros[FAMILLE]
    rsa = _rsa_received(batch, zeros[FAMILLE])
    facts: list[Input] = []
    shortcuts: list[Input] = []
    for k, kind in enumerate(KINDS):
        for variable in RESOURCE_VARIABLES[kind]:
            for i, m in enumerate(window):
                facts.append((variable, month_key(m), PERSON, amounts[k, i]))
    for m in window:
        key = month_key(m)
        for entity, variables in NIL_FACTS_MONTHLY.items():
            facts.extend((variable, key, entity, zeros[entity]) for variable in variables)
        for entity, variables in SHORTCUTS_MONTHLY.items():
            shortcuts.extend((variable, key, entity, zeros[entity]) for variable in variables)
        if m < month:
            # Past RSA is a fact, what was received (0 for the other months and for another
            # famille of the dwelling): housing aid reads last month's RSA to neutralise
            # earnings, and a computed one would loop back into housing aid.
            facts.append(("rsa", key, FAMILLE, rsa.get(m, zeros[FAMILLE])))

    # Ordinals convert ten times faster than date objects.
    ordinals = np.array([p.birth_date.toordinal() for p in persons], dtype=np.int64)
    facts.append(
        ("date_naissance", "ETERNITY", PERSON, (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]"))
    )
    person_columns = {
        "activite": np.array([ACTIVITE[p.activity] for p in persons]),
        "apprenti": np.array([p.activity == "apprentice" for p in persons], dtype=bool),
        "taux_incapacite": np.array([p.disability_rate / 100 for p in persons]),
        "handicap": np.array([p.disability_rate >= HANDICAP_RATE for p in persons], dtype=bool),
        "enceinte": np.array([p.pregnant for p in persons], dtype=bool),
    }
    menage_columns = {
        "statut_occupation_logement": np.array(
            [STATUT_OCCUPATION[h.housing_status] for h in households]
        ),
        "loyer": np.array([float(h.rent or 0) for h in households]),
        # Given from the commune: OpenFisca's own lookup from depcom runs per element.
        "zone_apl": np.array([f"zone_{h.apl_zone}" for h in households]),
        "depcom": np.array([h.commune_insee for h in households]),
    }
    for m in window:
        key = month_key(m)
        facts.extend((v, key, PERSON, values) for v, values in person_columns.items())
        facts.extend((v, key, MENAGE, values) for v, values in menage_columns.items())
    facts.extend(_fiscal_facts(batch, amounts, window))
    shortcuts.extend(_fiscal_shortcuts(batch))
    return facts, shortcuts


def _rsa_received(batch: Batch, zeros: np.ndarray) -> dict[date, np.ndarray]:
    """Per month read (rsa_months), the RSA each household's own famille received; months
    nobody received any share the zero column."""
    columns = {}
    for m in rsa_months(batch.month):
        received = [float(h.rsa_received.get(m, 0)) for h in batch.households]
        if any(received):
            column = zeros.copy()
            column[: batch.n_households] = received
            columns[m] = column
    return columns


def _resource_amounts(persons, window: list[date], month: date) -> np.ndarray:
    """(kind, month, person) amounts. Month M is usually not declared yet: it repeats M-1 unless
    M itself is known, so that RSA does not read an undeclared month as an interruption."""
    n_months = len(window)
    # Flat index of each (kind, month) cell; unknown months map to None and are skipped.
    cell = {
        (kind, m): k * n_months + i for k, kind in enumerate(KINDS) for i, m in enumerate(window)
    }
    cells: list[int | None] = []
    owners: list[int] = []
    values: list[float] = []
    for p, person in enumerate(persons):
        resources = person.resources
        if resources:
            cells.extend(map(cell.get, resources))  # C-level loops: millions of entries
            values.extend(resources.values())
            owners.extend(repeat(p, len(resources)))
    flat = np.array([-1 if c is None else c for c in cells], dtype=np.int64)
    inside = flat >= 0  # months outside the window are not needed
    flat, owner = flat[inside], np.array(owners, dtype=np.int64)[inside]
    amounts: np.ndarray = np.zeros((len(KINDS) * n_months, len(persons)))
    amounts[flat, owner] = np.array(values, dtype=np.float64)[inside]
    amounts = amounts.reshape(len(KINDS), n_months, len(persons))
    m_position = window.index(month)
    known_at_m = np.zeros((len(KINDS), len(persons)), dtype=bool)
    at_m = flat % n_months == m_position
    known_at_m[flat[at_m] // n_months, owner[at_m]] = True
    amounts[:, m_position] = np.where(
        known_at_m, amounts[:, m_position], amounts[:, m_position - 1]
    )
    amounts[:, m_position + 1 :] = amounts[:, m_position : m_position + 1]
    return amounts


def _fiscal_facts(batch: Batch, amounts: np.ndarray, window: list[date]) -> list[Input]:
    """The household's N-2 fiscal income, split between the parents.

    The Caf receives one revenu fiscal de référence per household; OpenFisca wants each person's
    N-2 income by nature. It is split pro rata of each parent's known resources over the last 12
    months (equally when there are none) and by nature along the same mix. The same figure
    stands for N-3 when the reference quarter starts in the previous calendar year.
    """
    month = batch.month
    last_year = [window.index(add_months(month, -k)) for k in range(12, 0, -1)]
    by_kind = amounts[:, last_year, :].sum(axis=1)  # (kind, person)
    total = by_kind.sum(axis=0)
    parent, household = batch.parent, batch.person_household
    n_households = batch.n_households
    fiscal = np.array([float(h.fiscal_income_n2 or 0) for h in batch.households])

    weight = np.where(parent, total, 0.0)
    household_weight = np.bincount(household, weights=weight, minlength=n_households)[household]
    n_parents = np.bincount(household, weights=parent, minlength=n_households)[household]
    share = np.where(
        household_weight > 0,
        weight / np.where(household_weight > 0, household_weight, 1.0),
        parent / np.maximum(n_parents, 1),
    )
    income = share * fiscal[household]
    # Nature mix of that income; a parent with no known resource counts as a wage earner.
    k = {kind: i for i, kind in enumerate(KINDS)}
    safe_total = np.where(total > 0, total, 1.0)
    salary = np.where(total > 0, by_kind[k["salary"]] / safe_total, 1.0)
    self_employed = by_kind[k["self_employment"]] / safe_total
    unemployment = by_kind[k["unemployment_benefit"]] / safe_total
    pension_like = (by_kind[k["pension"]] + by_kind[k["other"]]) / safe_total

    facts: list[Input] = []
    for year in n2_years(month):
        key = str(year)
        # Family benefits' resource base (D521-4 CSS) and the couple's dual-activity test.
        facts.append(
            ("traitements_salaires_pensions_rentes", key, PERSON, income * (1 - self_employed))
        )
        facts.append(("revenu_assimile_salaire_apres_abattements", key, PERSON, income * salary))
        facts.append(("rpns_imposables", key, PERSON, income * self_employed))
    # AAH's annual evaluation (R821-4 CSS), used when the person has no current earnings.
    activity_part = income * (salary + self_employed + unemployment)
    for m in benefit_months(month):
        key = month_key(m)
        facts.append(("aah_base_ressources_activite_eval_annuelle", key, PERSON, activity_part))
        facts.append(
            ("aah_base_ressources_hors_activite_eval_annuelle", key, PERSON, income * pension_like)
        )
    return facts


def _fiscal_shortcuts(batch: Batch) -> list[Input]:
    month = batch.month
    zeros = {PERSON: np.zeros(batch.n_persons), FOYER: np.zeros(batch.n_familles)}
    shortcuts: list[Input] = []
    # Self-employment after N-2 reaches the Caf monthly (rpns_auto_entrepreneur_benefice): the
    # yearly fiscal boxes are empty, for calendar years and for the MVA's rolling year.
    years = {str(m.year) for m in benefit_months(month)} | {str(month.year - 1)}
    years |= {f"year:{month_key(add_months(m, -12))}" for m in benefit_months(month)}
    for year in sorted(years):
        shortcuts.append(("rpns_imposables", year, PERSON, zeros[PERSON]))
        if ":" not in year:
            shortcuts.append(
                ("ppa_rsa_derniers_revenus_tns_annuels_connus", year, PERSON, zeros[PERSON])
            )
    for n2 in n2_years(month):
        for entity, variables in SHORTCUTS_YEARLY_N2.items():
            shortcuts.extend((variable, str(n2), entity, zeros[entity]) for variable in variables)
        for m in range(1, 13):
            for entity, variables in SHORTCUTS_MONTHLY_N2.items():
                shortcuts.extend(
                    (variable, f"{n2}-{m:02d}", entity, zeros[entity]) for variable in variables
                )
    return shortcuts

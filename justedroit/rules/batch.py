"""A batch of households laid out as OpenFisca's four entities, as plain numpy columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from .situation import HouseholdInput, persons_computed

PERSON, FAMILLE, FOYER, MENAGE = "individu", "famille", "foyer_fiscal", "menage"

FAMILLE_ROLE = {"claimant": "demandeur", "spouse": "conjoint", "child": "enfant"}
FOYER_ROLE = {"claimant": "declarant_principal", "spouse": "conjoint", "child": "personne_a_charge"}
MENAGE_ROLE = {
    "claimant": "personne_de_reference",
    "spouse": "conjoint",
    "child": "enfant",
    "other": "autre",
}

ROLE_ORDER = {"claimant": 0, "spouse": 1, "child": 2, "other": 3}

# (variable, period, entity, values): one OpenFisca input for the whole batch.
Input = tuple[str, str, str, np.ndarray]


@dataclass
class Batch:
    """Households in entity layout: famille i and foyer fiscal i belong to household i; each
    "other" person (who has a Caf file of their own) gets an extra famille and foyer after them.
    """

    month: date
    households: list[HouseholdInput]
    persons: list  # PersonInput, in person order
    person_ids: np.ndarray
    person_household: np.ndarray  # household (= menage) index of each person
    famille: np.ndarray  # famille (= foyer fiscal) index of each person
    famille_role: np.ndarray
    foyer_role: np.ndarray
    menage_role: np.ndarray
    n_familles: int
    inputs: list[Input] = field(default_factory=list)  # facts (see inputs.py)
    shortcuts: list[Input] = field(default_factory=list)  # for the staged engine only

    @property
    def n_households(self) -> int:
        return len(self.households)

    @property
    def n_persons(self) -> int:
        return len(self.person_ids)

    @property
    def parent(self) -> np.ndarray:
        """Claimant or spouse of the household's own famille."""
        return (self.famille_role != "enfant") & (self.famille < self.n_households)

    def select(self, keep: np.ndarray) -> Selection:
        """Indices, per entity, of the households where `keep` is true (a household's own
        famille and foyer keep its new index; extra ones follow in their old order)."""
        households = np.flatnonzero(keep)
        persons = keep[self.person_household]
        extra = np.unique(self.famille[persons & (self.famille >= self.n_households)])
        familles = np.concatenate([households, extra])
        return Selection(
            keep=keep,
            index={
                PERSON: np.flatnonzero(persons),
                FAMILLE: familles,
                FOYER: familles,
                MENAGE: households,
            },
        )

    def subset(self, selection: Selection) -> Batch:
        """The batch restricted to a selection, inputs sliced rather than rebuilt."""
        households = selection.index[MENAGE]
        persons = selection.index[PERSON]
        familles = selection.index[FAMILLE]
        new_household = np.full(self.n_households, -1, dtype=np.int64)
        new_household[households] = np.arange(len(households))
        new_famille = np.full(self.n_familles, -1, dtype=np.int64)
        new_famille[familles] = np.arange(len(familles))
        return replace(
            self,
            households=[self.households[i] for i in households],
            persons=[self.persons[i] for i in persons],
            person_ids=self.person_ids[persons],
            person_household=new_household[self.person_household[persons]],
            famille=new_famille[self.famille[persons]],
            famille_role=self.famille_role[persons],
            foyer_role=self.foyer_role[persons],
            menage_role=self.menage_role[persons],
            n_familles=len(familles),
            inputs=[(v, p, e, selection.take(e, values)) for v, p, e, values in self.inputs],
            shortcuts=[(v, p, e, selection.take(e, x)) for v, p, e, x in self.shortcuts],
        )

    def expand(self, selection: Selection, entity: str, values: np.ndarray) -> np.ndarray:
        """Inverse of `subset` for one output column: zeros for the households left out."""
        size = {PERSON: self.n_persons, FAMILLE: self.n_familles, FOYER: self.n_familles}
        full = np.zeros(size.get(entity, self.n_households), dtype=values.dtype)
        full[selection.index[entity]] = values
        return full


@dataclass(frozen=True)
class Selection:
    keep: np.ndarray  # bool per household
    index: dict[str, np.ndarray]  # entity -> kept indices, in the subset's order
    _taken: dict = field(default_factory=dict, repr=False, compare=False)

    def take(self, entity: str, values: np.ndarray) -> np.ndarray:
        """`values` restricted to the selection; shared columns are sliced once."""
        key = id(values)
        taken = self._taken.get(key)
        if taken is None:
            taken = (values, values[self.index[entity]])  # keeps `values` alive: ids stay unique
            self._taken[key] = taken
        return taken[1]


def layout(households: Sequence[HouseholdInput], month: date) -> Batch:
    """Entity layout only; `inputs.base_inputs` fills the inputs."""
    persons, person_ids, person_household, famille = [], [], [], []
    famille_role, foyer_role, menage_role = [], [], []
    extra = len(households)
    for index, household in enumerate(households):
        # Claimant first, then spouse: OpenFisca's JSON situations read sub-roles from order.
        for person in sorted(
            persons_computed(household, month), key=lambda p: ROLE_ORDER[p.family_role]
        ):
            role = person.family_role
            persons.append(person)
            person_ids.append(f"{household.id}/{person.id}")
            person_household.append(index)
            menage_role.append(MENAGE_ROLE[role])
            if role == "other":
                famille.append(extra)
                famille_role.append("demandeur")
                foyer_role.append("declarant_principal")
                extra += 1
            else:
                famille.append(index)
                famille_role.append(FAMILLE_ROLE[role])
                foyer_role.append(FOYER_ROLE[role])
    return Batch(
        month=month,
        households=list(households),
        persons=persons,
        person_ids=np.array(person_ids, dtype=object),
        person_household=np.array(person_household, dtype=np.int64),
        famille=np.array(famille, dtype=np.int64),
        famille_role=np.array(famille_role),
        foyer_role=np.array(foyer_role),
        menage_role=np.array(menage_role),
        n_familles=extra,
    )

"""OpenFisca plumbing: the tax-benefit system and vectorised simulations built from a Batch."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import metadata

import numpy as np
from openfisca_core import periods
from openfisca_core.simulations import Simulation, SimulationBuilder
from openfisca_france import FranceTaxBenefitSystem

from . import fast_params
from .batch import Batch, Input


@functools.cache
def load_tax_benefit_system() -> FranceTaxBenefitSystem:
    """Loading the parameters takes seconds: once per process."""
    fast_params.install()
    return FranceTaxBenefitSystem()


@functools.lru_cache(maxsize=4096)
def period(key: str) -> periods.Period:
    """Parsed once: OpenFisca parses period strings through pendulum on every set_input."""
    return periods.period(key)


def versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in ("openfisca-core", "openfisca-france")}


def new_simulation(
    batch: Batch, extra_inputs: Iterable[Input] = (), *, shortcuts: bool = True
) -> Simulation:
    """One simulation for the whole batch: its facts, its shortcuts unless told otherwise (the
    plain computation), then `extra_inputs` (earlier stages' outputs).

    Entities are joined with sub-roles (demandeur/conjoint/enfant, …): with the plural role keys
    the `demandeur` projection is empty and parameters fail on `non_renseigne`.
    """
    tbs = load_tax_benefit_system()
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("individu", batch.person_ids)
    groups = (
        ("famille", batch.n_familles, batch.famille, batch.famille_role),
        ("foyer_fiscal", batch.n_familles, batch.famille, batch.foyer_role),
        ("menage", batch.n_households, batch.person_household, batch.menage_role),
    )
    for key, count, assignment, roles in groups:
        population = builder.declare_entity(key, np.arange(count))
        builder.join_with_persons(population, assignment, roles)
    simulation = builder.build(tbs)
    converted: dict[tuple[str, int], np.ndarray] = {}
    given = (*batch.inputs, *(batch.shortcuts if shortcuts else ()), *extra_inputs)
    for variable, key, _entity, values in given:
        values = _typed(tbs, variable, values, converted)
        # Columns are shared by many variables, periods and stages: a formula writing in place
        # would corrupt them all, so make that fail loudly.
        values.setflags(write=False)
        # Every input is given for exactly its variable's definition period, so it is stored
        # as is: set_input would copy and "divide" each column by a period count of one.
        simulation.get_holder(variable).put_in_cache(values, period(key))
    return simulation


def _typed(tbs, name: str, values: np.ndarray, converted: dict) -> np.ndarray:
    """Cast to the variable's storage type once per distinct column: the same zeros or
    per-person column is set for many variables and months."""
    variable = tbs.get_variable(name)
    kind = variable.value_type.__name__
    if kind == "Enum":
        dtype = None
    elif values.dtype != variable.dtype:
        dtype = variable.dtype
    else:
        return values
    key = (kind if dtype else name, id(values))
    result = converted.get(key)
    if result is None:
        result = values.astype(dtype) if dtype else variable.possible_values.encode(values)
        # Keep the source alive with its conversion: ids are only unique among live objects.
        converted[key] = result
        converted[(key, "source")] = values
    return result

"""Guard: the staged engine never runs the expensive chains its inputs exist to avoid."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from openfisca_core import errors

from justedroit.rules.engine import compute_month
from justedroit.rules.inputs import build_batch, month_key
from justedroit.rules.simulation import new_simulation
from justedroit.rules.stages import FORBIDDEN_FORMULAS, HOUSING_CHAIN, STAGES, forbidden_in


class FormulaRecorder:
    """Records each formula OpenFisca runs, per stage, with its period."""

    def __init__(self):
        self.runs: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.spirals: list[str] = []

    def observe(self, stage: str, simulation) -> None:
        run_formula, check_for_cycle = simulation._run_formula, simulation._check_for_cycle

        def recording_run(variable, population, period):
            if variable.formulas:
                self.runs[stage].add((variable.name, str(period)))
            return run_formula(variable, population, period)

        def recording_check(variable, period):
            try:
                return check_for_cycle(variable, period)
            except errors.SpiralError:
                self.spirals.append(f"{variable}@{period}")
                raise

        simulation._run_formula = recording_run
        simulation._check_for_cycle = recording_check

    def variables(self, stage: str) -> set[str]:
        return {name for name, _period in self.runs[stage]}


@pytest.fixture(scope="module", params=[date(2021, 8, 1), date(2022, 2, 1)], ids=str)
def recorded(request, sample):
    recorder = FormulaRecorder()
    compute_month(sample[:25], request.param, observer=recorder.observe)
    return request.param, recorder


def test_no_stage_runs_a_forbidden_formula(recorded):
    _month, recorder = recorded
    offenders = {
        stage.name: sorted(recorder.variables(stage.name) & forbidden_in(stage)) for stage in STAGES
    }
    assert all(not names for names in offenders.values()), offenders


def test_stage_outputs_run_only_for_their_periods(recorded):
    month, recorder = recorded
    for stage in STAGES:
        expected = {(o.variable, p) for o in stage.outputs for p in o.periods(month)}
        produced = {
            run
            for run in recorder.runs[stage.name]
            if run[0] in {o.variable for o in stage.outputs}
        }
        assert produced <= expected, (stage.name, sorted(produced - expected))


def test_no_spiral_anywhere(recorded):
    assert recorded[1].spirals == []


def test_the_guard_is_not_blind(sample):
    """From the facts alone (the plain computation), OpenFisca does run forbidden chains: the
    income tax behind N-2 aggregates and the housing chain behind the MVA; and without zone_apl
    given, it looks the zone up from the commune."""
    month = date(2022, 2, 1)
    batch = build_batch(sample[:10], month)
    recorder = FormulaRecorder()
    simulation = new_simulation(batch, shortcuts=False)
    recorder.observe("plain", simulation)
    simulation.calculate("rsa", month_key(month))
    assert {"rng", "revenu_categoriel"} <= recorder.variables("plain") & FORBIDDEN_FORMULAS
    assert recorder.variables("plain") >= HOUSING_CHAIN

    batch.inputs = [i for i in batch.inputs if i[0] != "zone_apl"]
    simulation = new_simulation(batch)
    recorder.observe("no zone", simulation)
    simulation.calculate("aide_logement", month_key(month))
    assert "zone_apl" in recorder.variables("no zone")

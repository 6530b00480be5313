"""The OpenFisca JSON situation is exactly what the plain computation simulates."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from openfisca_core.simulation_builder import SimulationBuilder

from justedroit.rules import BENEFITS, openfisca_situation, versions
from justedroit.rules.engine import AMOUNT_VARIABLES, cents, compute_month, compute_month_plain
from justedroit.rules.inputs import month_key


@pytest.mark.parametrize("month", [date(2021, 8, 1), date(2022, 1, 1)], ids=str)
def test_replaying_the_json_situation_gives_the_same_amounts(tbs, sample, month):
    # Households with a spouse, children, a lodger ("other") and several housing statuses.
    chosen = [h for h in sample if len(h.persons) > 2][:4] + [
        h for h in sample if any(p.family_role == "other" for p in h.persons)
    ][:1]
    assert chosen
    plain = {r.household_id: r for r in compute_month_plain(chosen, month)}
    for household in chosen:
        situation = json.loads(json.dumps(openfisca_situation(household, month)))
        simulation = SimulationBuilder().build_from_entities(tbs, situation)
        for benefit in BENEFITS:
            variable, entity, yearly = AMOUNT_VARIABLES[benefit]
            if yearly and month.month != 8:
                continue
            period = str(month.year) if yearly else month_key(month)
            values = simulation.calculate(variable, period)
            # Person amounts are summed over the household's own famille (listed first).
            famille = situation["familles"]["famille_1"]
            members = famille.get("parents", []) + famille.get("enfants", [])
            ids = list(situation["individus"])
            value = (
                sum(values[ids.index(m)] for m in members) if entity == "individu" else values[0]
            )
            expected = plain[household.id].amounts[benefit]
            assert cents(np.array([value]))[0] == int(expected * 100), (household.id, benefit)


def test_situation_lists_every_input_with_its_period(sample):
    situation = openfisca_situation(sample[0], date(2022, 2, 1))
    claimant = next(iter(situation["individus"].values()))
    assert claimant["date_naissance"] == {"ETERNITY": str(sample[0].persons[0].birth_date)}
    assert "2022-01" in claimant["salaire_net"]
    assert set(situation["menages"]["menage_1"]["zone_apl"].values()) <= {
        "zone_1",
        "zone_2",
        "zone_3",
    }


def test_intermediates_explain_the_ppa(sample):
    month = date(2022, 2, 1)
    results, _ = compute_month(sample, month)
    with_ppa = next(r for r in results if r.amounts["ppa"] > 0)
    fictive = [
        with_ppa.intermediates[f"ppa_fictive@{m}"] for m in ("2021-11", "2021-12", "2022-01")
    ]
    # The PPA of M is the mean of the fictitious PPA over the reference quarter, to the cent.
    assert abs(sum(fictive) / 3 - with_ppa.amounts["ppa"]) <= 0.01
    assert with_ppa.intermediates["ppa_fictive_ressource_activite@2022-01"] > 0
    assert {"rsa_socle", "af_base", "prestations_familiales_base_ressources"} <= set(
        with_ppa.intermediates
    )


def test_versions():
    assert set(versions()) == {"openfisca-core", "openfisca-france"}
    assert versions()["openfisca-france"].startswith("176.")

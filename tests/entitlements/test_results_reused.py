"""A recomputation over many months asks the engine for the same past months again (the RSA
received, the first month of a quarterly period): inside `rules.results_reused`, a household's
month is computed once for the same inputs, and the results are those computed afresh."""

import dataclasses
from datetime import date
from decimal import Decimal

from justedroit import rules
from justedroit.rules import engine
from tests.rules.sample_households import sample_households

MONTH = date(2022, 6, 1)


def test_a_household_month_is_computed_once_for_the_same_inputs(monkeypatch):
    households = sample_households(12)
    changed = dataclasses.replace(households[0], fiscal_income_n2=Decimal("99999"))
    afresh = rules.compute_month(households, MONTH, with_intermediates=False)
    changed_afresh = rules.compute_month([changed], MONTH, with_intermediates=False)
    computed: list[str] = []
    compute = engine._compute_month

    def counted(inputs, *arguments):
        computed.extend(household.id for household in inputs)
        return compute(inputs, *arguments)

    monkeypatch.setattr(engine, "_compute_month", counted)
    with rules.results_reused():
        rules.compute_month(households[:6], MONTH, with_intermediates=False)
        reused = rules.compute_month(households, MONTH, with_intermediates=False)
        changed_reused = rules.compute_month([changed], MONTH, with_intermediates=False)
        with_intermediates = rules.compute_month(households[:1], MONTH)
    # The first six once, then only the six others; new inputs and another kind of result are
    # computed, not taken from the household's earlier result.
    assert computed == [h.id for h in households] + [changed.id, households[0].id]
    assert reused == afresh  # same results, in the order asked
    assert changed_reused == changed_afresh
    assert with_intermediates[0][0].intermediates
    computed.clear()
    rules.compute_month(households[:1], MONTH, with_intermediates=False)
    assert computed == [households[0].id]  # nothing kept after the block

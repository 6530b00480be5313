"""The fancy-indexing shim changes speed, not results."""

from __future__ import annotations

from datetime import date

import numpy as np

from justedroit.rules.engine import compute_month_plain
from justedroit.rules.fast_params import CompactVectorialNode, original_fancy_indexing


def test_whole_runs_are_identical_with_and_without_the_shim(sample):
    month = date(2022, 8, 1)
    fast = compute_month_plain(sample, month)
    with original_fancy_indexing():
        slow = compute_month_plain(sample, month)
    assert [(r.amounts, r.intermediates) for r in fast] == [
        (r.amounts, r.intermediates) for r in slow
    ]


def test_node_values_and_dtypes_match_openfisca(tbs):
    zone = tbs.get_variable("zone_apl").possible_values
    keys = zone.encode(np.array(["zone_1", "zone_3", "zone_2", "zone_3", "zone_1"]))
    node = tbs.parameters("2022-01-01").prestations_sociales.aides_logement
    node = node.allocations_logement.locatif.formule.l_plafonds_loyers.par_zone
    fast = node[keys]
    with original_fancy_indexing():
        slow = node[keys]
    assert isinstance(fast, CompactVectorialNode)
    for name in ("personnes_seules", "couples", "un_enfant", "majoration_par_enf_supp"):
        assert fast[name].dtype == slow[name].dtype
        np.testing.assert_array_equal(fast[name], slow[name])
    assert [n._children for n in fast.vector] == [n._children for n in slow.vector]

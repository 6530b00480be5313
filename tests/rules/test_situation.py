"""Incomplete or contradictory households become InputErrors naming the missing fact; the others
are computed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from justedroit.rules import BENEFITS
from justedroit.rules.engine import compute_month, compute_month_plain
from tests.rules.sample_households import household, monthly, person

MONTH = date(2022, 3, 1)
GOOD = household(person("claimant", resources=monthly("salary", "1200", MONTH)), id="0000001")


@pytest.mark.parametrize(
    ("broken", "words"),
    [
        (replace(GOOD, housing_status=None), "statut d'occupation du logement"),
        (replace(GOOD, housing_status="tenant", rent=None), "loyer"),
        (replace(GOOD, persons=()), "aucune personne"),
        (replace(GOOD, persons=(person("spouse"),)), "pas d'allocataire"),
        (
            replace(GOOD, persons=(person("claimant", id="a"), person("claimant", id="b"))),
            "plusieurs allocataires",
        ),
        (replace(GOOD, persons=(person("claimant", activity=None),)), "activité"),
        (
            replace(GOOD, persons=(person("claimant"), person("child", born=None))),
            "date de naissance",
        ),
        (
            replace(GOOD, persons=(person("claimant"), person("child", born=date(2022, 4, 2)))),
            "postérieure",
        ),
        (
            replace(GOOD, persons=(person("claimant"), person("child", born=date(2005, 1, 1)))),
            "activité",
        ),
        (replace(GOOD, persons=(person("claimant", disability_rate=120),)), "incapacité"),
        (
            replace(GOOD, persons=(person("claimant", resources={("bonus", MONTH): Decimal(1)}),)),
            "Nature de ressource",
        ),
        (
            replace(
                GOOD,
                persons=(
                    person("claimant", resources={("salary", date(2022, 2, 15)): Decimal(1)}),
                ),
            ),
            "premier jour",
        ),
        (replace(GOOD, apl_zone=0), "zone APL"),
        (replace(GOOD, fiscal_income_n2=None, claims=frozenset({"af"})), "revenu fiscal"),
        (replace(GOOD, claims=frozenset({"apl"})), "inconnue : apl"),
    ],
)
def test_input_error_names_the_missing_fact_and_others_go_on(broken, words):
    broken = replace(broken, id="0000002")
    results, errors = compute_month([GOOD, broken], MONTH)
    assert [r.household_id for r in results] == ["0000001"]
    assert [(e.household_id, e.month) for e in errors] == [("0000002", MONTH)]
    assert words in errors[0].message_fr


def test_young_child_may_have_no_activity_and_unclaimed_n2_income_may_be_unknown():
    ok = household(
        person("claimant", resources=monthly("salary", "1200", MONTH)),
        person("child", born=date(2012, 6, 1), activity=None),
        fiscal_income_n2=None,
        claims=frozenset({"ppa", "rsa"}),
    )
    results, errors = compute_month([ok], MONTH)
    assert errors == [] and len(results) == 1


def test_every_benefit_has_a_two_decimal_amount():
    (result,), _ = compute_month([GOOD], MONTH)
    assert set(result.amounts) == set(BENEFITS)
    assert all(a.as_tuple().exponent == -2 for a in result.amounts.values())
    assert str(result.amounts["rsa"]) == "0.00"


def test_month_is_normalised_and_order_of_persons_does_not_matter():
    spouse_first = household(
        person("spouse", born=date(1990, 1, 1), resources=monthly("salary", "900", MONTH)),
        person("claimant", activity="unemployed"),
        person("child", born=date(2019, 5, 5), id="c"),
        housing_status="tenant",
        rent=Decimal(600),
    )
    claimant_first = replace(spouse_first, persons=tuple(reversed(spouse_first.persons)))
    (a,), _ = compute_month([spouse_first], date(2022, 3, 17))
    (b,), _ = compute_month([claimant_first], MONTH)
    assert a.month == MONTH
    assert a.amounts == b.amounts


def test_empty_batches():
    assert compute_month([], MONTH) == ([], [])
    assert compute_month_plain([replace(GOOD, housing_status=None)], MONTH) == []


def test_other_persons_have_their_own_file():
    """A lodger ("other") shares the dwelling but not the household's famille or tax unit."""
    with_lodger = household(
        person("claimant", activity="unemployed"),
        person(
            "other",
            born=date(1950, 1, 1),
            activity="retired",
            resources=monthly("pension", "900", MONTH),
        ),
        housing_status="tenant",
        rent=Decimal(500),
    )
    alone = replace(with_lodger, persons=with_lodger.persons[:1])
    (a,), _ = compute_month([with_lodger], MONTH)
    (b,), _ = compute_month([alone], MONTH)
    assert a.amounts["rsa"] == b.amounts["rsa"] > 0


def test_months_before_2021_are_refused():
    with pytest.raises(ValueError, match="2021-01"):
        compute_month([GOOD], date(2020, 12, 1))


def test_no_json_situation_for_an_incomplete_household():
    from justedroit.rules import openfisca_situation

    with pytest.raises(ValueError, match="statut d'occupation"):
        openfisca_situation(replace(GOOD, housing_status=None), MONTH)

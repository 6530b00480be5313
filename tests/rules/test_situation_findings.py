"""What a control can establish beside the listed members: an undeclared vie maritale (the
partner's resources) and a residence abroad, as the engine computes them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from justedroit.rules import openfisca_situation
from justedroit.rules.engine import compute_month, compute_month_plain
from justedroit.rules.situation import PARTNER_RESOURCE_MONTHS, validation_error
from tests.rules.sample_households import household, monthly, person

MONTH = date(2022, 6, 1)
BORN = date(1985, 5, 12)


def _alone_with_child():
    return household(
        person("claimant", activity="unemployed", born=BORN),
        person("child", born=date(2015, 3, 1), id="c1"),
        housing_status="tenant",
        rent=Decimal(480),
        claims=frozenset({"rsa", "ppa", "aide_logement", "asf", "af"}),
    )


def test_a_partner_of_a_vie_maritale_is_computed_as_the_listed_spouse_would_be():
    alone = _alone_with_child()
    found = replace(alone, partner_resources=Decimal("1400.00"))
    listed = replace(
        alone,
        persons=(
            *alone.persons,
            person(
                "spouse",
                born=BORN,
                id="conjoint-vie-maritale",
                resources=monthly("salary", "1400.00", MONTH, PARTNER_RESOURCE_MONTHS - 1)
                | {("salary", MONTH): Decimal("1400.00")},
            ),
        ),
    )
    (as_found, as_listed, single), errors = compute_month([found, listed, alone], MONTH)
    assert errors == []
    assert as_found.amounts == as_listed.amounts
    # The couple's resources end the RSA and the ASF (a parent no longer isolé).
    assert single.amounts["rsa"] > 0 and single.amounts["asf"] > 0
    assert as_found.amounts["rsa"] == 0 and as_found.amounts["asf"] == 0
    # OpenFisca's own computation (no stages, no shortcuts) agrees.
    (plain,) = compute_month_plain([found], MONTH)
    assert plain.amounts == as_found.amounts
    persons = openfisca_situation(found, MONTH)["individus"]
    assert len(persons) == 3


def test_a_vie_maritale_is_refused_beside_a_listed_spouse_and_with_negative_resources():
    couple = household(person("claimant"), person("spouse"))
    assert "déjà un conjoint" in validation_error(
        replace(couple, partner_resources=Decimal(0)), MONTH
    )
    alone = household(person("claimant"))
    assert "négatives" in validation_error(replace(alone, partner_resources=Decimal(-1)), MONTH)
    assert validation_error(replace(alone, partner_resources=Decimal(0)), MONTH) is None


def test_a_partner_without_resources_still_makes_a_couple():
    alone = _alone_with_child()
    (single, couple), _ = compute_month(
        [alone, replace(alone, partner_resources=Decimal(0))], MONTH
    )
    # RSA of a couple with one child exceeds a single parent's (non majoré), ASF stops.
    assert couple.amounts["asf"] == 0 < single.amounts["asf"]
    assert couple.amounts["rsa"] > 0


def test_nothing_is_due_to_a_household_residing_abroad():
    alone = _alone_with_child()
    (home, away), errors = compute_month([alone, replace(alone, abroad=True)], MONTH)
    assert errors == []
    assert sum(home.amounts.values()) > 0
    assert set(away.amounts.values()) == {Decimal("0.00")}
    (plain,) = compute_month_plain([replace(alone, abroad=True)], MONTH)
    assert set(plain.amounts.values()) == {Decimal("0.00")}

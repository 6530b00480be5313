"""Hand-checked cases: amounts worked out from the texts and published figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from openfisca_core.simulation_builder import SimulationBuilder

from justedroit.rules import openfisca_situation
from justedroit.rules.engine import (
    cents,
    compute_month,
    compute_month_plain,
    load_tax_benefit_system,
)
from justedroit.rules.inputs import month_key
from justedroit.rules.situation import add_months
from tests.rules.sample_households import household, monthly, person

CENT = Decimal("0.01")


def amounts(h, month):
    (result,), errors = compute_month([h], month)
    assert errors == []
    return result.amounts


def test_af_two_children_under_the_ceiling_is_32_percent_of_the_bmaf():
    # D521-1 CSS: 32 % of the BMAF for two children; BMAF 422.28 € from 1 April 2022,
    # 439.17 € from 1 July 2022 (+4 %, loi 2022-1158).
    couple = household(
        person("claimant"),
        person("spouse", born=date(1987, 2, 3)),
        person("child", born=date(2014, 9, 1), id="c1"),
        person("child", born=date(2017, 1, 20), id="c2"),
        fiscal_income_n2=Decimal(30000),
    )
    assert amounts(couple, date(2022, 5, 1))["af"] == Decimal("135.13")  # 0.32 x 422.28
    assert amounts(couple, date(2022, 8, 1))["af"] == Decimal("140.53")  # 0.32 x 439.17


def test_ppa_single_person_earning_1000_euros():
    # L842-3, D843-1 and D843-2 CSS, reference quarter March-May 2021 for June 2021.
    # Lump sum 553.16 € in March, 553.71 € from April; 61 % of earnings; individual bonus
    # rising from 59 to 120 x the hourly minimum wage (10.25 €) up to 29.101 % of the lump
    # sum; housing flat rate 12 % of the lump sum for an owner without a loan.
    month = date(2021, 6, 1)
    owner = household(person("claimant", resources=monthly("salary", "1000", month)))

    def fictive(lump_sum: Decimal) -> Decimal:
        bonus_max = (Decimal("0.29101") * lump_sum).quantize(CENT, ROUND_HALF_UP)
        bonus = bonus_max * (1000 - 59 * Decimal("10.25")) / ((120 - 59) * Decimal("10.25"))
        housing = Decimal("0.12") * lump_sum
        return lump_sum + bonus + Decimal("0.61") * 1000 - (1000 + housing)

    quarter = fictive(Decimal("553.16")) + 2 * fictive(Decimal("553.71"))
    expected = (quarter / 3).quantize(CENT, ROUND_HALF_UP)
    assert expected == Decimal("198.93")
    assert amounts(owner, month)["ppa"] == expected
    assert amounts(owner, month)["rsa"] == 0


def test_rsa_single_person_without_resources_tenant():
    # L262-2 and R262-9 CASF: lump sum 565.34 € from April 2021, minus the housing flat rate of
    # 12 % (R262-10) as housing aid exceeds it: the published 497.50 €.
    tenant = household(
        person("claimant", activity="unemployed"), housing_status="tenant", rent=Decimal(450)
    )
    result = amounts(tenant, date(2021, 6, 1))
    assert result["rsa"] == Decimal("497.50")
    assert result["aide_logement"] > Decimal("67.84")
    assert result["ppa"] == 0


def test_aah_full_rate_for_80_percent_without_resources():
    # L821-1 CSS: full AAH, 919.86 € from April 2022 and 956.65 € from July 2022.
    single = household(
        person("claimant", activity="inactive", disability_rate=80), housing_status="hosted_free"
    )
    assert amounts(single, date(2022, 5, 1))["aah"] == Decimal("919.86")
    assert amounts(single, date(2022, 8, 1))["aah"] == Decimal("956.65")


def test_ars_is_paid_in_august_only():
    # R543-2 and D543-1 CSS: 89.72 % of the BMAF (439.17 €) for a child aged 6 to 10; the
    # government's published 392.05 € is the same amount net of the 0.5 % CRDS.
    parent = household(
        person("claimant", resources=monthly("salary", "1200", date(2022, 8, 1))),
        person("child", born=date(2014, 3, 1), id="c1"),
        housing_status="tenant",
        rent=Decimal(500),
        fiscal_income_n2=Decimal(14000),
    )
    august = amounts(parent, date(2022, 8, 1))["ars"]
    assert august == Decimal("394.02")
    assert (august * Decimal("0.995")).quantize(CENT, ROUND_HALF_UP) == Decimal("392.05")
    assert amounts(parent, date(2022, 7, 1))["ars"] == 0
    assert amounts(parent, date(2022, 9, 1))["ars"] == 0


def test_paid_is_the_amount_of_claimed_benefits_only():
    month = date(2021, 6, 1)
    tenant = household(
        person("claimant", activity="unemployed"),
        housing_status="tenant",
        rent=Decimal(450),
        claims=frozenset({"rsa"}),
    )
    (result,), _ = compute_month([tenant], month)
    assert result.paid("rsa") == result.amounts["rsa"] > 0
    assert result.amounts["aide_logement"] > 0
    assert result.paid("aide_logement") == 0  # eligible, not claimed: for outreach


def openfisca_full_housing_aid(h, month: date) -> Decimal:
    """Housing aid from OpenFisca's own computation of the household's JSON situation, past RSA
    left for OpenFisca to compute (instead of the RSA received given as a fact)."""
    tbs = load_tax_benefit_system()
    situation = openfisca_situation(h, month)
    for famille in situation["familles"].values():
        famille.pop("rsa")
    simulation = SimulationBuilder().build_from_entities(tbs, situation)
    return Decimal(int(cents(simulation.calculate("aide_logement", month_key(month)))[0])) / 100


def test_housing_aid_neutralises_earnings_after_a_month_of_rsa():
    # R822-15 and R822-17 CCH: the activity income of a family that received RSA the month
    # before is not counted by housing aid. A tenant earning 500 € a month gets a little RSA.
    month = date(2022, 6, 1)
    tenant = household(
        person("claimant", resources=monthly("salary", "500", month, months=20)),
        housing_status="tenant",
        rent=Decimal("500"),
        fiscal_income_n2=Decimal(5000),
        claims=frozenset({"rsa", "aide_logement", "ppa"}),
    )
    without = amounts(tenant, month)
    assert without["rsa"] > 0  # the family is an RSA recipient every month
    received = replace(
        tenant, rsa_received={add_months(month, -k): without["rsa"] for k in range(1, 5)}
    )
    neutralised = amounts(received, month)
    assert neutralised["aide_logement"] > without["aide_logement"]
    # The law as OpenFisca computes it when it works out last month's RSA itself.
    assert neutralised["aide_logement"] == openfisca_full_housing_aid(tenant, month)
    assert compute_month_plain([received], month)[0].amounts == neutralised

"""What the Caf paid last month feeds housing aid: an RSA recipient's earnings are neutralised the
month after a month of RSA (R822-15 and R822-17 CCH). The RSA received is the one paid, or the
computed one for a month no payment run has settled yet; the explanation shows it, with every
fact the engine read."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from openfisca_core.simulation_builder import SimulationBuilder

from justedroit import rules
from justedroit.core import clock
from justedroit.entitlements import explain
from justedroit.entitlements.models import Payment
from justedroit.entitlements.quarters import QUARTERLY
from justedroit.entitlements.services import month_run
from justedroit.entitlements.situations import COMPUTED, PAID, rsa_received, situations
from justedroit.registry import services as registry_services
from justedroit.registry.models import Claim, ClaimStatus
from justedroit.rules.engine import cents
from justedroit.rules.inputs import month_key
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
APRIL, MAY, JUNE = dt.date(2022, 4, 1), dt.date(2022, 5, 1), dt.date(2022, 6, 1)
EARLIEST_READ = dt.date(2021, 2, 1)  # June 2022's resource window starts at M-16


@pytest.fixture
def worker_on_rsa():
    """A tenant earning 500 € a month: a little RSA every month, and housing aid."""
    household = HouseholdFactory()
    person = household.memberships.get().person

    def fact(kind, valid_from=dt.date(2020, 1, 1), valid_until=None, **value):
        registry_services.fact_record(
            household=household,
            person=person if kind in ("salary", "activity") else None,
            kind=kind,
            valid_from=valid_from,
            valid_until=valid_until,
            source="declaration",
            acting_user=None,
            **value,
        )

    fact("activity", code="employed")
    fact("salary", valid_until=EARLIEST_READ, amount=Decimal("500"))
    fact("salary", valid_from=EARLIEST_READ, valid_until=dt.date(2021, 3, 1), amount=Decimal("510"))
    fact("salary", valid_from=dt.date(2021, 3, 1), amount=Decimal("500"))
    fact("housing_status", code="tenant")
    fact("rent", amount=Decimal("500"))
    fact("housing_commune", code="86194")
    fact("fiscal_income_n2", amount=Decimal("5000"))
    return household


def claim(household, benefit, start=dt.date(2021, 1, 1)):
    Claim.objects.create(
        household=household,
        benefit=benefit,
        start_month=start,
        status=ClaimStatus.GRANTED,
        recorded_at=clock.now(),
    )


def computed(household, month=JUNE, **received):
    inputs, _ = situations(month=month, as_of=clock.now(), household_ids=[household.id])
    if "rsa" in received:
        inputs = [dataclasses.replace(inputs[0], rsa_received=received["rsa"])]
    (result,), errors = rules.compute_month(inputs, month, with_intermediates=False)
    assert errors == []
    return result, inputs[0]


def openfisca_full_housing_aid(household_input, month=JUNE) -> Decimal:
    """OpenFisca's own computation of the same situation, working out past RSA itself."""
    situation = rules.openfisca_situation(household_input, month)
    for famille in situation["familles"].values():
        famille.pop("rsa")
    simulation = SimulationBuilder().build_from_entities(rules.load_tax_benefit_system(), situation)
    value = cents(simulation.calculate("aide_logement", month_key(month)))[0]
    return Decimal(int(value)) / 100


def test_before_any_payment_the_computed_rsa_neutralises_earnings(worker_on_rsa):
    for benefit in ("rsa", "aide_logement", "ppa"):
        claim(worker_on_rsa, benefit)
    received = rsa_received(month=JUNE, as_of=clock.now(), household_ids=[worker_on_rsa.id])
    # Before the April 2022 revaluation 500 € of earnings leave no RSA.
    assert set(received[worker_on_rsa.id]) == {APRIL, MAY}
    assert {origin for _, origin in received[worker_on_rsa.id].values()} == {COMPUTED}

    result, household_input = computed(worker_on_rsa)
    without_rsa, _ = computed(worker_on_rsa, rsa={})
    assert result.paid("rsa") > 0
    assert result.amounts["aide_logement"] > without_rsa.amounts["aide_logement"]
    assert result.amounts["aide_logement"] == openfisca_full_housing_aid(household_input)
    dry = month_run(month=JUNE, household_ids=[worker_on_rsa.id], executor_kind="inline")
    # The RSA and the prime d'activité of a run are the quarterly right (tests of
    # entitlements.quarters); the other benefits are the month's computation.
    assert without_quarterly(dry.results[0].amounts) == without_quarterly(result.amounts)


def without_quarterly(amounts: dict) -> dict:
    return {benefit: amount for benefit, amount in amounts.items() if benefit not in QUARTERLY}


def test_once_paid_the_payment_is_what_housing_aid_reads(worker_on_rsa):
    for benefit in ("rsa", "aide_logement", "ppa"):
        claim(worker_on_rsa, benefit)
    month_run(month=MAY, wet=True, executor_kind="inline")
    paid = Payment.objects.get(household=worker_on_rsa, benefit="rsa", month=MAY).amount
    received = rsa_received(month=JUNE, as_of=clock.now(), household_ids=[worker_on_rsa.id])
    assert received[worker_on_rsa.id][MAY] == (paid, PAID)
    result, household_input = computed(worker_on_rsa)
    assert household_input.rsa_received[MAY] == paid
    assert result.amounts["aide_logement"] == openfisca_full_housing_aid(household_input)


def test_a_month_settled_without_rsa_neutralises_nothing(worker_on_rsa):
    """OpenFisca would impute last month's RSA; what counts is what the family received."""
    claim(worker_on_rsa, "aide_logement")
    claim(worker_on_rsa, "rsa", start=JUNE)
    month_run(month=MAY, wet=True, executor_kind="inline")
    assert not Payment.objects.filter(benefit="rsa").exists()
    result, household_input = computed(worker_on_rsa)
    assert MAY not in household_input.rsa_received
    assert result.paid("rsa") > 0
    assert result.amounts["aide_logement"] < openfisca_full_housing_aid(household_input)


def test_the_explanation_lists_every_fact_read_and_the_rsa_received(worker_on_rsa, capsys):
    for benefit in ("rsa", "aide_logement"):
        claim(worker_on_rsa, benefit)
    month_run(month=MAY, wet=True, executor_kind="inline")
    explanation = explain.household_explanation(
        household=worker_on_rsa, month=JUNE, as_of=clock.now()
    )
    salaries = {f["valid_from"]: f["value"] for f in explanation["facts"] if f["kind"] == "salary"}
    assert salaries == {"2020-01": "500.00", "2021-02": "510.00", "2021-03": "500.00"}
    assert [(r["month"], r["origin"]) for r in explanation["rsa_received"]] == [
        ("2022-02", "aucun"),
        ("2022-03", "aucun"),
        ("2022-04", "calculé (mois pas encore payé)"),
        ("2022-05", "versé"),
    ]
    call_command(
        "entitlements", "explain", "--household", worker_on_rsa.number, "--month", "2022-06"
    )
    text = capsys.readouterr().out
    assert "RSA perçu les mois précédents" in text and "2022-05" in text and "510.00" in text

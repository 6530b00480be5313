"""The vectorised recomputation of many households gives exactly the rappels and indus of the
one-household path, household by household, and goes on past a household it cannot compute."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from justedroit.core import clock
from justedroit.entitlements.models import Adjustment, Payment
from justedroit.entitlements.services import (
    household_recompute,
    households_recompute,
    households_recompute_from,
    month_run,
)
from justedroit.entitlements.situations import claimed_benefits
from justedroit.registry import services as registry_services
from justedroit.registry.models import Claim, Household, Membership
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
MAY, JUNE = dt.date(2022, 5, 1), dt.date(2022, 6, 1)


def paid_households(*months: dt.date, count: int) -> list[int]:
    """`count` twin households paid in the first of `months`, after runs of `months` over the
    first households claiming in June: the comparisons below need a dozen, not the whole file."""
    claiming = sorted(claimed_benefits(JUNE))[: 3 * count]
    for month in months:
        month_run(month=month, wet=True, workers=1, household_ids=claiming)
    paid = Payment.objects.filter(month=months[0]).values_list("household_id", flat=True)
    chosen = sorted(set(paid))[:count]
    assert len(chosen) == count
    return chosen


def _snapshot():
    return sorted(
        (
            a.household.number,
            a.benefit,
            a.month,
            a.kind,
            a.amount,
            a.due,
            a.settled_before,
            tuple(sorted(a.causes.values_list("id", flat=True))),
        )
        for a in Adjustment.objects.select_related("household")
    )


def test_vectorised_equals_one_by_one(small_twin):
    chosen = paid_households(JUNE, count=12)
    with clock.frozen(dt.datetime(2023, 1, 10, 9)):
        for household_id in chosen[::2]:  # half of them get news, the others nothing
            claimant = Membership.objects.filter(household_id=household_id, role="claimant").get()
            registry_services.fact_record(
                household=Household.objects.get(pk=household_id),
                person=claimant.person,
                kind="salary",
                amount=Decimal("2500"),
                valid_from=dt.date(2021, 1, 1),
                valid_until=dt.date(2023, 1, 1),
                source="control",
                acting_user=None,
            )
    with clock.frozen(dt.datetime(2023, 1, 11, 9)):
        with transaction.atomic():
            for household in Household.objects.filter(pk__in=chosen):
                household_recompute(
                    household=household, first_month=MAY, last_month=JUNE, acting_user=None
                )
            one_by_one = _snapshot()
            transaction.set_rollback(True)
        assert not Adjustment.objects.exists()
        created = households_recompute(
            household_ids=chosen, first_month=MAY, last_month=JUNE, acting_user=None, chunk=5
        )
        again = households_recompute(
            household_ids=chosen, first_month=MAY, last_month=JUNE, acting_user=None
        )
    assert one_by_one and _snapshot() == one_by_one
    assert len(created) == len(one_by_one)
    assert any(row[7] for row in one_by_one)  # causes are linked
    assert again == []


def test_each_household_from_its_own_month_equals_one_by_one(small_twin):
    paid = paid_households(MAY, JUNE, count=10)
    starts = {household_id: (MAY, JUNE)[i % 2] for i, household_id in enumerate(paid)}
    with clock.frozen(dt.datetime(2023, 1, 10, 9)):
        for household_id in starts:
            claimant = Membership.objects.filter(household_id=household_id, role="claimant").get()
            registry_services.fact_record(
                household=Household.objects.get(pk=household_id),
                person=claimant.person,
                kind="salary",
                amount=Decimal("2500"),
                # From February: the RSA and prime d'activité quarters of May and June read it
                # (their amount is fixed for the quarter: entitlements.quarters).
                valid_from=dt.date(2022, 2, 1),
                valid_until=dt.date(2022, 7, 1),
                source="control",
                acting_user=None,
            )
    with clock.frozen(dt.datetime(2023, 1, 11, 9)):
        with transaction.atomic():
            for household_id, first in starts.items():
                household_recompute(
                    household=Household.objects.get(pk=household_id),
                    first_month=first,
                    last_month=JUNE,
                    acting_user=None,
                )
            one_by_one = _snapshot()
            transaction.set_rollback(True)
        households_recompute_from(first_months=starts, last_month=JUNE, acting_user=None)
    assert one_by_one and _snapshot() == one_by_one
    # A household starting in June got nothing for May, though its new salary covers May too.
    june_starters = {h for h, first in starts.items() if first == JUNE}
    assert not Adjustment.objects.filter(household_id__in=june_starters, month=MAY).exists()


def test_a_household_the_engine_cannot_compute_is_listed_and_the_others_go_on(small_twin):
    some = paid_households(JUNE, count=5)
    broken = HouseholdFactory(number="0000001")  # no housing status: the engine refuses it
    Claim.objects.create(
        household=broken,
        benefit="rsa",
        start_month=dt.date(2021, 1, 1),
        status="granted",
        recorded_at=clock.now(),
    )
    errors: list[dict] = []
    households_recompute(
        household_ids=[*some, broken.id],
        first_month=MAY,
        last_month=JUNE,
        acting_user=None,
        errors=errors,
    )
    assert {e["household"] for e in errors} == {"0000001"}
    assert not Adjustment.objects.filter(household=broken).exists()
    assert Adjustment.objects.filter(household_id__in=some, month=MAY).exists()

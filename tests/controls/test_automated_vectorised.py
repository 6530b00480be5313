"""The set-based automated controls give what the per-household path gives (same controls,
facts, rappels and indus), and a month of partner data no paid RSA quarter has read yet is
compared once that quarter is paid, into an indu on it."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import transaction

from justedroit.controls.models import Control, ControlKind, ControlOutcome
from justedroit.controls.services import automated_controls_run
from justedroit.core import clock
from justedroit.entitlements.models import Adjustment, Payment
from justedroit.entitlements.services import month_run
from justedroit.registry.models import Fact, FactSource
from tests.controls.conftest import CONTROL_DAY, JULY, exchange, paid_households
from tests.shared_world import world_transaction

pytestmark = pytest.mark.django_db
JUNE, AUGUST = dt.date(2022, 6, 1), dt.date(2022, 8, 1)


def run(**options):
    with clock.frozen(CONTROL_DAY, tick=dt.timedelta(microseconds=1)):
        return automated_controls_run(month=JULY, acting_user=None, **options)


def snapshot(households) -> dict:
    """What the controls wrote, without ids or instants (control numbers become households)."""
    ids = [h.pk for h in households]
    numbers = dict(Control.objects.values_list("pk", "household_id"))

    def plain(reason):
        return re.sub(r"n° (\d+)", lambda m: f"foyer {numbers[int(m[1])]}", reason)

    return {
        "controls": sorted(
            (c.household_id, c.kind, c.outcome, c.status, c.arrears, c.overpayment)
            for c in Control.objects.filter(household_id__in=ids)
        ),
        "facts": sorted(
            (f.household_id, f.person_id, f.kind, f.valid_from, f.valid_until, f.amount)
            for f in Fact.objects.filter(household_id__in=ids, source=FactSource.CONTROL)
        ),
        "adjustments": sorted(
            (a.household_id, a.benefit, a.month, a.kind, a.amount, a.due, plain(a.reason))
            for a in Adjustment.objects.filter(household_id__in=ids)
        ),
        "links": sorted(
            (c.household_id, c.outcome, c.facts.count(), c.adjustments.count())
            for c in Control.objects.filter(household_id__in=ids, kind=ControlKind.AUTOMATED)
        ),
    }


@pytest.fixture(scope="module")
def _five(django_db_setup, django_db_blocker):
    with world_transaction(django_db_blocker):
        households = paid_households(5)
        indu, quiet, june_only, conflicting, two_months = households
        exchange(indu, indu.claimant, "1500")  # March–June: an indu
        exchange(quiet, quiet.claimant, "40")  # within the tolerance
        exchange(june_only, june_only.claimant, "1500", first=JUNE)  # read by July only
        exchange(conflicting, conflicting.claimant, "1500")
        exchange(conflicting, conflicting.claimant, "900", at=dt.datetime(2022, 7, 12, 9))
        exchange(two_months, two_months.claimant, "800", first=dt.date(2022, 5, 1))
        yield households


@pytest.fixture
def five(_five, db):
    return _five


def test_the_set_based_path_writes_what_the_per_household_path_writes(five):
    with transaction.atomic():
        reference_counts = run(one_by_one=True)
        reference = snapshot(five)
        transaction.set_rollback(True)
    assert not Control.objects.exists()
    counts = run()
    assert counts == reference_counts
    assert snapshot(five) == reference
    # The case mix is the one meant: an indu, no change, a referral; the months no paid RSA
    # quarter has read yet (May, June) wait.
    outcomes = dict(
        Control.objects.filter(kind=ControlKind.AUTOMATED).values_list("household_id", "outcome")
    )
    assert outcomes == {
        five[0].pk: ControlOutcome.OVERPAYMENT,
        five[1].pk: ControlOutcome.NO_CHANGE,
        five[3].pk: ControlOutcome.REFERRED,
    }
    assert Decimal(counts["overpayment"]) > 0 and reference["adjustments"]


def test_a_month_no_paid_quarter_has_read_is_compared_once_that_quarter_is_paid(five):
    june_only = five[2]
    counts = run()
    assert counts["settled"] == 1 and counts["no_change"] == 1 and counts["referred"] == 1
    assert not Control.objects.filter(household=june_only).exists()
    # July is paid on the declaration (no income): June is read by the quarter July–September.
    with clock.frozen(dt.datetime(2022, 7, 26, 21)):
        month_run(month=JULY, wet=True, workers=1, household_ids=[june_only.pk])
    with clock.frozen(dt.datetime(2022, 8, 25, 19), tick=dt.timedelta(microseconds=1)):
        counts = automated_controls_run(month=AUGUST, acting_user=None)
    assert counts["settled"] == 1
    control = Control.objects.get(household=june_only)
    assert control.outcome == ControlOutcome.OVERPAYMENT
    (fact,) = control.facts.all()
    assert (fact.valid_from, fact.amount) == (JUNE, Decimal("1500.00"))
    (indu,) = Adjustment.objects.filter(household=june_only)
    assert (indu.month, indu.amount) == (JULY, control.overpayment)
    paid = Payment.objects.filter(household=june_only, month=JULY).values_list("amount", flat=True)
    assert 0 < indu.amount <= sum(paid)

"""The targeting variable `income_unconfirmed` (docs/ciblage.md): earnings the Caf knows from
the household or an agent only, which no partner's data of the 6 months before confirms."""

import datetime as dt
from decimal import Decimal

import pytest

from justedroit.controls.features import feature_rows
from justedroit.core import clock
from tests.controls.conftest import exchange, record
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
JANUARY = dt.date(2022, 1, 1)


def _declaring(salary="900", kind="salary"):
    household = HouseholdFactory()
    person = household.memberships.get().person
    with clock.frozen(dt.datetime(2022, 1, 5, 9)):
        record(household, kind, person=person, valid_from=JANUARY, amount=Decimal(salary))
    household.person = person
    return household


def _unconfirmed(households, at: dt.datetime) -> dict[int, float]:
    rows = feature_rows([h.pk for h in households], at.replace(tzinfo=clock.PARIS))
    return {h.pk: rows[h.pk]["income_unconfirmed"] for h in households}


def test_declared_earnings_are_unconfirmed_until_a_partner_sees_them_within_six_months():
    alone, self_employed, nothing = (
        _declaring(),
        _declaring(kind="self_employment"),
        _declaring("0"),
    )
    seen = _declaring()
    exchange(
        seen,
        seen.person,
        "700",
        first=JANUARY,
        until=dt.date(2022, 2, 1),
        at=dt.datetime(2022, 2, 10, 9),
    )
    households = [alone, self_employed, nothing, seen]
    assert _unconfirmed(households, dt.datetime(2022, 3, 20, 9)) == {
        alone.pk: 1.0,
        self_employed.pk: 1.0,
        nothing.pk: 0.0,  # no earnings
        seen.pk: 0.0,  # a partner's line on 10/02, within 6 months
    }
    # Seven months after the partner's last line, the declared salary is unconfirmed again.
    assert _unconfirmed([seen], dt.datetime(2022, 9, 20, 9)) == {seen.pk: 1.0}
    # A partner's line recorded after the instant does not confirm anything at that instant.
    assert _unconfirmed([seen], dt.datetime(2022, 2, 1, 9)) == {seen.pk: 1.0}

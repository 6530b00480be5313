"""IQL 6: the same reviewed sample, six months after processing. An error corrected within six
months by a newer fact (not the verifier's) no longer counts; one corrected later still does;
acts younger than six months are not counted yet."""

import datetime as dt
from decimal import Decimal

import pytest

from justedroit.core import clock
from justedroit.core.indicators import registered
from justedroit.core.roles import Role
from justedroit.quality import selectors, services
from justedroit.quality.services import PlanInput
from justedroit.registry.services import fact_record
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=clock.PARIS)


def rent(household, user, amount: str):
    fact_record(
        household=household,
        kind="rent",
        valid_from=dt.date(2022, 1, 1),
        valid_until=None,
        amount=Decimal(amount),
        source="agent",
        acting_user=user,
    )


def test_iql6_counts_only_errors_still_there_six_months_later(make_user):
    worker = make_user(Role.CASE_WORKER, username="gc")
    other = make_user(Role.CASE_WORKER, username="gc2")
    verifier = make_user(Role.VERIFIER, username="verif")
    corrected, late, right = (HouseholdFactory(number=n) for n in ("1000001", "1000002", "1000003"))
    with clock.frozen(at(dt.date(2022, 1, 10))):
        for household in (corrected, late, right):
            rent(household, worker, "450")
    with clock.frozen(at(dt.date(2022, 3, 1))):
        rent(corrected, other, "540")  # within six months
    with clock.frozen(at(dt.date(2022, 9, 1))):
        rent(late, other, "540")  # after six months
    with clock.frozen(at(dt.date(2022, 2, 1))):
        plan = services.plan_draw(
            plan=PlanInput(
                name="Janvier",
                period_start=dt.date(2022, 1, 1),
                period_end=dt.date(2022, 2, 1),
                method="simple",
                size=3,
                seed=7,
            ),
            acting_user=verifier,
        )
        for item in plan.items.select_related("act__household"):
            in_error = item.act.household != right
            services.review_record(
                item=item,
                in_error=in_error,
                nature="wrong_amount" if in_error else "",
                origin="agent" if in_error else "",
                acting_user=verifier,
            )
        assert selectors.quality_index_six_months(plan).n == 0  # too early
    with clock.frozen(at(dt.date(2022, 12, 1))):
        assert selectors.plan_results(plan).share.value == pytest.approx(2 / 3)
        iql6 = selectors.quality_index_six_months(plan)
        published = {i.code: i for i in registered()}["quality_iql6"].compute(2022)
    assert published == Decimal("66.7")  # the indicator the DQI quality process follows
    assert iql6.n == 3
    assert iql6.value == pytest.approx(2 / 3)  # only the late-corrected error remains
    assert iql6.low < iql6.value < iql6.high


def test_the_verifiers_own_correction_does_not_count(make_user):
    worker = make_user(Role.CASE_WORKER, username="gc")
    verifier = make_user(Role.VERIFIER, username="verif")
    household = HouseholdFactory(number="1000004")
    with clock.frozen(at(dt.date(2022, 1, 10))):
        rent(household, worker, "450")
    with clock.frozen(at(dt.date(2022, 2, 1))):
        plan = services.plan_draw(
            plan=PlanInput(
                name="Janvier",
                period_start=dt.date(2022, 1, 1),
                period_end=dt.date(2022, 2, 1),
                method="simple",
                size=1,
                seed=7,
            ),
            acting_user=verifier,
        )
        services.review_record(
            item=plan.items.get(),
            in_error=True,
            nature="wrong_amount",
            origin="agent",
            acting_user=verifier,
        )
        rent(household, verifier, "540")
    with clock.frozen(at(dt.date(2022, 12, 1))):
        iql6 = selectors.quality_index_six_months(plan)
    assert (iql6.n, iql6.value) == (1, 0.0)

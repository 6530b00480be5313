"""Verification plans over the acts stored in the database: reproducible draws with their
inclusion probabilities, reviews with the engine's recomputation, and the estimates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.entitlements.models import Adjustment
from justedroit.quality import selectors, services
from justedroit.quality.models import Review, SampleItem, SamplingPlan
from justedroit.quality.services import Correction, PlanInput
from justedroit.registry.models import ProcessingAct
from justedroit.registry.services import fact_record
from tests.factories import HouseholdFactory
from tests.indicator_series import assert_counts

JULY = dt.date(2022, 7, 1)
AUGUST = dt.date(2022, 8, 1)


def _rent_recorded(household, agent):
    """An agent's processing act: a rent of 450 € from August."""
    fact_record(
        household=household,
        kind="rent",
        valid_from=AUGUST,
        valid_until=None,
        amount=Decimal("450"),
        source="agent",
        acting_user=agent,
    )


@pytest.fixture
def acts(make_user):
    """60 acts in July 2022: three agents (two teams), each recording a rent on 20 households."""
    agents = [make_user(Role.CASE_WORKER, username=f"agent-{i}") for i in range(3)]
    for agent, team in zip(agents, ["Poitiers A", "Poitiers A", "Châtellerault"], strict=True):
        services.team_join(team_name=team, agent=agent, start_date=JULY, acting_user=None)
    households = [HouseholdFactory() for _ in range(20)]
    with clock.frozen(dt.datetime(2022, 7, 4, 9), tick=dt.timedelta(seconds=1)):
        for agent in agents:
            for household in households:
                _rent_recorded(household, agent)
    return agents


def _plan(**given):
    return PlanInput(
        **{"name": "Juillet", "period_start": JULY, "period_end": AUGUST, "method": "simple"}
        | given
    )


def test_a_simple_draw_is_reproducible_and_stores_its_probabilities(acts, make_user):
    verifier = make_user(Role.VERIFIER)
    plan = services.plan_draw(plan=_plan(size=10, seed=5), acting_user=verifier)
    again = services.plan_draw(plan=_plan(size=10, seed=5), acting_user=verifier)
    assert (plan.population, plan.size, plan.seed) == (60, 10, 5)
    drawn = set(plan.items.values_list("act_id", flat=True))
    assert drawn == set(again.items.values_list("act_id", flat=True))
    assert {item.probability for item in plan.items.all()} == {Decimal(f"{10 / 60:.12f}")}
    assert AuditEvent.objects.filter(object_type="quality.SamplingPlan").count() == 2
    # Without a size: the precision's size with the population correction (p = 6 %, ± 2 pts).
    computed = services.plan_draw(plan=_plan(seed=1), acting_user=verifier)
    assert computed.size == 55  # 541.2 / (1 + 540.2 / 60), rounded up


def test_a_stratified_draw_allocates_over_the_teams(acts, make_user):
    plan = services.plan_draw(
        plan=_plan(method="stratified", stratify_by="team", size=12, seed=3),
        acting_user=make_user(Role.VERIFIER),
    )
    items = list(plan.items.all())
    by_team = {s: sum(i.stratum == s for i in items) for s in {i.stratum for i in items}}
    # Equal spreads (every act 1 €): proportional, 40 and 20 acts → 8 and 4.
    assert by_team == {"Poitiers A": 8, "Châtellerault": 4}
    assert {(i.stratum, i.probability) for i in items} == {
        ("Poitiers A", Decimal(f"{8 / 40:.12f}")),
        ("Châtellerault", Decimal(f"{4 / 20:.12f}")),
    }


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"method": "stratified"}, "strates"),
        ({"stratify_by": "team"}, "Seul un plan stratifié"),
        ({"period_start": dt.date(2021, 1, 1), "period_end": dt.date(2021, 2, 1)}, "Aucun acte"),
        ({"period_end": JULY}, "suivre"),
        ({"expected_rate": Decimal("0")}, "proportions"),
    ],
)
def test_a_bad_plan_draws_nothing(acts, make_user, given, message):
    with pytest.raises(ValidationError, match=message):
        services.plan_draw(plan=_plan(**given), acting_user=make_user(Role.VERIFIER))
    assert not SamplingPlan.objects.exists() and not SampleItem.objects.exists()


def test_reviews_and_the_estimates(acts, make_user):
    verifier = make_user(Role.VERIFIER)
    plan = services.plan_draw(plan=_plan(size=20, seed=11), acting_user=verifier)
    items = list(selectors.worklist(plan))
    with pytest.raises(ValidationError, match="nature"):
        services.review_record(item=items[0], in_error=True, acting_user=verifier)
    with pytest.raises(ValidationError, match="sans erreur"):
        services.review_record(
            item=items[0], in_error=False, nature="wrong_amount", acting_user=verifier
        )
    assert not Review.objects.exists()
    for item in items[:4]:
        services.review_record(
            item=item,
            in_error=True,
            nature="wrong_amount",
            origin="agent",
            financial=True,
            impact=Decimal("1.00"),
            acting_user=verifier,
        )
    for item in items[4:]:
        services.review_record(item=item, in_error=False, acting_user=verifier)
    with pytest.raises(ValidationError, match="déjà vérifié"):
        services.review_record(item=items[0], in_error=False, acting_user=verifier)
    assert not selectors.worklist(plan).exists()
    results = selectors.plan_results(plan)
    assert (results.reviewed, results.errors) == (20, 4)
    assert results.share.value == pytest.approx(0.2)
    assert results.share.low < 0.2 < results.share.high
    # Every act's € at stake is 1 € (no payment): the € rate equals the share here.
    assert results.amount_rate.value == pytest.approx(0.2)
    assert set(results.iql["team"]) == {"Poitiers A", "Châtellerault"}
    assert set(results.iql["agent"]) <= {"agent-0", "agent-1", "agent-2"}
    per_agent = sum(e.n for e in results.iql["agent"].values())
    assert per_agent == 20


def test_a_correction_is_recomputed_by_the_engine(paid_household, make_user):
    worker, verifier = make_user(Role.CASE_WORKER), make_user(Role.VERIFIER)
    with clock.frozen(dt.datetime(2022, 7, 4, 10)):
        fact_record(
            household=paid_household,
            kind="rent",
            valid_from=dt.date(2022, 3, 1),
            valid_until=None,
            amount=Decimal("0"),
            source="agent",
            acting_user=worker,
        )
    with clock.frozen(dt.datetime(2022, 7, 20, 10)):
        plan = services.plan_draw(plan=_plan(seed=2), acting_user=verifier)
        (item,) = plan.items.all()
        services.review_record(
            item=item,
            in_error=True,
            nature="missed_resource",
            origin="agent",
            corrections=[
                Correction(
                    kind="salary",
                    valid_from=dt.date(2022, 3, 1),
                    valid_until=JULY,
                    person=paid_household.claimant,
                    amount=Decimal("1500"),
                )
            ],
            acting_user=verifier,
        )
    review = Review.objects.get()
    indus = Adjustment.objects.filter(household=paid_household)
    assert indus.exists()
    assert review.financial and review.impact == sum(a.amount for a in indus)
    assert len(review.recomputed["adjustments"]) == indus.count()
    # The verifier's correction is itself an agent's act, outside the plan.
    assert ProcessingAct.objects.filter(agent=verifier).count() == 1


def test_acts_processed_and_reviewed_month_by_month_in_paris_time(acts, make_user):
    """The year's acts by the month they were processed, the reviews by the month they were
    recorded: what the services wrote, each in its Paris month, adding up to the year."""
    household = HouseholdFactory()
    # 0:30 on 1 January in Paris is still 2021 in UTC; 23:30 on 31 December is 2022 in both.
    for at in (dt.datetime(2022, 1, 1, 0, 30), dt.datetime(2022, 12, 31, 23, 30)):
        with clock.frozen(at):
            _rent_recorded(household, acts[0])
    verifier = make_user(Role.VERIFIER)
    plan = services.plan_draw(plan=_plan(size=5, seed=7), acting_user=verifier)
    error = {"nature": "wrong_amount", "origin": "agent"}
    for item, (at, in_error) in zip(
        selectors.worklist(plan),
        [
            (dt.datetime(2022, 8, 2, 9), True),
            (dt.datetime(2022, 8, 3, 9), True),
            (dt.datetime(2022, 8, 31, 23, 30), False),
            (dt.datetime(2022, 9, 1, 9), True),
            (dt.datetime(2022, 9, 2, 9), False),
        ],
        strict=True,
    ):
        with clock.frozen(at):
            services.review_record(
                item=item, in_error=in_error, acting_user=verifier, **(error if in_error else {})
            )
    assert_counts("quality_processing_acts", 2022, {1: 1, 7: 60, 12: 1})
    assert_counts("quality_processing_acts", 2021, {})
    assert_counts("quality_acts_reviewed", 2022, {8: 3, 9: 2})
    assert_counts("quality_acts_in_error", 2022, {8: 2, 9: 1})

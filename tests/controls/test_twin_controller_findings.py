"""The twin's controllers find what the registry had no fact for — an undeclared vie maritale, a
residence abroad — and select the households they control with the targeting score."""

import datetime as dt
from decimal import Decimal

from justedroit import rules
from justedroit.controls.models import (
    ControlKind,
    ControlOrigin,
    ControlOutcome,
    RandomSample,
    TargetingDecision,
    TargetingDecisionKind,
    TargetingModel,
)
from justedroit.controls.services import control_open
from justedroit.controls.targeting import FEATURE_NAMES
from justedroit.core import clock
from justedroit.entitlements.models import Adjustment, AdjustmentKind, Payment
from justedroit.entitlements.situations import situations
from justedroit.registry.models import Benefit, FactKind, FactSource, Residence
from justedroit.twin.simulate.controls import (
    _targeted,
    controller,
    controls_month,
    controls_settle_from_truth,
    situation_findings,
)
from justedroit.twin.simulate.controls.parameters import PARAMETERS as P
from justedroit.twin.truth.models import Behaviour, Change, Origin, TrueKind, TruePeriod
from tests.controls.conftest import PAID_MONTHS, paid_households, record

MARCH, JUNE = dt.date(2022, 3, 1), dt.date(2022, 6, 1)
CONTROL_DAY = dt.datetime(2022, 6, 27, 9)


def _hidden(household, kind, start, **values):
    return TruePeriod.objects.create(
        household=household,
        kind=kind,
        month_from=start,
        origin=Origin.CHANGE,
        change=Change.PARTNER_MOVES_IN if kind == TrueKind.PARTNER else Change.DEPARTURE_ABROAD,
        behaviour=Behaviour.NEVER,  # negligence: an indu, no suspected fraud
        **values,
    )


def _on_site(household):
    user = controller()
    control = control_open(
        household=household,
        kind=ControlKind.ON_SITE,
        origin=ControlOrigin.TARGETING,
        acting_user=user,
        month=JUNE,
    )
    return control, controls_settle_from_truth([control], JUNE, user)[0].outcome


def test_an_on_site_control_finds_a_hidden_partner_and_the_engine_makes_the_indu(paid_household):
    _hidden(paid_household, TrueKind.PARTNER, MARCH, amount=Decimal("1400.00"))
    with clock.frozen(CONTROL_DAY, tick=dt.timedelta(microseconds=1)):
        control, outcome = _on_site(paid_household)
        assert outcome == ControlOutcome.OVERPAYMENT
        now = clock.now()
    control.refresh_from_db()
    (fact,) = control.facts.all()
    assert (fact.source, fact.kind, fact.amount, fact.valid_from, fact.valid_until) == (
        FactSource.CONTROL,
        FactKind.PARTNER_RESOURCES,
        Decimal("1400.00"),
        dt.date(2022, 3, 1),
        None,
    )
    # The indu of each month paid wrongly is what was paid less what the engine now gives.
    expected = {}
    for month in PAID_MONTHS:
        inputs, _ = situations(month=month, as_of=now, household_ids=[paid_household.pk])
        (result,), errors = rules.compute_month(inputs, month, with_intermediates=False)
        assert errors == []
        assert inputs[0].partner_resources == (Decimal("1400.00") if month >= MARCH else None)
        paid = Payment.objects.get(household=paid_household, month=month, benefit=Benefit.RSA)
        if paid.amount != result.paid(Benefit.RSA):
            expected[month] = paid.amount - result.paid(Benefit.RSA)
    indus = {
        a.month: a.amount
        for a in Adjustment.objects.filter(household=paid_household, benefit=Benefit.RSA)
    }
    assert set(expected) == {dt.date(2022, m, 1) for m in range(3, 7)}
    assert indus == expected and all(amount > 0 for amount in indus.values())
    assert control.overpayment == sum(expected.values())
    assert set(control.adjustments.values_list("kind", flat=True)) == {AdjustmentKind.OVERPAYMENT}
    # Established once: a second control finds nothing more.
    assert situation_findings(paid_household.pk, JUNE, ControlKind.ON_SITE) == []


def test_an_on_site_control_finds_a_departure_abroad_and_nothing_is_due_since(paid_household):
    _hidden(paid_household, TrueKind.ABROAD, dt.date(2022, 4, 1), code="yes")
    with clock.frozen(CONTROL_DAY, tick=dt.timedelta(microseconds=1)):
        control, outcome = _on_site(paid_household)
    assert outcome == ControlOutcome.OVERPAYMENT
    (fact,) = control.facts.all()
    assert (fact.kind, fact.code, fact.valid_from) == (
        FactKind.RESIDENCE,
        Residence.ABROAD,
        dt.date(2022, 4, 1),
    )
    paid = {
        p.month: p.amount
        for p in Payment.objects.filter(household=paid_household, benefit=Benefit.RSA)
    }
    indus = {
        a.month: a.amount
        for a in Adjustment.objects.filter(household=paid_household, kind="overpayment")
    }
    assert indus == {m: paid[m] for m in (dt.date(2022, 4, 1), JUNE, dt.date(2022, 5, 1))}


def test_a_situation_not_true_in_the_control_month_is_not_established(paid_household):
    TruePeriod.objects.create(
        household=paid_household,
        kind=TrueKind.PARTNER,
        month_from=dt.date(2022, 2, 1),
        month_until=dt.date(2022, 4, 1),
        amount=Decimal("900.00"),
        origin=Origin.CHANGE,
        change=Change.PARTNER_MOVES_IN,
        behaviour=Behaviour.NEVER,
    )
    assert situation_findings(paid_household.pk, JUNE, ControlKind.ON_SITE) == []


def test_the_controllers_select_the_best_scores_and_log_each_decision(db):
    households = paid_households(3)
    flagged = households[1]
    with clock.frozen(dt.datetime(2022, 6, 10, 9)):
        record(
            flagged,
            "salary",
            person=flagged.claimant,
            valid_from=dt.date(2022, 5, 1),
            amount=Decimal("300.00"),
        )
    user = controller()
    with clock.frozen(CONTROL_DAY, tick=dt.timedelta(microseconds=1)):
        sample = RandomSample.objects.create(
            year=2022,
            kind=ControlKind.DOCUMENTS,
            seed=1,
            reference_day=dt.date(2022, 1, 1),
            population=3,
            drawn_at=clock.now(),
        )
        coefficients = dict.fromkeys(FEATURE_NAMES, 0.0) | {"resource_changes_12m": 3.0}
        model = TargetingModel.objects.create(
            trained_at=clock.now(),
            sample=sample,
            features=list(FEATURE_NAMES),
            intercept=Decimal("-2"),
            coefficients=coefficients,
            standard_errors=dict.fromkeys(["intercept", *FEATURE_NAMES], 1.0),
            training_size=30,
            positives=5,
            penalty=Decimal("1"),
        )
        opened = _targeted(model, {ControlKind.ON_SITE: 1, ControlKind.DOCUMENTS: 1}, user)
    on_site, documents = opened
    assert (on_site.kind, on_site.household_id) == (ControlKind.ON_SITE, flagged.pk)
    assert documents.kind == ControlKind.DOCUMENTS and documents.household_id != flagged.pk
    assert {c.origin for c in opened} == {ControlOrigin.TARGETING}
    decisions = {d.control_id: d for d in TargetingDecision.objects.filter(model=model)}
    assert set(decisions) == {on_site.pk, documents.pk}
    top = decisions[on_site.pk]
    assert top.decision == TargetingDecisionKind.SELECTED and top.decided_by == user
    assert top.values["resource_changes_12m"] == 1.0
    assert top.score > decisions[documents.pk].score


def test_the_controllers_draw_the_year_s_sample_and_work_it_a_twelfth_a_month(db):
    households = paid_households(4)
    scale = 12 / (P.documents_per_year * P.random_sample_share)  # a sample of 12 households
    with clock.frozen(dt.datetime(2022, 7, 27, 9), tick=dt.timedelta(microseconds=1)):
        counts = controls_month(dt.date(2022, 7, 1), seed=86, scale=scale)
    sample = RandomSample.objects.get(year=2022)
    # Fewer covered households than the sample's size: all are drawn.
    drawn = sample.controls.count()
    assert drawn == sample.population >= len(households)
    assert {h.pk for h in households} <= set(sample.controls.values_list("household", flat=True))
    closed = sample.controls.filter(status="closed").order_by("id")
    # July: the first 7/12 of the sample, in the order drawn; the rest waits for its month.
    assert [c.pk for c in closed] == list(
        sample.controls.order_by("id").values_list("id", flat=True)[: round(drawn * 7 / 12)]
    )
    # No model yet (fewer than 30 closed controls): nobody is selected by a score.
    assert "cibles" not in counts and not TargetingDecision.objects.exists()

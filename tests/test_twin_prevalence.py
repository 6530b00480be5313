"""The twin's fraud prevalence: what a deliberately hidden change costs, computed by the engine
in a transaction rolled back — nothing is left in the database."""

import datetime as dt
from decimal import Decimal

import pytest

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.entitlements.models import Adjustment
from justedroit.registry.models import Fact
from justedroit.twin.prevalence import deliberate_cost
from justedroit.twin.truth.models import Behaviour, Change, Origin, TrueKind, TruePeriod
from tests.controls.conftest import paid_households

pytestmark = pytest.mark.django_db


def hidden_job(household, behaviour):
    return TruePeriod.objects.create(
        household=household,
        person=household.claimant,
        kind=TrueKind.SALARY,
        month_from=dt.date(2022, 1, 1),
        amount=Decimal("1500"),
        origin=Origin.CHANGE,
        change=Change.NEW_JOB,
        behaviour=behaviour,
    )


def test_a_deliberately_hidden_job_costs_what_the_engine_would_have_paid_less():
    (household,) = paid_households(1)
    hidden_job(household, Behaviour.NEVER)
    facts, audit = Fact.objects.count(), AuditEvent.objects.count()
    with clock.frozen(dt.datetime(2022, 7, 26, 9)):
        assert deliberate_cost(dt.date(2022, 6, 1)) == {}  # negligence is not counted
        hidden_job(household, Behaviour.DELIBERATE)
        cost = deliberate_cost(dt.date(2022, 6, 1))
    # The RSA paid January–June on no income: the job's months cost an indu on the quarters
    # that read them (April–June, on January–March).
    assert set(cost) == {2022} and cost[2022] > 0
    assert (Fact.objects.count(), AuditEvent.objects.count()) == (facts, audit)
    assert not Adjustment.objects.exists()

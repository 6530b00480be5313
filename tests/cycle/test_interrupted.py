"""A cycle stopped half-way and run again pays and settles exactly what an uninterrupted cycle
does. May paid and June's uninterrupted outcome are computed once for the module (inside its
twin's transaction); the test interrupts June twice, in two ways, and compares with that
outcome."""

import datetime as dt
from pathlib import Path

import pytest
from django.db import transaction

from justedroit.core import clock
from justedroit.core.models import ImportJournal
from justedroit.cycle.models import AdjustmentLetter, CycleStep, StepStatus
from justedroit.cycle.services import STEPS, Step, cut_off, cycle_month_run
from justedroit.entitlements.models import Adjustment, Payment, Run
from justedroit.entitlements.services import month_run
from justedroit.registry.models import Fact, FactSource, Membership
from tests.conftest import REFERENCE_INSTANT

pytestmark = pytest.mark.django_db
MAY, JUNE = dt.date(2022, 5, 1), dt.date(2022, 6, 1)
TICK = dt.timedelta(milliseconds=1)


class Stopped(Exception):
    """Stands for the process dying between two steps."""


def _stop(context):
    raise Stopped


def _inbox(folder: Path) -> Path:
    """June's DRM file: a salary for February (in May's resource window) for some households
    paid in May whose claimant declared none (a declared salary would win over the partner's)."""
    paid = Payment.objects.filter(month=MAY).values_list("household_id", flat=True)
    declaring = Fact.objects.filter(kind="salary").exclude(source=FactSource.PARTNER_EXCHANGE)
    claimants = Membership.objects.filter(role="claimant", household_id__in=set(paid)).exclude(
        person_id__in=declaring.values("person_id")
    )
    rows = [
        f"{member.person.nir};2022-02;12345678900011;salaire;2400.00"
        for member in claimants.select_related("person").order_by("household_id")[:8]
    ]
    month = folder / "inbox" / "2022-06"
    month.mkdir(parents=True, exist_ok=True)
    (month / "drm.csv").write_text("nir;mois;siret;nature;montant_net\n" + "\n".join(rows) + "\n")
    return folder / "inbox"


def _outcome():
    return (
        sorted(Payment.objects.values_list("household_id", "benefit", "month", "amount")),
        sorted(
            Adjustment.objects.values_list("household_id", "benefit", "month", "kind", "amount")
        ),
        sorted(AdjustmentLetter.objects.values_list("household_id", "month", "channel")),
    )


@pytest.fixture(scope="module")
def june(twin_module, django_db_blocker, tmp_path_factory):
    """June's inbox and the outcome of an uninterrupted June cycle (rolled back), May paid."""
    with django_db_blocker.unblock():
        with clock.frozen(dt.datetime(2022, 12, 31, 9), tick=TICK):  # before June's file
            cycle_month_run(month=MAY, acting_user=None, inbox=Path("/nonexistent"))
        inbox = _inbox(tmp_path_factory.mktemp("cycle"))
        with clock.frozen(REFERENCE_INSTANT, tick=TICK), transaction.atomic():
            cycle_month_run(month=JUNE, acting_user=None, inbox=inbox)
            uninterrupted = _outcome()
            transaction.set_rollback(True)
    return inbox, uninterrupted


def test_a_cycle_stopped_then_killed_in_a_step_then_run_again_equals_an_uninterrupted_one(june):
    """Two deaths of the process on the same June: after the recomputation (between two steps),
    then in the middle of the payment step (left `started`, half paid); the next run pays and
    settles exactly what an uninterrupted cycle does, without running a done step again."""
    inbox, uninterrupted = june
    stopping = [*STEPS[:2], Step("stop", "arrêt brutal", _stop), *STEPS[2:]]
    with pytest.raises(Stopped):
        cycle_month_run(month=JUNE, acting_user=None, inbox=inbox, steps=stopping)
    assert CycleStep.objects.get(month=JUNE, step="stop").status == StepStatus.INTERRUPTED
    assert not Payment.objects.filter(month=JUNE).exists()
    some = sorted(Payment.objects.filter(month=MAY).values_list("household_id", flat=True))[:50]
    month_run(month=JUNE, as_of=cut_off(JUNE), wet=True, household_ids=some)
    CycleStep.objects.create(
        month=JUNE, step="payment", status=StepStatus.STARTED, started_at=cut_off(JUNE)
    )
    journal = cycle_month_run(month=JUNE, acting_user=None, inbox=inbox)
    assert _outcome() == uninterrupted
    payments, adjustments, letters = uninterrupted
    assert adjustments and letters and any(month == JUNE for _, _, month, _ in payments)
    # The steps done before the deaths were not run again; nothing was imported twice; the
    # payment step was run again from its start (once: its half run was no attempt of its own).
    done = {row.step: row for row in journal}
    assert [row.step for row in journal] == [step.name for step in STEPS]
    assert done["exchanges"].attempts == done["recompute"].attempts == 1
    assert done["payment"].attempts == 1
    assert done["exchanges"].counts["facts"] == 8
    assert ImportJournal.objects.filter(kind="echange_drm").count() == 1
    assert set(Run.objects.filter(month=JUNE, wet=True).values_list("as_of", flat=True)) == {
        cut_off(JUNE)
    }
    # A whole rerun does nothing more.
    cycle_month_run(month=JUNE, acting_user=None, inbox=inbox)
    assert _outcome() == uninterrupted
    # The salaries nobody declared were settled by the automated controls (control facts taking
    # the partner's amount), each household with a rappel or an indu got this cycle's letter.
    settled = Adjustment.objects.filter(controladjustment__control__month=JUNE)
    assert settled.exists()
    # (distinct: an adjustment of a quarter may have several control facts among its causes)
    assert settled.filter(causes__source=FactSource.CONTROL).distinct().count() == settled.count()
    assert set(Adjustment.objects.values_list("household_id", flat=True)) == set(
        AdjustmentLetter.objects.filter(month=JUNE).values_list("household_id", flat=True)
    )

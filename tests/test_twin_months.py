"""The months the twin's truth drives run the Caf's own cycle: January–May 2021 are simulated once
for the module (inside its twin's transaction, rolled back after it); each test reads a fact of
those months, or acts on them in its own savepoint."""

import datetime as dt

import pytest
from django.db.models import Q
from django.test import override_settings

from justedroit.controls.models import ControlAdjustment, ControlKind, ControlOrigin
from justedroit.controls.services import control_open
from justedroit.core import clock
from justedroit.core.models import ImportJournal
from justedroit.cycle.models import CycleStep, StepStatus
from justedroit.cycle.services import STEPS, cut_off
from justedroit.entitlements.models import Adjustment, AdjustmentKind, Payment
from justedroit.exchanges.models import ExchangeFile
from justedroit.registry.models import Claim, Fact, FactSource
from justedroit.twin.models import TwinSimulation
from justedroit.twin.simulate.controls import controller, controls_settle_from_truth
from justedroit.twin.simulate.months import months_run
from justedroit.twin.simulate.partners import _covered, late_by
from justedroit.twin.simulate.partners.parameters import PARAMETERS as PARTNERS
from justedroit.twin.simulate.truth import changes
from justedroit.twin.truth.models import Behaviour, Change
from tests.test_twin_truth import FIRST, _draw_truth, _housing, _variable_pay

pytestmark = pytest.mark.django_db
MAY = dt.date(2021, 5, 1)
MONTHS = [clock.add_months(FIRST, n) for n in range(5)]  # January–May 2021


@pytest.fixture(scope="module")
def simulated(twin_module, django_db_blocker, tmp_path_factory):
    """The folder of the five months' files and letters, once they have run."""
    folder = tmp_path_factory.mktemp("months")
    with django_db_blocker.unblock(), _printing_in(folder):
        _draw_truth()
        months_run(first_month=FIRST, last_month=MAY, inbox=folder / "inbox")
    return folder


def _printing_in(folder):
    return override_settings(JUSTEDROIT_PRINT_DIR=folder / "print")


def test_a_simulated_month_runs_the_caf_cycle_on_the_partners_files(simulated):
    payments = Payment.objects.count()
    assert Payment.objects.filter(month=MAY).exists()
    for month in MONTHS:
        steps = CycleStep.objects.filter(month=month)
        assert {s.step for s in steps} == {step.name for step in STEPS}
        assert {s.status for s in steps} == {StepStatus.DONE}
    # Every row of the partners' files was read and kept: the formats are the connectors'.
    files = ExchangeFile.objects.filter(month__in=MONTHS)
    assert {f.connector for f in files} == {"drm", "france_travail"}
    journals = ImportJournal.objects.filter(pk__in=[f.journal_id for f in files])
    assert all(j.rows_refused == 0 and j.rows_read > 0 for j in journals)
    # Run again: the months are done, nothing is paid or imported twice.
    with _printing_in(simulated):
        months_run(first_month=FIRST, last_month=MAY, inbox=simulated / "inbox")
    assert Payment.objects.count() == payments
    assert TwinSimulation.objects.filter(simulator="mois").count() == len(MONTHS)
    assert ExchangeFile.objects.filter(month__in=MONTHS).count() == len(files)


def test_a_variable_pay_month_left_out_of_the_quarterly_declaration_becomes_an_indu(simulated):
    """The DRM brings the month's true pay; once the quarter it bears on is paid, the Caf's
    automated control recomputes it into an indu of the RSA or the prime d'activité."""
    first_quarter = MONTHS[:3]
    means_tested = set(
        Claim.objects.filter(benefit__in=["rsa", "ppa"], start_month__lt=FIRST)
        .filter(Q(end_month__isnull=True) | Q(end_month__gt=dt.date(2021, 6, 1)))
        .values_list("household_id", flat=True)
    )
    left_out = {
        period.household_id
        for period in _variable_pay().filter(
            behaviour=Behaviour.NEVER, month_from__in=first_quarter
        )
        if period.household_id in means_tested
        and _covered(period.person_id, 86, 1, PARTNERS.drm_salary_coverage)
        and not late_by(period.person_id, period.month_from, 86, "drm")
    }
    assert left_out
    indus = Adjustment.objects.filter(
        kind=AdjustmentKind.OVERPAYMENT,
        benefit__in=["rsa", "ppa"],
        household_id__in=left_out,
        month__gte=dt.date(2021, 4, 1),
        pk__in=ControlAdjustment.objects.filter(control__kind=ControlKind.AUTOMATED).values(
            "adjustment_id"
        ),
    )
    assert indus.exists()


def test_a_rental_left_and_declared_late_is_found_by_an_on_site_control_as_an_indu(simulated):
    """Before the late declaration, the Caf keeps paying the housing aid on the rental; a control
    on site after May's cycle sees the household housed free of charge and the engine recomputes
    the months paid since into an indu of the aide au logement, linked to the control."""
    housing_aid = set(
        Claim.objects.filter(benefit="aide_logement", start_month__lt=FIRST)
        .filter(Q(end_month__isnull=True) | Q(end_month__gt=dt.date(2021, 12, 1)))
        .values_list("household_id", flat=True)
    )
    declared_after_may = dt.datetime(2021, 6, 1, tzinfo=clock.PARIS)
    left = next(
        period
        for period in _housing(Change.LEAVES_RENTAL)
        .filter(behaviour=Behaviour.LATE, month_from__lt=MAY, declared_at__gte=declared_after_may)
        .order_by("month_from", "id")
        if period.household_id in housing_aid
    )
    user = controller()
    with clock.frozen(cut_off(MAY) + dt.timedelta(days=1)):
        control = control_open(
            household=left.household,
            kind=ControlKind.ON_SITE,
            origin=ControlOrigin.TARGETING,
            acting_user=user,
            reason="test",
            month=MAY,
            controller=user,
        )
        controls_settle_from_truth([control], MAY, user)
    established = Fact.objects.get(
        source=FactSource.CONTROL, household=left.household, kind="housing_status"
    )
    assert (established.valid_from, established.code) == (left.month_from, changes.HOSTED_FREE)
    indus = Adjustment.objects.filter(
        kind=AdjustmentKind.OVERPAYMENT,
        benefit="aide_logement",
        household=left.household,
        pk__in=ControlAdjustment.objects.filter(control=control).values("adjustment_id"),
    )
    assert {i.month for i in indus} == {m for m in MONTHS if m >= left.month_from}

"""The twin's partner files carry late lines: a payroll line for a month payments already read
reaches the Caf months later, and its automated control settles an indu through the real
services (exchanges import, automated control, engine) once the RSA quarter that reads it is
paid."""

import dataclasses
import datetime as dt
from decimal import Decimal

from justedroit.controls.models import Control, ControlOutcome
from justedroit.controls.services import automated_controls_run
from justedroit.core import clock
from justedroit.entitlements.models import Adjustment, AdjustmentKind
from justedroit.entitlements.services import month_run
from justedroit.exchanges.services import exchange_inbox_import
from justedroit.registry.models import Fact, FactSource
from justedroit.twin.simulate import partners
from justedroit.twin.truth.models import Behaviour, Change, Origin, TrueKind, TruePeriod
from tests.controls.conftest import CONTROL_DAY, EXCHANGE_DAY, JULY

HIDDEN_FROM = dt.date(2022, 2, 1)
AUGUST = dt.date(2022, 8, 1)


def test_a_late_payroll_line_on_paid_months_yields_an_indu(paid_household, monkeypatch, tmp_path):
    # The truth: a salary from February the household never declared (paid RSA on no income).
    TruePeriod.objects.create(
        household=paid_household,
        person=paid_household.claimant,
        kind=TrueKind.SALARY,
        month_from=HIDDEN_FROM,
        amount=Decimal("1400.00"),
        origin=Origin.CHANGE,
        change=Change.NEW_JOB,
        behaviour=Behaviour.NEVER,
    )
    # Every line a month late: July's file carries no June line, only May's. Every salary is
    # declared: coverage is drawn from the person's key, which on PostgreSQL depends on what the
    # earlier tests of the worker created (sequences are not rolled back), and 3 % of the keys
    # would leave the DRM file empty (refused whole).
    monkeypatch.setattr(
        partners,
        "P",
        dataclasses.replace(
            partners.P, drm_late_share=1.0, drm_late_months=1, drm_salary_coverage=1.0
        ),
    )
    person = paid_household.claimant.pk
    late = {
        month: partners.late_by(person, month, 86, "drm")
        for month in (dt.date(2022, m, 1) for m in range(2, 7))
    }
    arriving = sorted(m for m, d in late.items() if clock.add_months(m, 1 + d) == JULY)
    assert arriving == [dt.date(2022, 5, 1)] and set(late.values()) == {1}
    with clock.frozen(EXCHANGE_DAY):
        partners.partner_files_write(month=JULY, inbox=tmp_path, seed=86, scale=0.01)
        counts = exchange_inbox_import(month=JULY, inbox=tmp_path, acting_user=None)
    assert counts.get("files") == 1 and counts["rows_refused"] == 0, counts
    exchanged = Fact.objects.filter(source=FactSource.PARTNER_EXCHANGE, person_id=person)
    assert sorted(exchanged.values_list("valid_from", flat=True)) == arriving
    # May is read by the RSA quarter July–September (reference April–June), not paid yet: July's
    # automated controls leave it; July is paid on the declaration (docs/controles.md).
    with clock.frozen(CONTROL_DAY):
        assert automated_controls_run(month=JULY, acting_user=None)["households"] == 0
    with clock.frozen(dt.datetime(2022, 7, 26, 9)):
        month_run(month=JULY, wet=True, workers=1, household_ids=[paid_household.pk])
    # August's automated control compares the line with the paid quarter: an indu, computed by
    # the engine over the months already paid, linked to the control.
    with clock.frozen(dt.datetime(2022, 8, 25, 19)):
        run = automated_controls_run(month=AUGUST, acting_user=None)
    assert run["settled"] == 1 and Decimal(run["overpayment"]) > 0
    control = Control.objects.get(household=paid_household)
    assert control.outcome == ControlOutcome.OVERPAYMENT
    adjustments = Adjustment.objects.filter(household=paid_household)
    assert set(control.adjustments.all()) == set(adjustments)
    assert {a.month for a in adjustments if a.kind == AdjustmentKind.OVERPAYMENT} == {JULY}
    assert control.overpayment == Decimal(run["overpayment"])

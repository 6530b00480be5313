"""Automated controls: partner data compared with the facts paid on, within or above the
tolerance; settled into rappels and indus linked to the control, or referred to a control on
documents; once per household and month."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from justedroit.controls.models import (
    Control,
    ControlAdjustment,
    ControlEvent,
    ControlKind,
    ControlOutcome,
    ControlStatus,
    DocumentRequest,
    EventKind,
)
from justedroit.controls.parameters import above_tolerance
from justedroit.controls.services import automated_controls_run
from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.entitlements.models import Adjustment, AdjustmentKind, Payment
from justedroit.registry.models import Fact, FactSource
from tests.controls.conftest import CONTROL_DAY, JULY, exchange

pytestmark = pytest.mark.django_db


def run(month=JULY, at=CONTROL_DAY):
    with clock.frozen(at):
        return automated_controls_run(month=month, acting_user=None)


def test_the_tolerance_needs_both_ten_percent_and_fifty_euros():
    assert not above_tolerance(Decimal("1000"), Decimal("1090"))  # 90 € but 8.3 %
    assert not above_tolerance(Decimal("100"), Decimal("140"))  # 29 % but 40 €
    assert above_tolerance(Decimal("1000"), Decimal("1120"))
    assert above_tolerance(Decimal("0"), Decimal("50"))
    assert above_tolerance(Decimal("600"), Decimal("0"))


def test_partner_data_within_tolerance_is_a_control_without_incidence(paid_household):
    # 40 € a month that nobody declared: below the 50 € threshold.
    exchange(paid_household, paid_household.claimant, "40")
    counts = run()
    assert counts["households"] == counts["no_change"] == 1
    control = Control.objects.get()
    assert (control.kind, control.outcome, control.status) == (
        ControlKind.AUTOMATED,
        ControlOutcome.NO_CHANGE,
        ControlStatus.CLOSED,
    )
    assert control.impact == 0 and not Fact.objects.filter(source=FactSource.CONTROL).exists()
    assert [e.kind for e in control.events.all()] == [EventKind.OPENED, EventKind.CLOSED]
    assert AuditEvent.objects.filter(households__number=paid_household.number).exists()
    # The same month again: nothing more. August compares April–June, the reference quarter of
    # the RSA paid from July (still within the tolerance); September has nothing new.
    assert run()["households"] == 0
    assert run(month=dt.date(2022, 8, 1), at=dt.datetime(2022, 8, 26, 6))["no_change"] == 1
    assert run(month=dt.date(2022, 9, 1), at=dt.datetime(2022, 9, 26, 6))["households"] == 0
    assert Control.objects.count() == 2


def test_an_unambiguous_discrepancy_is_settled_into_an_indu_linked_to_the_control(paid_household):
    paid = sum(Payment.objects.filter(household=paid_household).values_list("amount", flat=True))
    assert paid > 0
    exchange(paid_household, paid_household.claimant, "1500")
    counts = run()
    assert counts["settled"] == 1 and counts["no_change"] == 0
    control = Control.objects.get()
    assert control.outcome == ControlOutcome.OVERPAYMENT and control.status == ControlStatus.CLOSED
    # The partner's amount is established by the control for March, the last month of the
    # reference quarter of April–June, the quarter paid last (April–June wait for the quarter
    # that reads them to be paid: docs/controles.md).
    (fact,) = control.facts.all()
    assert (fact.source, fact.amount, fact.valid_from, fact.valid_until) == (
        FactSource.CONTROL,
        Decimal("1500.00"),
        dt.date(2022, 3, 1),
        dt.date(2022, 4, 1),
    )
    # The € impact is what the engine recomputed: the Adjustments created, all linked.
    adjustments = list(Adjustment.objects.filter(household=paid_household))
    assert adjustments and set(control.adjustments.all()) == set(adjustments)
    assert control.overpayment == sum(
        a.amount for a in adjustments if a.kind == AdjustmentKind.OVERPAYMENT
    )
    assert control.overpayment > 0 and control.arrears == 0
    # The indu is the quarter April–June, the same each month (the quarterly right).
    assert sorted(a.month for a in adjustments) == [dt.date(2022, m, 1) for m in (4, 5, 6)]
    assert len({a.amount for a in adjustments}) == 1
    assert all(f"contrôle n° {control.pk}" in a.reason for a in adjustments)
    kinds = [e.kind for e in control.events.all()]
    assert kinds == [EventKind.OPENED, EventKind.DISCREPANCY, EventKind.CLOSED]
    # Rerunning the month settles nothing twice.
    assert run()["households"] == 0
    assert Adjustment.objects.count() == len(adjustments)


def test_conflicting_partner_amounts_open_a_control_on_documents(paid_household):
    person = paid_household.claimant
    exchange(paid_household, person, "1500")
    exchange(paid_household, person, "900", at=dt.datetime(2022, 7, 12, 9))
    counts = run()
    assert counts["referred"] == 1
    automated = Control.objects.get(kind=ControlKind.AUTOMATED)
    documents = Control.objects.get(kind=ControlKind.DOCUMENTS)
    assert automated.outcome == ControlOutcome.REFERRED and automated.impact == 0
    assert documents.status == ControlStatus.DOCUMENTS_REQUESTED
    request = DocumentRequest.objects.get(control=documents)
    assert request.documents == ["payslip"] and request.deadline == dt.date(2022, 8, 25)
    discrepancy = documents.events.get(kind=EventKind.DISCREPANCY)
    assert discrepancy.detail["from_control"] == automated.pk
    assert "différents" in discrepancy.detail["discrepancies"][0]["ambiguous"]
    # Nothing was settled: no control fact, no rappel or indu.
    assert not Fact.objects.filter(source=FactSource.CONTROL).exists()
    assert not Adjustment.objects.exists()


def test_the_database_keeps_one_automated_control_per_household_and_month(paid_household):
    exchange(paid_household, paid_household.claimant, "40")
    run()
    control = Control.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Control.objects.create(
            household=paid_household,
            kind=ControlKind.AUTOMATED,
            origin=control.origin,
            status=ControlStatus.OPEN,
            month=JULY,
            opened_at=clock.now(),
        )


@pytest.mark.parametrize(
    "table",
    ["controls_controlevent", "controls_controladjustment", "controls_controlfact"],
)
def test_the_control_history_and_its_links_refuse_raw_changes(paid_household, table):
    exchange(paid_household, paid_household.claimant, "1500")
    run()
    assert ControlEvent.objects.exists() and ControlAdjustment.objects.exists()
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)

"""The Caf's month as one command: steps in order, journaled, each idempotent; a cycle stopped
half-way and run again pays and settles exactly what an uninterrupted cycle does."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Sum

from justedroit.channels.services.documents import document_upload
from justedroit.controls.models import ControlKind, ControlOrigin
from justedroit.controls.services import control_open, document_receive, document_request_send
from justedroit.core import clock
from justedroit.cycle.models import CycleStep, StepStatus
from justedroit.cycle.services import STEPS, cut_off, cycle_month_run
from justedroit.entitlements.models import Adjustment, AdjustmentKind, Entitlement, Payment
from justedroit.registry.models import Claim, Household
from justedroit.registry.services import fact_record
from tests.controls.conftest import rsa_households
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
MAY, JUNE = dt.date(2022, 5, 1), dt.date(2022, 6, 1)


def test_the_cut_off_is_the_25th_at_20h_paris():
    assert cut_off(JUNE).isoformat() == "2022-06-25T20:00:00+02:00"


def test_the_command_is_dry_unless_wet_and_shows_each_step(tmp_path, settings, capsys):
    settings.JUSTEDROIT_EXCHANGE_INBOX = tmp_path / "inbox"
    rsa_households(2)
    call_command("cycle", "run", "--month", "2022-05")
    out = capsys.readouterr().out
    assert "2022-05 payment : Paiement du mois" in out and "terminé" in out
    assert not CycleStep.objects.exists() and not Payment.objects.exists()
    call_command("cycle", "run", "--from", "2022-05", "--to", "2022-05", "--wet-run")
    assert CycleStep.objects.filter(status=StepStatus.DONE).count() == len(STEPS)
    assert Payment.objects.filter(month=MAY).count() == 2  # what the dry run did not pay
    call_command("cycle", "run", "--month", "2022-05", "--wet-run")
    assert "déjà fait, passé" in capsys.readouterr().out


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JULY, AUGUST = dt.date(2022, 7, 1), dt.date(2022, 8, 1)


def _cycle_at(month, tmp_path):
    """The month's cycle, run an hour before its cut-off, as an operator would."""
    with clock.frozen(cut_off(month) - dt.timedelta(hours=1)):
        cycle_month_run(month=month, acting_user=None, inbox=tmp_path / "empty")


def test_a_suspended_payment_is_withheld_then_paid_as_a_rappel_once_documents_arrive(
    tmp_path, settings
):
    settings.CHANNELS_DOCUMENT_DIR = tmp_path / "documents"
    settings.CHANNELS_CLAMAV_SOCKET, settings.CHANNELS_VIRUS_SCANNER = "", "noop"
    rsa_households(2)  # one to suspend, one paid as usual
    _cycle_at(JUNE, tmp_path)
    household = Household.objects.get(pk=Payment.objects.filter(month=JUNE).first().household_id)
    with clock.frozen(dt.datetime(2022, 7, 1, 9)):
        control = control_open(
            household=household,
            kind=ControlKind.DOCUMENTS,
            origin=ControlOrigin.AGENT,
            acting_user=None,
            reason="signalement",
        )
        request = document_request_send(
            control=control,
            documents=["payslip"],
            message="",
            deadline=dt.date(2022, 7, 10),
            acting_user=None,
        )

    _cycle_at(JULY, tmp_path)  # its deadlines step suspends; its payment withholds July
    due = Entitlement.objects.filter(household=household, month=JULY).aggregate(s=Sum("due"))["s"]
    assert due > 0 and not Payment.objects.filter(household=household, month=JULY).exists()
    assert Payment.objects.filter(month=JULY).exclude(household=household).exists()

    with clock.frozen(dt.datetime(2022, 8, 10, 9)):
        document = document_upload(
            household=household, kind="payslip", filename="b.pdf", content=PDF, acting_user=None
        )
        document_receive(request=request, document=document, acting_user=None)
    _cycle_at(AUGUST, tmp_path)  # suspension lifted: July is paid as a rappel, August as usual
    rappels = Adjustment.objects.filter(household=household, month=JULY)
    assert {a.kind for a in rappels} == {AdjustmentKind.ARREARS}
    assert sum(a.amount for a in rappels) == due
    assert Payment.objects.filter(household=household, month=AUGUST).exists()
    _cycle_at(dt.date(2022, 9, 1), tmp_path)  # settled once: nothing more for July
    assert Adjustment.objects.filter(household=household, month=JULY).count() == rappels.count()


def test_a_claim_that_waited_for_its_housing_declaration_gets_its_first_month_as_a_rappel(
    tmp_path,
):
    """June's payment run leaves the claim waiting (no housing declared at the cut-off); the
    declaration comes on 27 June; July's cycle pays July and June (as a rappel), once."""
    household = HouseholdFactory(number="0000003")
    Claim.objects.create(
        household=household,
        benefit="rsa",
        start_month=JUNE,
        status="granted",
        recorded_at=clock.now(),
    )
    claimant = household.memberships.get().person

    def declare(kind, code, at, person=None):
        with clock.frozen(at):
            fact_record(
                household=household,
                person=person,
                kind=kind,
                valid_from=JUNE,
                valid_until=None,
                source="declaration",
                acting_user=None,
                code=code,
            )

    declare("housing_commune", "86194", dt.datetime(2022, 6, 2, 9))
    declare("activity", "inactive", dt.datetime(2022, 6, 2, 9), person=claimant)
    _cycle_at(JUNE, tmp_path)
    assert not Entitlement.objects.filter(household=household).exists()
    declare("housing_status", "hosted_free", dt.datetime(2022, 6, 27, 9))
    _cycle_at(JULY, tmp_path)
    july = Payment.objects.get(household=household, month=JULY, benefit="rsa").amount
    rappel = Adjustment.objects.get(household=household, month=JUNE)
    assert (rappel.kind, rappel.benefit, rappel.amount) == (AdjustmentKind.ARREARS, "rsa", july)
    _cycle_at(AUGUST, tmp_path)  # settled once
    assert Adjustment.objects.filter(household=household).count() == 1

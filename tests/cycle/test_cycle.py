"""The Caf's month as one command: steps in order, journaled, each idempotent; a cycle stopped
half-way and run again pays and settles exactly what an uninterrupted cycle does."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from justedroit.channels.services.documents import document_upload
from justedroit.controls.models import ControlKind, ControlOrigin
from justedroit.controls.services import control_open, document_receive, document_request_send
from justedroit.core import clock
from justedroit.core.models import ImportJournal
from justedroit.cycle.models import AdjustmentLetter, CycleStep, StepStatus
from justedroit.cycle.services import STEPS, Step, cut_off, cycle_month_run
from justedroit.entitlements.models import Adjustment, AdjustmentKind, Entitlement, Payment, Run
from justedroit.entitlements.services import month_run
from justedroit.registry.models import Fact, FactSource, Household, Membership

pytestmark = pytest.mark.django_db
MAY, JUNE = dt.date(2022, 5, 1), dt.date(2022, 6, 1)


class Stopped(Exception):
    """Stands for the process dying between two steps."""


def _stop(context):
    raise Stopped


def _inbox(tmp_path) -> "Path":  # noqa: F821
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
    folder = tmp_path / "inbox" / "2022-06"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "drm.csv").write_text("nir;mois;siret;nature;montant_net\n" + "\n".join(rows) + "\n")
    return tmp_path / "inbox"


def _outcome():
    return (
        sorted(Payment.objects.values_list("household_id", "benefit", "month", "amount")),
        sorted(
            Adjustment.objects.values_list("household_id", "benefit", "month", "kind", "amount")
        ),
        sorted(AdjustmentLetter.objects.values_list("household_id", "month", "channel")),
    )


def test_the_cut_off_is_the_25th_at_20h_paris():
    assert cut_off(JUNE).isoformat() == "2022-06-25T20:00:00+02:00"


def test_a_cycle_stopped_between_steps_then_run_again_equals_an_uninterrupted_one(
    small_twin, tmp_path
):
    with clock.frozen(dt.datetime(2022, 12, 31, 9)):  # May is paid before June's file arrives
        cycle_month_run(month=MAY, acting_user=None, inbox=tmp_path / "empty")
    inbox = _inbox(tmp_path)
    with transaction.atomic():
        cycle_month_run(month=JUNE, acting_user=None, inbox=inbox)
        uninterrupted = _outcome()
        transaction.set_rollback(True)

    stopping = [*STEPS[:2], Step("stop", "arrêt brutal", _stop), *STEPS[2:]]
    with pytest.raises(Stopped):
        cycle_month_run(month=JUNE, acting_user=None, inbox=inbox, steps=stopping)
    assert CycleStep.objects.get(month=JUNE, step="stop").status == StepStatus.INTERRUPTED
    assert not Payment.objects.filter(month=JUNE).exists()
    journal = cycle_month_run(month=JUNE, acting_user=None, inbox=inbox)
    assert _outcome() == uninterrupted
    payments, adjustments, letters = uninterrupted
    assert adjustments and letters and any(month == JUNE for _, _, month, _ in payments)
    # The steps done before the stop were not run again; nothing was imported twice.
    done = {row.step: row for row in journal}
    assert [row.step for row in journal] == [step.name for step in STEPS]
    assert done["exchanges"].attempts == done["recompute"].attempts == 1
    assert done["exchanges"].counts["facts"] == 8
    assert ImportJournal.objects.filter(kind="echange_drm").count() == 1
    assert Run.objects.get(month=JUNE, wet=True).as_of == cut_off(JUNE)
    # A whole rerun does nothing more.
    cycle_month_run(month=JUNE, acting_user=None, inbox=inbox)
    assert _outcome() == uninterrupted
    # The salaries nobody declared were settled by the automated controls (control facts taking
    # the partner's amount), each household with a rappel or an indu got this cycle's letter.
    settled = Adjustment.objects.filter(controladjustment__control__month=JUNE)
    assert settled.exists()
    assert settled.filter(causes__source=FactSource.CONTROL).count() == settled.count()
    assert set(Adjustment.objects.values_list("household_id", flat=True)) == set(
        AdjustmentLetter.objects.filter(month=JUNE).values_list("household_id", flat=True)
    )


def test_a_step_killed_inside_is_run_again_from_its_start(small_twin, tmp_path):
    with clock.frozen(dt.datetime(2022, 12, 31, 9)):  # May is paid before June's file arrives
        cycle_month_run(month=MAY, acting_user=None, inbox=tmp_path / "empty")
    inbox = _inbox(tmp_path)
    with transaction.atomic():
        cycle_month_run(month=JUNE, acting_user=None, inbox=inbox)
        uninterrupted = _outcome()
        transaction.set_rollback(True)
    # A process killed in the middle of the payment step leaves it `started`, half paid.
    cycle_month_run(month=JUNE, acting_user=None, inbox=inbox, steps=STEPS[:2])
    some = sorted(Payment.objects.filter(month=MAY).values_list("household_id", flat=True))[:50]
    month_run(month=JUNE, as_of=cut_off(JUNE), wet=True, household_ids=some)
    CycleStep.objects.create(
        month=JUNE, step="payment", status=StepStatus.STARTED, started_at=cut_off(JUNE)
    )
    cycle_month_run(month=JUNE, acting_user=None, inbox=inbox)
    assert _outcome() == uninterrupted
    assert CycleStep.objects.get(month=JUNE, step="payment").attempts == 1


def test_the_command_is_dry_unless_wet_and_shows_each_step(small_twin, tmp_path, settings, capsys):
    settings.JUSTEDROIT_EXCHANGE_INBOX = tmp_path / "inbox"
    call_command("cycle", "run", "--month", "2022-05")
    out = capsys.readouterr().out
    assert "2022-05 payment : Paiement du mois" in out and "terminé" in out
    assert not CycleStep.objects.exists() and not Payment.objects.exists()
    call_command("cycle", "run", "--from", "2022-05", "--to", "2022-05", "--wet-run")
    assert CycleStep.objects.filter(status=StepStatus.DONE).count() == len(STEPS)
    call_command("cycle", "run", "--month", "2022-05", "--wet-run")
    assert "déjà fait, passé" in capsys.readouterr().out


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JULY, AUGUST = dt.date(2022, 7, 1), dt.date(2022, 8, 1)


def _cycle_at(month, tmp_path):
    """The month's cycle, run an hour before its cut-off, as an operator would."""
    with clock.frozen(cut_off(month) - dt.timedelta(hours=1)):
        cycle_month_run(month=month, acting_user=None, inbox=tmp_path / "empty")


def test_a_suspended_payment_is_withheld_then_paid_as_a_rappel_once_documents_arrive(
    small_twin, tmp_path, settings
):
    settings.CHANNELS_DOCUMENT_DIR = tmp_path / "documents"
    settings.CHANNELS_CLAMAV_SOCKET, settings.CHANNELS_VIRUS_SCANNER = "", "noop"
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

"""Prevention letters (lettres de mise en garde): a documented rule, a batch through the sending
queue, counted, idempotent; dry unless --wet-run."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from justedroit.controls.models import (
    Control,
    ControlKind,
    ControlOrigin,
    ControlOutcome,
    ControlStatus,
)
from justedroit.controls.services import control_open
from justedroit.core import clock
from justedroit.core.sending import DeliveryStatus
from justedroit.entitlements.models import AdjustmentCause
from justedroit.fraud import indicators, selectors, services
from justedroit.fraud.models import PreventionLetter, PreventionRule
from justedroit.registry.models import FactSource
from tests.controls.conftest import exchange, paid_households, record
from tests.indicator_series import assert_counts
from tests.recovery.helpers import indu
from tests.task_queue import run_ready_tasks

pytestmark = pytest.mark.django_db
JUNE = dt.date(2022, 6, 1)


def test_new_job_on_rsa_rule_names_households_with_an_undeclared_partner_salary(paid_household):
    assert services.prevention_targets(JUNE) == []
    exchange(paid_household, paid_household.claimant, "900")
    (target,) = services.prevention_targets(JUNE)
    assert (target.household_id, target.rule) == (paid_household.id, PreventionRule.NEW_JOB_ON_RSA)
    with clock.frozen(dt.datetime(2022, 7, 11, 9)):
        record(
            paid_household,
            "salary",
            person=paid_household.claimant,
            valid_from=dt.date(2022, 3, 1),
            amount=Decimal("900"),
            source=FactSource.DECLARATION,
        )
    assert services.prevention_targets(JUNE) == []  # declared: nothing to warn about


def test_the_command_is_dry_unless_wet_and_letters_are_sent_counted_once(
    paid_household, capsys, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.JUSTEDROIT_PRINT_DIR = tmp_path
    exchange(paid_household, paid_household.claimant, "900")
    with clock.frozen(dt.datetime(2022, 7, 12, 9)):
        call_command("fraud", "prevention-letters", "--month", "2022-06")
        assert "rien n'est écrit" in capsys.readouterr().out
        assert not PreventionLetter.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("fraud", "prevention-letters", "--month", "2022-06", "--wet-run")
        assert "1 lettre(s)" in capsys.readouterr().out
        assert run_ready_tasks() == 1
        call_command("fraud", "prevention-letters", "--month", "2022-06", "--wet-run")
        assert "0 lettre(s)" in capsys.readouterr().out
        # Not warned again within 12 months.
        assert services.prevention_targets(dt.date(2022, 7, 1)) == []
    letter = PreventionLetter.objects.get()
    assert "déclarer" in letter.text and "L123-1" in letter.text
    assert letter.status == DeliveryStatus.SENT
    printed = tmp_path / "mises-en-garde" / "2022-06" / f"{paid_household.number}.txt"
    assert printed.read_text(encoding="utf-8") == letter.text
    assert selectors.prevention_letters(2022).count() == 1
    assert indicators.prevention_letters(2022) == 1
    assert_counts("fraud_prevention_letters", 2022, {7: 1})  # written on 12 July
    assert mail.outbox == []


def test_a_batch_within_the_caf_capacity_writes_the_first_targets_and_keeps_the_others():
    households = paid_households(3)
    for household in households:
        exchange(household, household.claimant, "900")
    with clock.frozen(dt.datetime(2022, 7, 12, 9)):
        with pytest.raises(ValidationError, match="négatif"):
            services.prevention_letters_send(month=JUNE, acting_user=None, at_most=-1)
        assert not PreventionLetter.objects.exists()
        counts = services.prevention_letters_send(month=JUNE, acting_user=None, at_most=2)
        assert (counts["targets"], counts["letters"]) == (3, 2)
        warned = set(PreventionLetter.objects.values_list("household_id", flat=True))
        assert warned == {households[0].id, households[1].id}
        # The third stays a target for the next batch.
        (left,) = services.prevention_targets(JUNE)
        assert left.household_id == households[2].id


def _automated_indu(household, month):
    """An automated control of `month`'s cycle that settled an indu (below the referral
    threshold: a person's control would have been opened otherwise)."""
    control = control_open(
        household=household,
        kind=ControlKind.AUTOMATED,
        origin=ControlOrigin.EXCHANGE,
        acting_user=None,
        month=month,
    )
    Control.objects.filter(pk=control.pk).update(
        status=ControlStatus.CLOSED, outcome=ControlOutcome.OVERPAYMENT, closed_at=clock.now()
    )


def _late_declaration_indu(household, at):
    """An indu computed at `at` that a declaration made after the months were paid caused."""
    with clock.frozen(at):
        declared = record(
            household,
            "salary",
            person=household.claimant,
            valid_from=dt.date(2022, 3, 1),
            amount=Decimal("400"),
            source=FactSource.DECLARATION,
        )
        AdjustmentCause.objects.create(
            adjustment=indu(household, "rsa", dt.date(2022, 4, 1), "150.00"), fact=declared
        )


def test_more_rules_name_households_each_once_in_the_rules_order_within_capacity():
    """Hypotheses of the Caf's prevention plan (docs/fraude.md): a late declaration within 12
    months of an automated indu (a repeat, an element of intent); an automated control that
    settled a declared resource a partner contradicts, below the referral threshold; a
    household is named once, by its first rule, and the capacity takes the rules in order."""
    job, repeat, below, both, first_time = paid_households(5)
    exchange(job, job.claimant, "900")
    _automated_indu(repeat, dt.date(2022, 3, 1))
    _late_declaration_indu(repeat, dt.datetime(2022, 6, 10, 9))
    _late_declaration_indu(first_time, dt.datetime(2022, 6, 10, 9))  # no earlier automated indu
    _automated_indu(below, JUNE)
    _automated_indu(both, dt.date(2022, 2, 1))
    _late_declaration_indu(both, dt.datetime(2022, 6, 12, 9))
    _automated_indu(both, JUNE)
    assert [(t.household_id, t.rule) for t in services.prevention_targets(JUNE)] == [
        (job.id, PreventionRule.NEW_JOB_ON_RSA),
        *sorted(
            [(repeat.id, PreventionRule.LATE_AFTER_INDU), (both.id, PreventionRule.LATE_AFTER_INDU)]
        ),
        (below.id, PreventionRule.BELOW_REFERRAL),
    ]
    with clock.frozen(dt.datetime(2022, 7, 12, 9)):
        counts = services.prevention_letters_send(month=JUNE, acting_user=None, at_most=3)
    assert (counts["targets"], counts["letters"]) == (4, 3)
    letters = dict(PreventionLetter.objects.values_list("household_id", "rule"))
    assert below.id not in letters and letters[job.id] == PreventionRule.NEW_JOB_ON_RSA
    assert (
        "trop-perçu avait déjà été constaté" in PreventionLetter.objects.get(household=repeat).text
    )

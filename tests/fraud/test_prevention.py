"""Prevention letters (lettres de mise en garde): a documented rule, a batch through the sending
queue, counted, idempotent; dry unless --wet-run."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from justedroit.core import clock
from justedroit.core.sending import DeliveryStatus
from justedroit.fraud import indicators, selectors, services
from justedroit.fraud.models import PreventionLetter, PreventionRule
from justedroit.registry.models import FactSource
from tests.controls.conftest import exchange, paid_households, record
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
    assert selectors.prevention_letters(2022) == 1
    assert indicators.prevention_letters(2022) == 1
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

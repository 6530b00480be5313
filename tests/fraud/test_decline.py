"""The fraud team may decide, with a reason, not to open a file on a control closed on a
suspected fraud: the control leaves its list, no file opens on it any more, and its indus stop
waiting for a qualification — the next cycle notifies them as ordinary debts of the control's
kind, instead of three months later (fraud.parameters.file_wait)."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.cycle.services import STEPS, cycle_month_run
from justedroit.fraud import selectors
from justedroit.fraud.models import FileDeclined, FraudFile
from justedroit.fraud.services import fraud_file_decline, fraud_file_open
from justedroit.recovery.models import Debt, DebtOrigin
from tests.channels.conftest import fuzz_examples
from tests.hostile_posts import field, post_hostile

pytestmark = pytest.mark.django_db
OCTOBER = dt.date(2022, 10, 1)
REASON = "Omission isolée, intention non établie ; l'indu suffit."
DEBTS = [next(step for step in STEPS if step.name == "debts")]


def _decline(control, user, reason=REASON):
    with clock.frozen(dt.datetime(2022, 8, 2, 9)):
        return fraud_file_decline(control=control, reason=reason, acting_user=user)


def _open_file(control, user):
    return fraud_file_open(
        household=control.household,
        control=control,
        facts="Salaire non déclaré.",
        first_month=dt.date(2022, 3, 1),
        last_month=dt.date(2022, 6, 1),
        acting_user=user,
    )


def _debts_step(month):
    """The cycle's debts step on the evening of the 25th."""
    with clock.frozen(dt.datetime(month.year, month.month, 25, 19, tzinfo=clock.PARIS)):
        (row,) = cycle_month_run(
            month=month, acting_user=None, inbox=Path("/nonexistent"), steps=DEBTS
        )
    return row


def test_a_declined_suspicion_lets_its_indus_go_at_the_next_cycle(fraud_control, controller):
    """In October the three months' wait is not over; declined, the control's indus become one
    ordinary debt of a documents control, not a fraud debt."""
    indus = set(fraud_control.adjustments.filter(kind="overpayment"))
    assert indus
    _decline(fraud_control, controller)
    row = _debts_step(OCTOBER)
    assert (row.counts["waiting_qualification"], row.counts["debts"]) == (0, 1)
    (debt,) = Debt.objects.all()
    assert (debt.origin, debt.fraud) == (DebtOrigin.CONTROL_DOCUMENTS, False)
    assert {link.adjustment for link in debt.indus.all()} == indus


def test_a_declined_control_leaves_the_list_and_no_file_opens_on_it(fraud_control, controller):
    assert list(selectors.controls_awaiting_file()) == [fraud_control]
    _decline(fraud_control, controller)
    assert not selectors.controls_awaiting_file().exists()
    with pytest.raises(ValidationError, match="ne pas ouvrir de dossier"):
        _open_file(fraud_control, controller)
    with pytest.raises(ValidationError, match="ne pas ouvrir de dossier"):
        _decline(fraud_control, controller, reason="Une seconde fois.")
    assert (FraudFile.objects.count(), FileDeclined.objects.count()) == (0, 1)


def test_a_control_with_a_file_cannot_be_declined(fraud_control, controller):
    with clock.frozen(dt.datetime(2022, 8, 1, 9)):
        _open_file(fraud_control, controller)
    with pytest.raises(ValidationError, match="déjà ouvert"):
        _decline(fraud_control, controller)
    assert not FileDeclined.objects.exists()


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.CASE_WORKER])
def test_only_a_controller_declines_and_with_a_reason(fraud_control, controller, make_user, role):
    audited = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="Seul un contrôleur"):
        _decline(fraud_control, make_user(role))
    with pytest.raises(ValidationError, match="Motivez"):
        _decline(fraud_control, controller, reason="  \n")
    assert not FileDeclined.objects.exists()
    assert AuditEvent.objects.count() == audited


def test_the_decision_is_audited_with_its_control(fraud_control, controller):
    declined = _decline(fraud_control, controller)
    event = AuditEvent.objects.get(object_id=str(declined.pk), reason__contains="pas de dossier")
    assert (event.actor, event.detail["control"]) == (controller, fraud_control.pk)


def test_the_database_keeps_one_decision_per_control_with_its_reason(fraud_control, controller):
    _decline(fraud_control, controller)
    for reason in ("Encore.", ""):
        with pytest.raises(IntegrityError), transaction.atomic():
            FileDeclined.objects.bulk_create(
                [
                    FileDeclined(
                        control=fraud_control,
                        decided_at=clock.now(),
                        decided_by=controller,
                        reason=reason,
                    )
                ]
            )


def test_the_worklist_declines_and_refuses_in_french(client, fraud_control, controller):
    client.force_login(controller)
    url = reverse("fraud:worklist")
    unknown = {"decline": "1", "declined_control": fraud_control.pk + 99, "reason": REASON}
    for data, said in (
        (unknown, "Aucun contrôle en attente de dossier de fraude sous ce n°."),
        (unknown | {"declined_control": fraud_control.pk, "reason": ""}, "obligatoire"),
    ):
        refused = client.post(url, data)
        assert refused.status_code == 400 and said in refused.content.decode()
    assert not FileDeclined.objects.exists()
    with clock.frozen(dt.datetime(2022, 8, 2, 9)):
        done = client.post(
            url, {"decline": "1", "declined_control": fraud_control.pk, "reason": REASON}
        )
    assert done.status_code == 302
    assert FileDeclined.objects.get().control == fraud_control
    page = client.get(url).content.decode()
    assert f"<td>{fraud_control.pk}</td>" not in page


def test_the_decline_form_never_fails_on_hostile_input(client, fraud_control, controller):
    client.force_login(controller)
    url = reverse("fraud:worklist")

    @settings(max_examples=fuzz_examples(25), suppress_health_check=list(HealthCheck))
    @given(
        declined_control=field(str(fraud_control.pk), str(fraud_control.pk + 1), "0"),
        reason=field(REASON, " ", "x" * 5000),
    )
    def post(**data):
        with clock.frozen(dt.datetime(2022, 8, 2, 9)):
            post_hostile(client, url, {"decline": "1", **data})

    post()

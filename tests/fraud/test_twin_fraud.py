"""The twin's fight against fraud: its controllers suspect a fraud only where the household hid a
change deliberately, the fraud team opens a file only from such a control and takes it through
the domain's procedure on its deadlines, with a named person's qualification; the prevention
letters stay within the Caf's capacity."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from justedroit.controls.models import ControlKind, ControlOrigin, ControlOutcome
from justedroit.controls.services import Established, control_open
from justedroit.core import clock
from justedroit.fraud import parameters as fraud_parameters
from justedroit.fraud.models import (
    Complaint,
    FraudEventKind,
    FraudFile,
    FraudOutcome,
    FraudStatus,
    IntentElement,
    Qualification,
)
from justedroit.registry.models import FactKind
from justedroit.twin.simulate import controls as twin_controls
from justedroit.twin.simulate import fraud as twin_fraud
from justedroit.twin.simulate.controls import controller, controls_settle_from_truth
from justedroit.twin.simulate.fraud import suspicion, team
from justedroit.twin.simulate.fraud.parameters import PARAMETERS
from justedroit.twin.truth.models import Behaviour, Change, Origin, TrueKind, TruePeriod
from tests.controls.conftest import paid_households

pytestmark = pytest.mark.django_db
MARCH, JUNE = dt.date(2022, 3, 1), dt.date(2022, 6, 1)
TICK = dt.timedelta(microseconds=1)


def _twin_day(month: dt.date) -> dt.datetime:
    """The morning after the cut-off, when the twin's controllers and fraud team work."""
    return dt.datetime.combine(month.replace(day=26), dt.time(9), tzinfo=clock.PARIS)


def _hidden_partner(household, behaviour=Behaviour.DELIBERATE):
    return TruePeriod.objects.create(
        household=household,
        kind=TrueKind.PARTNER,
        month_from=MARCH,
        amount=Decimal("1400.00"),
        origin=Origin.CHANGE,
        change=Change.PARTNER_MOVES_IN,
        behaviour=behaviour,
    )


def _with(monkeypatch, module, **values):
    monkeypatch.setattr(module, "P", dataclasses.replace(PARAMETERS, **values))


def _controlled(household, kind=ControlKind.ON_SITE):
    """A control of `household` worked by the twin's controller in June."""
    with clock.frozen(_twin_day(JUNE), tick=TICK):
        user = controller()
        control = control_open(
            household=household,
            kind=kind,
            origin=ControlOrigin.TARGETING,
            acting_user=user,
            month=JUNE,
        )
        (closed,) = controls_settle_from_truth([control], JUNE, user)
    return closed


def test_a_controller_suspects_a_fraud_only_where_the_change_was_hidden_deliberately(
    paid_household, monkeypatch
):
    _with(monkeypatch, suspicion, reveals_intent={"on_site": 1.0, "documents": 1.0})
    _hidden_partner(paid_household, Behaviour.NEVER)  # negligence: an indu, no suspicion
    assert _controlled(paid_household).outcome == ControlOutcome.OVERPAYMENT
    with clock.frozen(_twin_day(JUNE), tick=TICK):
        assert twin_fraud.fraud_month(JUNE) == {}
    assert not FraudFile.objects.exists()


def test_a_deliberate_concealment_found_is_suspected_with_the_chance_of_revealing_intent(
    monkeypatch,
):
    silent, revealing = paid_households(2)
    for household in (silent, revealing):
        _hidden_partner(household)
    monkeypatch.setattr(
        twin_controls, "P", dataclasses.replace(twin_controls.P, documents_find_couple=1.0)
    )
    _with(monkeypatch, suspicion, reveals_intent={"on_site": 0.0, "documents": 1.0})
    assert _controlled(silent).outcome == ControlOutcome.OVERPAYMENT
    assert _controlled(revealing, ControlKind.DOCUMENTS).outcome == ControlOutcome.SUSPECTED_FRAUD
    automated = control_open(
        household=revealing,
        kind=ControlKind.AUTOMATED,
        origin=ControlOrigin.EXCHANGE,
        acting_user=None,
        month=JUNE,
    )
    partner = Established(FactKind.PARTNER_RESOURCES, MARCH, None, amount=Decimal("1400.00"))
    # An automated control never suspects: a person's control decides.
    assert not suspicion.controller_suspects(automated, [partner])


def test_the_team_opens_qualifies_and_sanctions_on_the_deadlines(paid_household, monkeypatch):
    """Opened the day the control closes (June), qualified by the named referent a month later,
    the allocataire's month to answer, the commission, the director's penalty, the payment
    within the two months."""
    _hidden_partner(paid_household)
    _with(monkeypatch, suspicion, reveals_intent={"on_site": 1.0, "documents": 1.0})
    _with(
        monkeypatch,
        team,
        intent_proven=1.0,
        observations_share=1.0,
        warning_share={"fraud": 0.0, "fault": 0.0},
        penalty_paid_share=1.0,
    )
    control = _controlled(paid_household)
    assert control.outcome == ControlOutcome.SUSPECTED_FRAUD
    steps = {}
    month = JUNE
    while month <= dt.date(2023, 1, 1):
        with clock.frozen(_twin_day(month), tick=TICK):
            steps[month] = team.fraud_team_month(month)
        month = clock.add_months(month, 1)
    file = FraudFile.objects.get()
    assert file.control == control and file.first_month == MARCH and file.last_month == JUNE
    assert file.prejudice == control.overpayment > 0
    # The qualification, by a named person, with the intent found by the control.
    referent = team.referent()
    assert file.qualification == Qualification.FRAUD and file.qualified_by == referent
    assert referent.get_full_name().strip()
    (finding,) = file.intent.all()
    assert finding.element == IntentElement.CONCEALMENT and finding.established
    assert f"contrôle n° {control.pk}" in finding.evidence
    # One step a month, each on its deadline.
    assert [next(iter(s), None) for s in steps.values()] == [
        "fraude_dossiers_ouverts",  # June
        "fraude_qualifies_fraude",  # July: notice, a month to answer
        "fraude_observations",  # August, within the month
        "fraude_commissions_saisies",  # September, the month to answer over
        "fraude_penalites",  # October: the commission's opinion, the director's decision
        "fraude_penalites_reglees",  # November, within the two months to pay
        None,  # December: closed
        None,  # January
    ]
    kinds = list(file.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == [
        FraudEventKind.OPENED,
        FraudEventKind.INTENT,
        FraudEventKind.QUALIFIED,
        FraudEventKind.NOTICE,
        FraudEventKind.OBSERVATIONS,
        FraudEventKind.COMMISSION,
        FraudEventKind.OPINION,
        FraudEventKind.DECIDED,
        FraudEventKind.PAID,
        FraudEventKind.CLOSED,
    ]
    file.refresh_from_db()
    assert (file.status, file.outcome) == (FraudStatus.CLOSED, FraudOutcome.PENALTY_PAID)
    assert file.sanction.decided_by == team.director()


def test_intent_not_proven_is_a_fault_and_the_director_may_warn(paid_household, monkeypatch):
    _hidden_partner(paid_household)
    _with(monkeypatch, suspicion, reveals_intent={"on_site": 1.0, "documents": 1.0})
    _with(
        monkeypatch,
        team,
        intent_proven=0.0,
        observations_share=0.0,
        warning_share={"fraud": 0.0, "fault": 1.0},
    )
    _controlled(paid_household)
    for month in (JUNE, dt.date(2022, 7, 1), dt.date(2022, 8, 1), dt.date(2022, 9, 1)):
        with clock.frozen(_twin_day(month), tick=TICK):
            team.fraud_team_month(month)
    file = FraudFile.objects.get()
    assert file.qualification == Qualification.FAULT
    assert not file.intent.get().established
    # No observations: the director waits for the month to answer to be over (September).
    assert (file.status, file.outcome) == (FraudStatus.CLOSED, FraudOutcome.WARNING)
    assert file.events.get(kind=FraudEventKind.DECIDED).at.month == 9


def test_the_twin_gives_the_cycle_the_cafs_capacity_at_its_scale():
    """The twin no longer writes prevention letters: the Caf's cycle does (tests/cycle), within
    the calibrated yearly volume the twin passes at its scale."""
    assert twin_fraud.prevention_capacity(0.02) == PARAMETERS.prevention_letters_per_year * 0.02
    assert PARAMETERS.prevention_letters_per_year == 506


def test_the_director_files_the_complaint_when_it_is_mandatory(paid_household, monkeypatch):
    """D114-5 CSS: from 8 PMSS of prejudice the complaint is mandatory (here the threshold is
    lowered to the file's prejudice: the fixture's indus are a few hundred euros)."""
    _hidden_partner(paid_household)
    _with(monkeypatch, suspicion, reveals_intent={"on_site": 1.0, "documents": 1.0})
    _with(monkeypatch, team, intent_proven=1.0)
    monkeypatch.setattr(fraud_parameters, "COMPLAINT_PMSS_MULTIPLE", 0)
    _controlled(paid_household)
    for month in (JUNE, dt.date(2022, 7, 1)):
        with clock.frozen(_twin_day(month), tick=TICK):
            team.fraud_team_month(month)
    file = FraudFile.objects.get()
    assert file.complaint_mandatory and file.status == FraudStatus.NOTIFIED
    complaint = Complaint.objects.get(file=file)
    assert complaint.mandatory and complaint.filed_on == dt.date(2022, 7, 26)
    assert file.events.get(kind=FraudEventKind.COMPLAINT).actor == team.director()

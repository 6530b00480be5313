"""Controls on documents and on site: the request, its reminder and the suspension of payment,
the documents received through the channels, assignment to sworn controllers by area, the
visit report, the contradictory procedure, and the outcome from the engine."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from justedroit.channels.services.documents import document_upload
from justedroit.controls import selectors
from justedroit.controls.models import (
    ControlArea,
    ControlKind,
    ControlOrigin,
    ControlOutcome,
    ControlStatus,
    EventKind,
    Finding,
    ResponseChannel,
    SwornController,
)
from justedroit.controls.services import (
    Established,
    control_assign,
    control_close,
    control_deadlines_apply,
    control_open,
    control_response_record,
    document_receive,
    document_request_send,
    findings_notify,
    visit_report_record,
    visit_schedule,
)
from justedroit.core import clock
from justedroit.core.roles import Role
from justedroit.entitlements.models import Adjustment
from justedroit.registry.models import Commune, FactSource

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OPENED = dt.datetime(2022, 7, 1, 9)


def open_control(household, kind=ControlKind.DOCUMENTS, controller=None):
    with clock.frozen(OPENED):
        return control_open(
            household=household,
            kind=kind,
            origin=ControlOrigin.AGENT,
            acting_user=controller,
            reason="signalement",
        )


def test_a_request_without_answer_is_reminded_then_suspends_payment_until_a_document_comes(
    paid_household, make_user
):
    controller = make_user(Role.CONTROLLER)
    control = open_control(paid_household)
    with clock.frozen(OPENED):
        request = document_request_send(
            control=control,
            documents=["payslip", "rent_receipt"],
            message="Vos bulletins de mars à juin.",
            deadline=None,
            acting_user=controller,
        )
    assert request.deadline == dt.date(2022, 7, 31)

    def apply(day):
        with clock.frozen(dt.datetime.combine(day, dt.time(6))):
            return control_deadlines_apply(today=day, acting_user=None)

    assert apply(dt.date(2022, 7, 20)) == {"reminders": 0, "suspensions": 0}
    assert apply(dt.date(2022, 7, 24)) == {"reminders": 1, "suspensions": 0}
    assert apply(dt.date(2022, 7, 25)) == {"reminders": 0, "suspensions": 0}
    assert apply(dt.date(2022, 7, 31)) == {"reminders": 0, "suspensions": 0}  # deadline day
    assert apply(dt.date(2022, 8, 1)) == {"reminders": 0, "suspensions": 1}
    assert apply(dt.date(2022, 8, 2)) == {"reminders": 0, "suspensions": 0}
    control.refresh_from_db()
    assert control.status == ControlStatus.PAYMENT_SUSPENDED
    suspension = control.events.get(kind=EventKind.PAYMENT_SUSPENDED)
    assert "L583-3" in suspension.note and "recours amiable" in suspension.note
    # The payment of August is suspended (cut-off 25/08), July's was not (cut-off 25/07).
    assert selectors.suspended_households(dt.date(2022, 8, 1)) == {paid_household.id}
    assert selectors.suspended_households(dt.date(2022, 7, 1)) == set()

    claimant_user = make_user(Role.CLAIMANT)
    with clock.frozen(dt.datetime(2022, 9, 10, 9)):
        document = document_upload(
            household=paid_household,
            kind="payslip",
            filename="bulletin.pdf",
            content=PDF,
            acting_user=claimant_user,
        )
        document_receive(request=request, document=document, acting_user=claimant_user)
    control.refresh_from_db()
    assert control.status == ControlStatus.DOCUMENTS_RECEIVED
    assert selectors.suspended_households(dt.date(2022, 8, 1)) == {paid_household.id}
    assert selectors.suspended_households(dt.date(2022, 9, 1)) == set()
    assert [e.kind for e in control.events.all()][-2:] == [
        EventKind.DOCUMENT_RECEIVED,
        EventKind.SUSPENSION_LIFTED,
    ]
    with pytest.raises(ValidationError, match="déjà rattaché"):
        document_receive(request=request, document=document, acting_user=controller)


def test_closing_with_findings_needs_the_contradictory_procedure(paid_household, make_user):
    controller = make_user(Role.CONTROLLER)
    control = open_control(paid_household)
    salary = Established(
        kind="salary",
        first_month=dt.date(2022, 3, 1),
        until=dt.date(2022, 7, 1),
        person=paid_household.claimant,
        amount=Decimal("1500"),
    )
    with clock.frozen(dt.datetime(2022, 7, 5, 9)):
        with pytest.raises(ValidationError, match="contradictoire"):
            control_close(
                control=control,
                established=[salary],
                suspected_fraud=False,
                note="",
                acting_user=controller,
            )
        findings_notify(
            control=control, findings="Salaire non déclaré de mars à juin.", acting_user=controller
        )
    control.refresh_from_db()
    assert control.status == ControlStatus.AWAITING_RESPONSE
    assert control.deadline == dt.date(2022, 7, 20)
    with clock.frozen(dt.datetime(2022, 7, 8, 9)), pytest.raises(ValidationError, match="délai"):
        control_close(
            control=control,
            established=[salary],
            suspected_fraud=False,
            note="",
            acting_user=controller,
        )
    claimant_user = make_user(Role.CLAIMANT)
    with clock.frozen(dt.datetime(2022, 7, 9, 9)):
        control_response_record(
            control=control,
            text="J'ai repris un travail en mars, j'ai oublié de le déclarer.",
            channel=ResponseChannel.PORTAL,
            acting_user=claimant_user,
        )
    # The observations are in: the controller may close; the case worker may not.
    with clock.frozen(dt.datetime(2022, 7, 10, 9)):
        with pytest.raises(ValidationError, match="contrôleur"):
            control_close(
                control=control,
                established=[salary],
                suspected_fraud=False,
                note="",
                acting_user=make_user(Role.CASE_WORKER),
            )
        closed = control_close(
            control=control,
            established=[salary],
            suspected_fraud=False,
            note="Bonne foi : droit à l'erreur.",
            acting_user=controller,
        )
    assert closed.outcome == ControlOutcome.OVERPAYMENT
    assert closed.overpayment == sum(a.amount for a in Adjustment.objects.all()) > 0
    assert set(closed.adjustments.all()) == set(Adjustment.objects.all())
    assert closed.facts.get().source == FactSource.CONTROL
    with pytest.raises(ValidationError, match="clos"):
        findings_notify(control=closed, findings="encore", acting_user=controller)


def test_a_control_without_finding_closes_without_incidence(paid_household, make_user):
    controller = make_user(Role.CONTROLLER)
    control = open_control(paid_household)
    closed = control_close(
        control=control, established=[], suspected_fraud=False, note="RAS", acting_user=controller
    )
    assert (closed.outcome, closed.impact) == (ControlOutcome.NO_CHANGE, 0)


@pytest.fixture
def sworn(make_user):
    """Two sworn controllers covering Poitiers, one covering Châtellerault only."""
    area = ControlArea.objects.create(name="Poitiers")
    area.communes.add(Commune.objects.get(pk="86194"))
    other = ControlArea.objects.create(name="Châtellerault")
    other.communes.add(Commune.objects.get(pk="86066"))
    sworn = []
    for index, covered in enumerate((area, area, other)):
        user = make_user(Role.CONTROLLER, username=f"assermente-{index}")
        controller = SwornController.objects.create(
            user=user, approval_number=f"AG-{index}", sworn_on=dt.date(2015, 1, 1)
        )
        controller.areas.add(covered)
        sworn.append(user)
    return sworn


def test_an_on_site_control_goes_to_the_least_loaded_sworn_controller_of_the_area(
    paid_household, sworn, make_user
):
    first, second, _elsewhere = sworn
    one = open_control(paid_household, ControlKind.ON_SITE)
    assert control_assign(control=one, controller=None, acting_user=None).controller == first
    two = open_control(paid_household, ControlKind.ON_SITE)
    assert control_assign(control=two, controller=None, acting_user=None).controller == second
    with pytest.raises(ValidationError, match="assermenté"):
        control_assign(control=two, controller=make_user(Role.CONTROLLER), acting_user=None)


def test_the_visit_report_is_written_by_the_sworn_controller_and_structured(paid_household, sworn):
    first, second, _ = sworn
    control = open_control(paid_household, ControlKind.ON_SITE)
    with clock.frozen(dt.datetime(2022, 7, 2, 9)):
        control_assign(control=control, controller=first, acting_user=first)
        with pytest.raises(ValidationError, match="futur"):
            visit_schedule(
                control=control,
                scheduled_for=dt.datetime(2022, 7, 1, 10, tzinfo=clock.PARIS),
                place="domicile",
                acting_user=first,
            )
        visit_schedule(
            control=control,
            scheduled_for=dt.datetime(2022, 7, 6, 10, tzinfo=clock.PARIS),
            place="Au domicile",
            acting_user=first,
        )
    report = dict(
        control=control,
        visited_on=dt.date(2022, 7, 6),
        allocataire_present=True,
        composition=Finding.DIFFERS,
        composition_found="",
        resources=Finding.MATCHES,
        resources_found="",
        housing=Finding.MATCHES,
        housing_found="",
        observations="Un conjoint vit au domicile depuis mars.",
    )
    with clock.frozen(dt.datetime(2022, 7, 6, 15)):
        with pytest.raises(ValidationError, match="diffère"):
            visit_report_record(**report, acting_user=first)
        report["composition_found"] = "Un conjoint présent."
        with pytest.raises(ValidationError, match="assermenté"):
            visit_report_record(**report, acting_user=second)
        visit_report_record(**report, acting_user=first)
    control.refresh_from_db()
    assert control.status == ControlStatus.VISIT_DONE
    assert [e.kind for e in control.events.all()] == [
        EventKind.OPENED,
        EventKind.ASSIGNED,
        EventKind.VISIT_SCHEDULED,
        EventKind.VISIT_REPORTED,
    ]

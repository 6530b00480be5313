"""Processing acts: every agent's act of case processing is a record, written by the service that
does the act, in its transaction; automatic processing is not an agent's act."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from justedroit.channels.services.documents import document_process, document_upload
from justedroit.controls.models import ControlKind, ControlOrigin
from justedroit.controls.services import control_close, control_open
from justedroit.core import clock
from justedroit.core.roles import Role
from justedroit.entitlements.services import household_recompute
from justedroit.quality.selectors import engine_changes, frame
from justedroit.registry.models import ActKind, Claim, ClaimStatus, Fact, ProcessingAct
from justedroit.registry.services import claim_decide, fact_record

PDF = b"%PDF-1.4\n" + b"0" * 64


def _salary(household, *, source, acting_user, amount="1500"):
    return fact_record(
        household=household,
        person=household.claimant,
        kind="salary",
        valid_from=dt.date(2022, 3, 1),
        valid_until=dt.date(2022, 7, 1),
        amount=Decimal(amount),
        source=source,
        acting_user=acting_user,
    )


def test_an_agents_own_entry_is_an_act_with_the_fact_it_wrote(paid_household, make_user):
    worker = make_user(Role.CASE_WORKER)
    with clock.frozen(dt.datetime(2022, 7, 4, 10)):
        fact = _salary(paid_household, source="agent", acting_user=worker)
    act = ProcessingAct.objects.get()
    assert (act.kind, act.agent, act.household, act.object_id) == (
        ActKind.FACTS_RECORDED,
        worker,
        paid_household,
        str(fact.pk),
    )
    assert [link.fact for link in act.act_facts.all()] == [fact]


def test_automatic_and_declared_facts_are_not_agent_acts(paid_household, make_user):
    worker, claimant = make_user(Role.CASE_WORKER), make_user(Role.CLAIMANT)
    with clock.frozen(dt.datetime(2022, 7, 4, 10), tick=dt.timedelta(seconds=1)):
        _salary(paid_household, source="agent", acting_user=None)
        _salary(paid_household, source="declaration", acting_user=worker)
        _salary(paid_household, source="agent", acting_user=claimant)
    assert Fact.objects.filter(household=paid_household, kind="salary").count() == 3
    assert not ProcessingAct.objects.exists()


def test_the_euros_an_act_changed_are_read_through_the_engine(paid_household, make_user):
    worker = make_user(Role.CASE_WORKER)
    with clock.frozen(dt.datetime(2022, 7, 4, 10)):
        _salary(paid_household, source="agent", acting_user=worker)
        adjustments = household_recompute(
            household=paid_household,
            first_month=dt.date(2022, 3, 1),
            last_month=dt.date(2022, 6, 1),
            acting_user=None,
        )
    assert adjustments, "a salary of 1,500 € ends the RSA: indus for March–June"
    act = ProcessingAct.objects.get()
    indus = sum(a.amount for a in adjustments if a.kind == "overpayment")
    assert engine_changes([act.pk])[act.pk] == {"rsa": -indus}
    frame_of_july = frame(dt.date(2022, 7, 1), dt.date(2022, 8, 1))
    assert list(frame_of_july.act_ids) == [act.pk]
    assert frame_of_july.benefits.tolist() == ["rsa"]
    assert frame_of_july.changed.tolist() == [float(indus)]
    # The fact is valid from March, before the act's month (July): retroactive, flagged.
    assert frame_of_july.risky.tolist() == [True]


def test_a_manually_processed_document_is_an_act(paid_household, make_user):
    worker = make_user(Role.CASE_WORKER)
    document = document_upload(
        household=paid_household, kind="payslip", filename="p.pdf", content=PDF, acting_user=None
    )
    assert not ProcessingAct.objects.exists()
    document_process(document=document, outcome="accepted", acting_user=worker)
    act = ProcessingAct.objects.get()
    assert (act.kind, act.agent, act.object_type, act.object_id) == (
        ActKind.DOCUMENT_PROCESSED,
        worker,
        "channels.Document",
        str(document.pk),
    )


def test_settling_a_control_is_an_act_deciding_a_claim_too(paid_household, make_user):
    controller = make_user(Role.CONTROLLER)
    with clock.frozen(dt.datetime(2022, 7, 5, 9)):
        control = control_open(
            household=paid_household,
            kind=ControlKind.DOCUMENTS,
            origin=ControlOrigin.AGENT,
            acting_user=controller,
            reason="signalement",
        )
        control_close(
            control=control, established=[], suspected_fraud=False, note="", acting_user=controller
        )
    act = ProcessingAct.objects.get()
    assert (act.kind, act.agent, act.object_id) == (
        ActKind.CONTROL_SETTLED,
        controller,
        str(control.pk),
    )
    worker = make_user(Role.CASE_WORKER)
    claim = Claim.objects.create(
        household=paid_household,
        benefit="ppa",
        start_month=dt.date(2022, 7, 1),
        status=ClaimStatus.PENDING,
        recorded_at=clock.now(),
    )
    with pytest.raises(ValidationError, match="motif"):
        claim_decide(claim=claim, status="rejected", acting_user=worker)
    assert ProcessingAct.objects.count() == 1
    claim_decide(claim=claim, status="granted", acting_user=worker)
    decided = ProcessingAct.objects.get(kind=ActKind.CLAIM_DECIDED)
    assert (decided.benefit, decided.agent) == ("ppa", worker)
    with pytest.raises(ValidationError, match="déjà décidée"):
        claim_decide(claim=claim, status="rejected", acting_user=worker, reason="doublon")


def test_an_act_never_changes(paid_household, make_user):
    _salary(paid_household, source="agent", acting_user=make_user(Role.CASE_WORKER))
    act = ProcessingAct.objects.get()
    with pytest.raises(PermissionDenied):
        ProcessingAct.objects.filter(pk=act.pk).update(benefit="rsa")
    with pytest.raises(Exception, match="immutable"), connection.cursor() as cursor:
        cursor.execute("UPDATE registry_processingact SET benefit = 'rsa' WHERE id = %s", [act.pk])

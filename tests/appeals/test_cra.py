"""The commission de recours amiable: admissibility (R142-1), implicit rejection (R142-6),
composition and quorum (R142-2), the precarity rule, remissions as ledger movements, never on a
fraud debt (L553-2), suspension of a contested indu's recovery, reversal and recomputation."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from justedroit.appeals import parameters as law
from justedroit.appeals import selectors, services
from justedroit.appeals.models import CaseStatus, Decision, Outcome
from justedroit.core.models import AuditEvent
from justedroit.recovery import selectors as ledger
from justedroit.recovery import services as recovery
from justedroit.recovery.models import DebtEntry, EntryKind, Stage
from justedroit.registry.services import fact_record
from tests.appeals.conftest import TODAY, debt_of, in_session, remission, resources
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def contest(household, debt, secretary, *, notified_on, received_on=TODAY):
    return services.case_receive(
        household=household,
        kind="contest_indu",
        channel="email",
        benefit=debt.benefit,
        debt=debt,
        contested_decision="Indu d'allocations familiales",
        notified_on=notified_on,
        received_on=received_on,
        acting_user=secretary,
    )


def test_r142_1_contestation_within_two_months_of_notification_is_admissible(
    household, debt, secretary
):
    """R142-1 CSS: the CRA is seized within 2 months of the notification."""
    notified = dt.date(2022, 10, 31)
    assert law.seize_deadline(notified) == TODAY
    case = contest(household, debt, secretary, notified_on=notified)
    assert case.admissible and case.status == CaseStatus.RECEIVED
    late = contest(household, debt, secretary, notified_on=dt.date(2022, 10, 30))
    assert not late.admissible and late.status == CaseStatus.INADMISSIBLE
    assert "R142-1" in late.events.get(kind="inadmissible").note


def test_r142_1_a_remission_request_has_no_time_limit(household, debt, secretary):
    """R142-1 CSS bounds contestations; a remission request is gracious (L553-2 CSS)."""
    case = services.case_receive(
        household=household,
        kind="remission",
        channel="portal",
        benefit="af",
        debt=debt,
        contested_decision="Notification d'indu",
        notified_on=dt.date(2020, 1, 1),
        received_on=TODAY,
        acting_user=secretary,
    )
    assert case.admissible


def test_r142_6_silence_two_months_after_receipt_or_documents_is_an_implicit_rejection(
    household, debt, secretary
):
    """R142-6 CSS: no decision 2 months after the claim (or the documents asked later) is an
    implicit rejection."""
    case = remission(household, debt, secretary, received_on=dt.date(2022, 10, 15))
    assert selectors.rejection_date(case) == dt.date(2022, 12, 15)
    assert selectors.implicitly_rejected(case, TODAY)
    assert not selectors.implicitly_rejected(case, dt.date(2022, 12, 14))
    services.documents_request(case=case, on=dt.date(2022, 11, 2), acting_user=secretary)
    case.refresh_from_db()
    assert not selectors.implicitly_rejected(case, TODAY)  # waiting for the documents
    services.documents_receive(case=case, on=dt.date(2022, 11, 20), acting_user=secretary)
    case.refresh_from_db()
    assert selectors.rejection_date(case) == dt.date(2023, 1, 20)
    assert not selectors.implicitly_rejected(case, TODAY)


def test_a_contested_indu_is_not_recovered_until_the_decision(household, debt, secretary):
    """L262-46 CASF and the Caf's rule (parameters.SUSPENSION): recovery suspended while the
    CRA examines a contested indu; a remission request does not suspend it."""
    remission(household, debt, secretary)
    assert ledger.suspended([debt.pk]) == set()
    case = contest(household, debt, secretary, notified_on=TODAY)
    assert ledger.suspended([debt.pk]) == {debt.pk}
    with pytest.raises(ValidationError, match="suspendu"):
        recovery.contentious_step_record(
            debt=debt, stage=Stage.FORMAL_NOTICE, on=TODAY, acting_user=secretary
        )
    services.case_instruct(case=case, acting_user=secretary, proposal=Outcome.CONFIRM)
    case.refresh_from_db()
    # Board decision on the commission's opinion, outside a session: recovery resumes.
    services.case_decide(
        case=case,
        outcome=Outcome.CONFIRM,
        reasons="Indu fondé.",
        delegated=False,
        acting_user=secretary,
    )
    assert ledger.suspended([debt.pk]) == set()


def test_r142_2_a_session_convenes_two_insured_two_employers_and_one_other(members, secretary):
    """R142-2 CSS: 2 insured, 2 employer or self-employed members, 1 other."""
    with pytest.raises(ValidationError, match="R142-2"):
        services.session_create(held_on=TODAY, members=members[:4], acting_user=secretary)
    with pytest.raises(ValidationError, match="R142-2"):
        services.session_create(
            held_on=TODAY, members=[*members[:3], members[0], members[4]], acting_user=secretary
        )
    session = services.session_create(held_on=TODAY, members=members, acting_user=secretary)
    assert session.members.count() == 5


def test_r142_2_no_decision_without_a_quorum_of_three(household, debt, secretary, members):
    """R142-2 CSS: the commission deliberates with 3 members present."""
    case = remission(household, debt, secretary)
    services.case_instruct(case=case, acting_user=secretary, proposal=Outcome.FULL)
    session = in_session(case, members, secretary, present=2)
    with pytest.raises(ValidationError, match="Quorum non atteint"):
        services.case_decide(
            case=case,
            session=session,
            outcome=Outcome.FULL,
            reasons="Précarité.",
            votes=dict.fromkeys(members[:2], "for"),
            acting_user=secretary,
        )
    assert not Decision.objects.exists()


def test_a_full_remission_is_a_ledger_movement_of_the_balance(household, debt, secretary, members):
    resources(household, fiscal="6000", rent="300")  # R ÷ N far below the full threshold
    case = remission(household, debt, secretary)
    instruction = services.case_instruct(case=case, acting_user=secretary)
    assert instruction.precarious is True
    assert (instruction.proposal, instruction.proposed_amount) == (Outcome.FULL, D("600.00"))
    session = in_session(case, members, secretary)
    votes = {members[0]: "for", members[1]: "for", members[2]: "against", members[3]: "abstain"}
    decision = services.case_decide(
        case=case,
        session=session,
        outcome=Outcome.FULL,
        reasons="Situation de précarité établie.",
        votes=votes,
        acting_user=secretary,
    )
    assert decision.amount_remitted == D("600.00") and decision.delegated
    entry = DebtEntry.objects.get(debt=debt, kind=EntryKind.REMITTED)
    assert decision.debt_entry == entry and entry.reference == f"CRA n° {case.pk}"
    assert ledger.balance(debt) == 0
    assert decision.votes.count() == 4
    with pytest.raises(ValidationError, match="déjà décidé"):
        services.case_decide(
            case=case,
            session=session,
            outcome=Outcome.REJECT,
            reasons="Bis.",
            votes=votes,
            acting_user=secretary,
        )
    assert AuditEvent.objects.filter(household_number=household.number, reason__contains="remise")


def test_the_precarity_rule_proposes_partial_or_rejection(household, secretary):
    """docs/recours.md: Q = R ÷ N (D553-1) ≤ 594 € full, ≤ 1 186 € half, above reject."""
    resources(household, fiscal="18000", rent="500")  # R = 1 500 − 500 = 1 000 ; N = 1.5 → 666.67
    debt = debt_of(household)
    case = remission(household, debt, secretary)
    file = selectors.instruction_file(case)
    assert file["precarity"].weighted_income == D("666.67")
    assert file["proposal"] == (Outcome.PARTIAL, D("300.00"))
    # One cent left cannot be halved (a partial remission lies strictly between 0 and the
    # balance): remitted whole (the twin's 1 % demo stopped on such a proposal).
    assert selectors.proposal(case, file["precarity"], D("0.01")) == (Outcome.FULL, D("0.01"))
    other = HouseholdFactory()
    resources(other, fiscal="60000", rent="500")
    rich = debt_of(other, amount="100.00")
    assert selectors.instruction_file(remission(other, rich, secretary))["proposal"] == (
        Outcome.REJECT,
        D("0"),
    )


def test_l553_2_a_fraudulent_debt_is_never_remitted(household, secretary, members):
    """L553-2 CSS: no remission after fraud or false declaration — refused by the service, and
    the precarity rule proposes a rejection."""
    resources(household, fiscal="0", rent="300")
    debt = debt_of(household, fraud=True)
    case = remission(household, debt, secretary)
    assert selectors.instruction_file(case)["proposal"] == (Outcome.REJECT, D("0"))
    with pytest.raises(ValidationError, match="L553-2"):
        services.case_instruct(case=case, acting_user=secretary, proposal=Outcome.FULL)
    services.case_instruct(case=case, acting_user=secretary)
    session = in_session(case, members, secretary)
    for outcome, amount in ((Outcome.FULL, None), (Outcome.PARTIAL, D("100.00"))):
        with pytest.raises(ValidationError, match="L553-2"):
            services.case_decide(
                case=case,
                session=session,
                outcome=outcome,
                amount=amount,
                reasons="Précarité.",
                votes=dict.fromkeys(members[:3], "for"),
                acting_user=secretary,
            )
    assert not DebtEntry.objects.filter(debt=debt, kind=EntryKind.REMITTED).exists()
    assert ledger.balance(debt) == D("600.00")


def test_a_partial_remission_stays_below_the_balance(household, debt, secretary, members):
    case = remission(household, debt, secretary)
    services.case_instruct(
        case=case, acting_user=secretary, proposal=Outcome.PARTIAL, proposed_amount=D("200.00")
    )
    session = in_session(case, members, secretary)
    with pytest.raises(ValidationError, match="remise partielle"):
        services.case_decide(
            case=case,
            session=session,
            outcome=Outcome.PARTIAL,
            amount=D("600.00"),
            reasons="r",
            votes=dict.fromkeys(members[:3], "for"),
            acting_user=secretary,
        )
    services.case_decide(
        case=case,
        session=session,
        outcome=Outcome.PARTIAL,
        amount=D("200.00"),
        reasons="Remise de 200 €.",
        votes=dict.fromkeys(members[:3], "for"),
        acting_user=secretary,
    )
    assert ledger.balance(debt) == D("400.00")


def test_votes_only_of_present_members_and_a_majority(household, debt, secretary, members):
    case = remission(household, debt, secretary)
    services.case_instruct(case=case, acting_user=secretary, proposal=Outcome.REJECT)
    session = in_session(case, members, secretary, present=3)
    with pytest.raises(ValidationError, match="présents"):
        services.case_decide(
            case=case,
            session=session,
            outcome=Outcome.REJECT,
            reasons="r",
            votes={members[4]: "for"},
            acting_user=secretary,
        )
    with pytest.raises(ValidationError, match="majorité"):
        services.case_decide(
            case=case,
            session=session,
            outcome=Outcome.REJECT,
            reasons="r",
            votes={members[0]: "for", members[1]: "against"},
            acting_user=secretary,
        )


def test_decisions_and_histories_refuse_raw_sql_updates(household, debt, secretary, members):
    case = remission(household, debt, secretary)
    services.case_instruct(case=case, acting_user=secretary, proposal=Outcome.REJECT)
    session = in_session(case, members, secretary)
    decision = services.case_decide(
        case=case,
        session=session,
        outcome=Outcome.REJECT,
        reasons="Ressources suffisantes.",
        votes=dict.fromkeys(members[:3], "for"),
        acting_user=secretary,
    )
    for table, pk in (
        ("appeals_decision", decision.pk),
        ("appeals_caseevent", case.events.first().pk),
    ):
        with (
            pytest.raises(DatabaseError),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"UPDATE {table} SET id = id WHERE id = %s", [pk])


def test_a_reversed_indu_is_cancelled_in_the_ledger_and_its_months_recomputed(
    household, debt, secretary, members
):
    resources(household, fiscal="12000", rent="400")
    for kind, code in (("housing_status", "tenant"), ("housing_commune", "86194")):
        fact_record(
            household=household,
            kind=kind,
            valid_from=dt.date(2022, 1, 1),
            valid_until=None,
            source="declaration",
            acting_user=None,
            code=code,
        )
    fact_record(
        household=household,
        person=household.memberships.get().person,
        kind="activity",
        valid_from=dt.date(2022, 1, 1),
        valid_until=None,
        source="declaration",
        acting_user=None,
        code="inactive",
    )
    case = contest(household, debt, secretary, notified_on=TODAY)
    services.case_instruct(case=case, acting_user=secretary, proposal=Outcome.REVERSE)
    session = in_session(case, members, secretary)
    decision = services.case_decide(
        case=case,
        session=session,
        outcome=Outcome.REVERSE,
        reasons="Les ressources retenues n'étaient pas celles du foyer.",
        votes=dict.fromkeys(members[:3], "for"),
        acting_user=secretary,
    )
    cancelled = debt.entries.get(kind=EntryKind.CANCELLED)
    assert decision.debt_entry == cancelled and cancelled.amount == D("600.00")
    assert ledger.balance(debt) == 0 and ledger.suspended([debt.pk]) == set()
    recomputed = case.events.get(kind="effect")
    assert recomputed.note == "Droits recalculés" and recomputed.detail["du"] == "2022-05-01"

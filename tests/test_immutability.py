"""Ledger-like rows (facts, rights, payments, rappels and indus, their causes, the audit trail) are
written once. Each level an attacker or a bug could use is refused: the instance, the queryset,
raw SQL through the connection; only the audited legal-erasure path may delete, never update."""

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from justedroit.appeals.models import (
    AppealCase,
    Attendance,
    CaseEvent,
    CourtCase,
    Decision,
    Hearing,
    Instruction,
    Member,
    Session,
    Vote,
)
from justedroit.channels.models import Document
from justedroit.controls.models import (
    Control,
    ControlAdjustment,
    ControlEvent,
    ControlFact,
    ControlResponse,
    DocumentRequest,
    RandomSample,
    ReceivedDocument,
    TargetingDecision,
    TargetingModel,
    TargetingScore,
    VisitReport,
)
from justedroit.core import clock
from justedroit.core.db import immutable_rows, immutable_trigger_names
from justedroit.core.models import AuditAction, AuditEvent, AuditEventHousehold, Immutable
from justedroit.core.services import erasure_allowed
from justedroit.entitlements.models import (
    Adjustment,
    AdjustmentCause,
    AdjustmentKind,
    Entitlement,
    Payment,
    Run,
)
from justedroit.fraud.models import (
    FileDeclined,
    FraudAdjustment,
    FraudEvent,
    FraudFile,
    FraudObservation,
    FraudQualification,
    FraudSanction,
    IntentFinding,
)
from justedroit.quality.models import Process, Review, SampleItem, SamplingPlan, TargetChange
from justedroit.recovery.models import (
    ContentiousStep,
    Debt,
    DebtEntry,
    DebtFraudFound,
    DebtIndu,
    MonthlyRetention,
    Withholding,
)
from justedroit.registry.models import Fact, ProcessingAct, ProcessingActFact
from justedroit.reporting.models import ReportVersion, SectionText
from tests.factories import HouseholdFactory, UserFactory

pytestmark = pytest.mark.django_db

MONTH = dt.date(2022, 3, 1)
LEDGER_MODELS = [
    AuditEvent,
    AuditEventHousehold,
    Fact,
    Entitlement,
    Payment,
    Adjustment,
    AdjustmentCause,
    ControlEvent,
    ControlFact,
    ControlAdjustment,
    ReceivedDocument,
    VisitReport,
    ControlResponse,
    Debt,
    DebtIndu,
    DebtEntry,
    DebtFraudFound,
    MonthlyRetention,
    Withholding,
    ContentiousStep,
    TargetingModel,
    TargetingScore,
    TargetingDecision,
    FraudEvent,
    FraudAdjustment,
    IntentFinding,
    FraudQualification,
    FraudSanction,
    FraudObservation,
    FileDeclined,
    ProcessingAct,
    ProcessingActFact,
    SamplingPlan,
    SampleItem,
    Review,
    TargetChange,
    CaseEvent,
    Instruction,
    Attendance,
    Decision,
    Vote,
    Hearing,
    ReportVersion,
    SectionText,
]


@pytest.fixture
def rows() -> dict[type, Immutable]:
    """One stored row of each immutable model."""
    household = HouseholdFactory()
    now = clock.now()
    fact = Fact.objects.create(
        household=household,
        kind="rent",
        valid_from=MONTH,
        recorded_at=now,
        source="agent",
        amount=Decimal("450.00"),
    )
    run = Run.objects.create(month=MONTH, as_of=now, wet=True, started_at=now)
    money = {"benefit": "aide_logement", "month": MONTH, "household": household}
    adjustment = Adjustment.objects.create(
        **money,
        kind=AdjustmentKind.ARREARS,
        amount=Decimal("10.00"),
        due=Decimal("210.00"),
        settled_before=Decimal("200.00"),
        computed_at=now,
    )
    adjustment.causes.add(fact)
    event = AuditEvent.objects.create(at=now, action=AuditAction.VIEW, reason="vu")
    control = Control.objects.create(
        household=household, kind="on_site", origin="agent", status="open", opened_at=now
    )
    request = DocumentRequest.objects.create(
        control=control, documents=["payslip"], sent_at=now, deadline=MONTH
    )
    document = Document.objects.create(
        household=household,
        channel="paper",
        kind="payslip",
        routing="manual",
        received_at=now,
        scan_result="not_scanned",
    )
    user = UserFactory()
    sample = RandomSample.objects.create(
        year=2022, kind="documents", seed=1, reference_day=MONTH, population=1, drawn_at=now
    )
    model = TargetingModel.objects.create(
        trained_at=now,
        sample=sample,
        features=["paid_monthly"],
        intercept=Decimal("-1.5"),
        coefficients={"paid_monthly": 0.2},
        standard_errors={"intercept": 0.1, "paid_monthly": 0.05},
        training_size=30,
        positives=5,
        penalty=Decimal("1.0"),
    )
    scored = {"model": model, "household": household, "values": {"paid_monthly": 4.0}}
    findings = {"composition": "matches", "resources": "matches", "housing": "matches"}
    payment = Payment.objects.create(**money, run=run, amount=Decimal("200.00"), paid_at=now)
    debt = Debt.objects.create(
        household=household,
        benefit="aide_logement",
        origin="agent",
        reason="contrôle",
        first_month=MONTH,
        last_month=MONTH,
        notified_on=MONTH,
        prescription_from=MONTH,
        created_at=now,
    )
    retention = MonthlyRetention.objects.create(
        household=household,
        month=MONTH,
        run=run,
        weighting=Decimal("1.5"),
        weighted_income=Decimal("900.00"),
        deemed=False,
        scale_year=2020,
        computed=Decimal("60.00"),
        base=Decimal("60.00"),
        total=Decimal("60.00"),
    )
    entry = {"debt": debt, "on": MONTH, "recorded_at": now}
    fraud = FraudFile.objects.create(
        household=household,
        origin="report",
        report="Signalement.",
        facts="Faits.",
        first_month=MONTH,
        last_month=MONTH,
        opened_at=now,
        opened_by=user,
        status="investigation",
    )
    decided = {"reasons": "Motifs.", "decided_at": now, "decided_by": user}
    act = ProcessingAct.objects.create(
        kind="facts_recorded", agent=user, household=household, at=now
    )
    plan = SamplingPlan.objects.create(
        name="Plan",
        period_start=MONTH,
        period_end=dt.date(2099, 1, 1),
        method="simple",
        confidence=Decimal("0.95"),
        expected_rate=Decimal("0.06"),
        margin=Decimal("0.02"),
        population=1,
        size=1,
        seed=1,
        created_by=user,
        created_at=now,
    )
    item = SampleItem.objects.create(
        plan=plan, act=act, probability=1.0, fraction=1.0, amount=Decimal("10.00")
    )
    return {
        ProcessingAct: act,
        ProcessingActFact: ProcessingActFact.objects.create(act=act, fact=fact),
        SamplingPlan: plan,
        SampleItem: item,
        Review: Review.objects.create(item=item, reviewer=user, reviewed_at=now, in_error=False),
        TargetChange: TargetChange.objects.create(
            indicator=Process.objects.get(code="telephone").indicators.first(),
            target=Decimal("90"),
            target_source="COG",
            changed_by=user,
            changed_at=now,
        ),
        FraudEvent: FraudEvent.objects.create(file=fraud, at=now, kind="opened"),
        FraudAdjustment: FraudAdjustment.objects.create(file=fraud, adjustment=adjustment),
        IntentFinding: IntentFinding.objects.create(
            file=fraud,
            element="false_declaration",
            established=True,
            evidence="Preuve.",
            recorded_at=now,
            recorded_by=user,
        ),
        FraudQualification: FraudQualification.objects.create(
            file=fraud, qualification="fault", first_error=True, **decided
        ),
        FraudSanction: FraudSanction.objects.create(
            file=fraud,
            kind="warning",
            amount=0,
            year=2022,
            pmss=Decimal("3428"),
            floor=0,
            ceiling_multiple=4,
            ceiling=Decimal("13712"),
            article="L114-17",
            **decided,
        ),
        FraudObservation: FraudObservation.objects.create(
            file=fraud, received_at=now, channel="paper", text="Observations."
        ),
        FileDeclined: FileDeclined.objects.create(
            control=control, decided_at=now, decided_by=user, reason="Intention non établie."
        ),
        ControlEvent: ControlEvent.objects.create(control=control, at=now, kind="opened"),
        ControlFact: ControlFact.objects.create(control=control, fact=fact),
        ControlAdjustment: ControlAdjustment.objects.create(control=control, adjustment=adjustment),
        ReceivedDocument: ReceivedDocument.objects.create(
            request=request, document=document, linked_at=now
        ),
        VisitReport: VisitReport.objects.create(
            control=control,
            visited_on=MONTH,
            allocataire_present=True,
            observations="RAS",
            recorded_at=now,
            controller=user,
            **findings,
        ),
        ControlResponse: ControlResponse.objects.create(
            control=control, received_at=now, channel="paper", text="Vu.", recorded_by=user
        ),
        TargetingModel: model,
        TargetingScore: TargetingScore.objects.create(
            **scored, computed_at=now, as_of=now, score=Decimal("0.25")
        ),
        TargetingDecision: TargetingDecision.objects.create(
            **scored,
            score=Decimal("0.25"),
            scored_as_of=now,
            decision="selected",
            control=control,
            decided_at=now,
            decided_by=user,
        ),
        AuditEvent: event,
        AuditEventHousehold: AuditEventHousehold.objects.create(event=event, number="1234567"),
        Fact: fact,
        Entitlement: Entitlement.objects.create(
            **money, run=run, eligible=Decimal("200.00"), due=Decimal("200.00")
        ),
        Payment: payment,
        Adjustment: adjustment,
        AdjustmentCause: AdjustmentCause.objects.get(adjustment=adjustment),
        Debt: debt,
        DebtIndu: DebtIndu.objects.create(debt=debt, adjustment=adjustment),
        DebtFraudFound: DebtFraudFound.objects.create(
            debt=debt, discovered_on=MONTH, reason="Dossier de fraude.", recorded_at=now
        ),
        DebtEntry: DebtEntry.objects.create(**entry, kind="notified", amount=Decimal("90.00")),
        MonthlyRetention: retention,
        # On a payment of its own: the erasure tests below delete the other one.
        Withholding: Withholding.objects.create(
            retention=retention,
            payment=Payment.objects.create(
                **(money | {"benefit": "af"}), run=run, amount=Decimal("90.00"), paid_at=now
            ),
            amount=Decimal("60.00"),
        ),
        ContentiousStep: ContentiousStep.objects.create(
            debt=debt, stage="formal_notice", on=MONTH, recorded_at=now
        ),
        **_appeal_rows(household, debt, now),
        **_report_rows(now),
    }


def _report_rows(now) -> dict[type, Immutable]:
    director = UserFactory(role="director")
    version = ReportVersion.objects.create(
        year=2022, number=1, built_at=now, built_by=director, figures={}
    )
    text = SectionText.objects.create(
        version=version, section="controle", text="Bilan.", edited_by=director, edited_at=now
    )
    return {ReportVersion: version, SectionText: text}


def _appeal_rows(household, debt, now) -> dict[type, Immutable]:
    case = AppealCase.objects.create(
        household=household,
        kind="remission",
        channel="paper",
        benefit="af",
        debt=debt,
        contested_decision="Indu",
        notified_on=MONTH,
        received_on=MONTH,
        admissible=True,
        status="decided",
        created_at=now,
    )
    member = Member.objects.create(name="Membre", college="insured")
    session = Session.objects.create(held_on=MONTH)
    decision = Decision.objects.create(
        case=case, outcome="reject", reasons="r", delegated=True, decided_on=MONTH, recorded_at=now
    )
    court_case = CourtCase.objects.create(
        household=household,
        subject="family",
        court="tj_social",
        article="R142-1-A CSS",
        filed_on=MONTH,
        created_at=now,
    )
    return {
        CaseEvent: CaseEvent.objects.create(case=case, at=now, kind="received"),
        Instruction: Instruction.objects.create(
            case=case, at=now, weighting=Decimal("1.5"), proposal="reject"
        ),
        Attendance: Attendance.objects.create(session=session, member=member, present=True),
        Decision: decision,
        Vote: Vote.objects.create(decision=decision, member=member, choice="for"),
        Hearing: Hearing.objects.create(court_case=court_case, on=MONTH, recorded_at=now),
    }


def snapshot(model) -> list[tuple]:
    return list(model.objects.order_by("pk").values_list())


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@pytest.mark.parametrize("model", LEDGER_MODELS, ids=lambda m: m.__name__)
def test_the_orm_refuses_every_change(rows, model):
    row = rows[model]
    before = snapshot(model)
    attempts = [
        row.save,
        row.delete,
        lambda: model.objects.filter(pk=row.pk).update(id=row.pk),
        lambda: model.objects.filter(pk=row.pk).delete(),
        lambda: model.objects.all().delete(),
        lambda: model.objects.bulk_update([row], ["id"]),
        lambda: model.objects.filter(pk=row.pk)._raw_delete(connection.alias),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert snapshot(model) == before


@pytest.mark.parametrize("model", LEDGER_MODELS, ids=lambda m: m.__name__)
def test_a_new_instance_with_a_stored_key_is_never_an_update(rows, model):
    row = rows[model]
    before = snapshot(model)
    copy = model.objects.get(pk=row.pk)
    copy._state.adding = True
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    assert snapshot(model) == before


@pytest.mark.parametrize("model", LEDGER_MODELS, ids=lambda m: m.__name__)
def test_the_database_refuses_raw_update_and_delete(rows, model):
    row = rows[model]
    before = snapshot(model)
    for statement in (
        f"UPDATE {_table(model)} SET id = id WHERE id = %s",
        f"DELETE FROM {_table(model)} WHERE id = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [row.pk])
    assert snapshot(model) == before


def test_legal_erasure_deletes_only_inside_its_block_and_is_audited(rows, make_user):
    officer = make_user("director", username="dpo")
    payment = rows[Payment]
    with transaction.atomic():  # the caller's transaction goes on after the block
        with erasure_allowed("Durée de conservation échue", acting_user=officer):
            with (
                pytest.raises(IntegrityError, match="immutable"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(
                    f"UPDATE {_table(Payment)} SET amount = 999 WHERE id = %s", [payment.pk]
                )
            with pytest.raises(PermissionDenied):
                Payment.objects.filter(pk=payment.pk).update(amount=999)
            assert Payment.objects.get(pk=payment.pk).amount == Decimal("200.00")
            assert Payment.objects.filter(pk=payment.pk).delete()[0] == 1
            # A fact that caused a rappel or indu goes only once its links are erased.
            with pytest.raises(ProtectedError):
                Fact.objects.filter(pk=rows[Fact].pk).delete()
            AdjustmentCause.objects.filter(fact=rows[Fact]).delete()
            ControlFact.objects.filter(fact=rows[Fact]).delete()
            ProcessingActFact.objects.filter(fact=rows[Fact]).delete()
            assert Fact.objects.filter(pk=rows[Fact].pk).delete()[0] == 1
            AuditEventHousehold.objects.filter(event=rows[AuditEvent]).delete()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {_table(AuditEvent)} WHERE id = %s", [rows[AuditEvent].pk]
                )
            assert not AuditEvent.objects.filter(pk=rows[AuditEvent].pk).exists()
        # Outside the block, in the same transaction: refused again, at both levels.
        with pytest.raises(PermissionDenied):
            Entitlement.objects.all().delete()
        with (
            pytest.raises(IntegrityError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"DELETE FROM {_table(Entitlement)}")
    assert Entitlement.objects.count() == 1
    event = AuditEvent.objects.get(action=AuditAction.ERASE)
    assert (event.actor, event.reason) == (officer, "Durée de conservation échue")


def test_a_failed_erasure_leaves_nothing_allowed_and_nothing_deleted(rows):
    with transaction.atomic():
        with pytest.raises(RuntimeError), erasure_allowed("Purge"):
            Payment.objects.filter(pk=rows[Payment].pk).delete()
            raise RuntimeError("interrompu")
        with (
            pytest.raises(IntegrityError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"DELETE FROM {_table(Payment)}")
    assert Payment.objects.filter(pk=rows[Payment].pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ERASE).exists()


def test_an_erasure_needs_a_reason(rows):
    with pytest.raises(ValueError, match="motivé"), erasure_allowed("  "):
        Payment.objects.filter(pk=rows[Payment].pk).delete()
    assert Payment.objects.filter(pk=rows[Payment].pk).exists()


def test_sqlite_triggers_fail_closed_without_the_erasure_function(tmp_path):
    """A raw sqlite3 connection (not Django's, so without the registered function) cannot
    delete: the trigger's condition cannot even be evaluated."""
    raw = sqlite3.connect(tmp_path / "raw.sqlite3")
    raw.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount TEXT)")
    raw.execute("INSERT INTO ledger VALUES (1, '10.00')")
    for statement in immutable_rows("ledger").by_vendor["sqlite"][0]:
        raw.execute(statement)
    with pytest.raises(sqlite3.OperationalError, match="no such function"):
        raw.execute("DELETE FROM ledger")
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        raw.execute("UPDATE ledger SET amount = '999'")
    assert raw.execute("SELECT * FROM ledger").fetchall() == [(1, "10.00")]


def immutable_models() -> list[type]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if issubclass(model, Immutable) and not model._meta.abstract
    ]


def missing_triggers() -> list[str]:
    """Immutable-table triggers absent (or disabled) in the migrated database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
            )
        present = {name for (name,) in cursor.fetchall()}
    return [
        name
        for model in immutable_models()
        for name in immutable_trigger_names(model._meta.db_table)
        if name not in present
    ]


def test_every_immutable_table_has_its_triggers_in_the_migrated_database():
    """A later migration that rebuilds one of these tables on SQLite (AlterField, AddField…)
    drops its triggers: it must run `core.db.immutable_rows` again, or this fails."""
    assert set(immutable_models()) == set(LEDGER_MODELS)
    assert missing_triggers() == []


def test_the_trigger_check_sees_a_dropped_trigger():
    table = Payment._meta.db_table
    on = "" if connection.vendor == "sqlite" else f" ON {table}"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER {table}_no_delete{on}")
        assert missing_triggers() == [f"{table}_no_delete"]
        transaction.set_rollback(True)
    assert missing_triggers() == []

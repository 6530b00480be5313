"""Issue 9, item 9: what is past its retention is erased by a command, dry unless --wet-run; what
is not, and what the database protects, stays."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from justedroit.channels.models import Call, CallbackRequest, CallOutcome, CallQueue, DocumentKind
from justedroit.channels.services import documents
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import (
    ApiIdempotencyKey,
    ApiToken,
    AuditAction,
    AuditEvent,
    AuditEventHousehold,
)
from justedroit.core.roles import Role
from justedroit.data_protection import services
from justedroit.data_protection.retention import RULES_BY_KEY
from justedroit.entitlements.models import Adjustment, AdjustmentKind, Payment
from justedroit.registry import services as registry
from justedroit.registry.models import (
    Claim,
    ClaimStatus,
    Fact,
    Household,
    HouseholdAccount,
    MemberRole,
    Person,
)
from tests.data_protection.conftest import OLD, a_file

pytestmark = pytest.mark.django_db


def purge(*rules: str, wet: bool) -> str:
    out = io.StringIO()
    arguments = ["purge", *[f"--rule={rule}" for rule in rules]]
    call_command("data_protection", *arguments, *(["--wet-run"] if wet else []), stdout=out)
    return out.getvalue()


def test_a_file_past_its_retention_is_erased_whole_and_a_recent_one_kept(
    old_file, recent_file, make_user, django_capture_on_commit_callbacks, pdf
):
    user = make_user(Role.CLAIMANT, username="paul", email="paul@example.org")
    HouseholdAccount.objects.create(user=user, household=old_file)
    with clock.frozen(OLD):
        piece = documents.document_upload(
            household=old_file,
            kind=DocumentKind.PAYSLIP,
            filename="b.pdf",
            content=pdf,
            acting_user=None,
        )
        documents.document_process(
            document=piece, outcome="accepted", acting_user=make_user(Role.CASE_WORKER)
        )
    stored = documents.storage.path_of(piece.stored_name)
    assert stored.exists()
    person = old_file.memberships.get().person

    with django_capture_on_commit_callbacks(execute=True):
        output = purge("household_file", wet=True)

    assert not Household.objects.filter(number="8600001").exists()
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Fact.objects.filter(household_id=old_file.pk).exists()
    assert not Payment.objects.filter(household_id=old_file.pk).exists()
    assert not stored.exists()  # the file left the disk with its row
    assert Household.objects.filter(number="8600002").exists()
    assert recent_file.facts.count() == recent_file.payments.count() == 1
    user.refresh_from_db()
    assert (user.username, user.email, user.is_active) == (f"efface-{user.pk}", "", False)
    assert "Dossier allocataire" in output
    assert "foyer allocataire (registry.Household) : 1 ligne effacée" in output
    erasure = AuditEvent.objects.filter(action=AuditAction.ERASE, detail__rule="household_file")
    event = erasure.get()
    assert list(event.households.values_list("number", flat=True)) == ["8600001"]
    assert event.detail["rows"]["registry.Fact"] == 1
    assert event.detail["rows"]["channels.Document"] == 1
    assert event.detail["rows"]["entitlements.Entitlement"] == 1  # a hidden reverse relation
    assert event.operator.startswith("système:")


def test_a_dry_run_counts_and_changes_nothing(
    old_file, django_capture_on_commit_callbacks, settings
):
    before = (Household.objects.count(), Fact.objects.count(), AuditEvent.objects.count())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        output = purge(wet=False)
    assert callbacks == []  # no file removed either
    assert (Household.objects.count(), Fact.objects.count(), AuditEvent.objects.count()) == before
    assert output.startswith("Vérification réussie, rien n'est écrit")
    assert "foyer allocataire (registry.Household) : 1 ligne à effacer" in output
    assert "fait (registry.Fact) : 1 ligne à effacer" in output


def test_open_claims_recent_indus_and_recent_activity_keep_a_file(old_file, make_user):
    kept = {}
    kept["open claim"] = a_file("8600003", at=OLD, serial=3)
    Claim.objects.create(
        household=kept["open claim"],
        benefit="asf",
        start_month=dt.date(2019, 1, 1),
        status=ClaimStatus.GRANTED,
        recorded_at=clock.now().replace(year=2019),
    )
    kept["indu four years ago"] = a_file("8600004", at=OLD, serial=4)
    with clock.frozen(OLD):
        Adjustment.objects.create(
            household=kept["indu four years ago"],
            benefit="af",
            month=dt.date(2019, 3, 1),
            kind=AdjustmentKind.OVERPAYMENT,
            amount=Decimal("50"),
            due=Decimal("90"),
            settled_before=Decimal("140"),
            computed_at=clock.now(),
        )
    kept["fact recorded this year"] = a_file("8600005", at=OLD, serial=5)
    registry.fact_record(
        household=kept["fact recorded this year"],
        kind="rent",
        valid_from=dt.date(2022, 1, 1),
        valid_until=None,
        amount=Decimal("400"),
        source="declaration",
        acting_user=None,
    )
    purge("household_file", wet=True)
    assert not Household.objects.filter(pk=old_file.pk).exists()
    for why, household in kept.items():
        assert Household.objects.filter(pk=household.pk).exists(), why


def test_a_person_still_in_another_household_stays(old_file, recent_file):
    person = old_file.memberships.get().person
    recent_file.memberships.create(
        person=person, role=MemberRole.SPOUSE, start_date=dt.date(2022, 6, 1)
    )
    purge("household_file", wet=True)
    assert not Household.objects.filter(pk=old_file.pk).exists()
    assert Person.objects.filter(pk=person.pk).exists()


def _audit_at(at: dt.datetime, number: str) -> AuditEvent:
    with clock.frozen(at), transaction.atomic():
        return audit_record(actor=None, action=AuditAction.VIEW, household_number=number)


def test_audit_rows_older_than_three_years_go_newer_ones_stay(db):
    old = _audit_at(dt.datetime(2019, 6, 1, 9), "8600009")
    newer = _audit_at(dt.datetime(2020, 6, 1, 9), "8600009")
    purge("audit_trail", wet=True)
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert not AuditEventHousehold.objects.filter(event_id=old.pk).exists()
    assert AuditEvent.objects.filter(pk=newer.pk).exists()
    erasure = AuditEvent.objects.get(action=AuditAction.ERASE, detail__rule="audit_trail")
    assert erasure.detail["rows"] == {"core.AuditEventHousehold": 1, "core.AuditEvent": 1}


def test_a_call_stays_while_its_call_back_is_kept(db):
    def call(call_id: str) -> Call:
        return Call.objects.create(
            call_id=call_id,
            queue=CallQueue.GENERAL,
            offered_at=clock.now().replace(year=2020),
            outcome=CallOutcome.ABANDONED,
            wait_seconds=60,
            imported_at=clock.now(),
        )

    lone, called_back = call("c1"), call("c2")
    CallbackRequest.objects.create(
        call=called_back, phone="0549000000", reason="payment", requested_at=clock.now()
    )
    purge("callbacks", "calls", wet=True)
    assert not Call.objects.filter(pk=lone.pk).exists()
    assert Call.objects.filter(pk=called_back.pk).exists()


def test_immutable_rows_still_refuse_deletion_outside_a_legal_erasure(old_file):
    facts = Fact.objects.filter(household=old_file)
    with pytest.raises(PermissionDenied):
        facts.delete()
    with pytest.raises(PermissionDenied):
        services.erase_rows(Household.objects.filter(pk=old_file.pk), services.Counter())
    table = Payment._meta.db_table
    with (
        pytest.raises((IntegrityError, DatabaseError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table} WHERE household_id = %s", [old_file.pk])
    assert facts.count() == 1 and Payment.objects.filter(household=old_file).count() == 1


def test_every_rule_can_run_on_an_empty_database(db):
    output = purge(wet=True)
    for rule in RULES_BY_KEY.values():
        assert f"{rule.label} (avant le" in output


def test_months_before_keeps_the_day_or_the_end_of_a_shorter_month():
    instant = dt.datetime(2024, 3, 31, 10, tzinfo=clock.PARIS)
    assert services.months_before(instant, 1).date() == dt.date(2024, 2, 29)
    assert services.months_before(instant, 24).date() == dt.date(2022, 3, 31)
    assert services.months_before(instant, 0) == instant


def test_an_expired_token_goes_with_its_replayable_answers(make_user):
    partner = make_user(Role.PARTNER_EFS)
    created = dt.datetime(2020, 6, 1, 9, tzinfo=clock.PARIS)
    token = ApiToken.objects.create(
        user=partner,
        key_hash="a" * 64,
        prefix="abcdefgh",
        created_at=created,
        expires_at=created + dt.timedelta(days=365),
    )
    ApiIdempotencyKey.objects.create(
        token=token,
        key="k1",
        fingerprint="f" * 64,
        created_at=created,
        expires_at=created + dt.timedelta(days=1),
    )
    purge("api_tokens", wet=True)
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert not ApiIdempotencyKey.objects.exists()

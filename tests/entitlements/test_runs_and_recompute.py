"""Monthly runs (dry, paying, interrupted and resumed, one at a time), recomputations into rappels
and indus, and explanations, on the small twin."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from justedroit.core import clock
from justedroit.core.models import AuditAction, AuditEvent
from justedroit.core.roles import Role
from justedroit.entitlements.models import Adjustment, Entitlement, Payment, Run, RunStatus
from justedroit.entitlements.services import cut_off, household_recompute, month_run
from justedroit.entitlements.situations import claimed_benefits
from justedroit.registry import services as registry_services
from justedroit.registry.models import Claim, Household
from justedroit.registry.nir import synthetic_nir
from justedroit.registry.services import MemberInput

pytestmark = pytest.mark.django_db
JUNE, JULY = dt.date(2022, 6, 1), dt.date(2022, 7, 1)


def first_households(count):
    """The first `count` households (by id) with a claim running in June 2022."""
    return sorted(claimed_benefits(JUNE))[:count]


def test_a_wet_run_pays_once_and_stores_versions(small_twin):
    run = month_run(month=JUNE, wet=True, workers=1)
    assert run.errors == []
    assert run.computed == run.households > 900
    assert set(run.versions) == {"openfisca-core", "openfisca-france"}
    payments = Payment.objects.count()
    assert payments > 0 and Entitlement.objects.filter(run=run).count() >= payments
    # Only claimed benefits are paid; rights of unclaimed benefits are kept for outreach.
    for payment in Payment.objects.all()[:200]:
        assert Claim.objects.filter(
            household=payment.household_id, benefit=payment.benefit
        ).exists()
    again = month_run(month=JUNE, wet=True, workers=1)
    assert again.pk == run.pk and again.reused and Payment.objects.count() == payments
    some = first_households(300)
    rights = Entitlement.objects.count()
    partial = month_run(month=JUNE, wet=True, workers=1, household_ids=some)
    # Households with rights stored (paid, or with unclaimed rights only) are not computed again.
    stored = set(Entitlement.objects.filter(month=JUNE).values_list("household_id", flat=True))
    assert partial.households == len(set(some) - stored)
    assert Payment.objects.count() == payments and Entitlement.objects.count() == rights


def _rsa_claimant(number: str, *, since: dt.date) -> Household:
    """A household of one, claiming the RSA from `since`, with nothing declared yet."""
    nir = synthetic_nir(sex=2, birth_year=1990, birth_month=1, serial=int(number))
    household = registry_services.household_create(
        number=number,
        commune_code="86194",
        acting_user=None,
        members=[
            MemberInput(
                "claimant", nir, "Sans", "Logement", dt.date(1990, 1, 1), dt.date(2020, 1, 1)
            )
        ],
    )
    Claim.objects.create(
        household=household,
        benefit="rsa",
        start_month=since,
        status="granted",
        recorded_at=clock.now(),
    )
    return household


def _declare(household: Household, kind: str, code: str, *, at: dt.datetime, person=None):
    with clock.frozen(at):
        registry_services.fact_record(
            household=household,
            person=person,
            kind=kind,
            valid_from=dt.date(2020, 1, 1),
            valid_until=None,
            source="declaration",
            acting_user=None,
            code=code,
        )


def test_an_incomplete_household_is_reported_and_the_run_goes_on(small_twin, capsys):
    household = _rsa_claimant("0000001", since=dt.date(2021, 1, 1))
    # A tenant whose rent is unknown: the engine cannot compute the month.
    _declare(household, "housing_status", "tenant", at=dt.datetime(2021, 1, 5, 9))
    ids = [*first_households(50), household.id]
    run = month_run(month=JUNE, household_ids=ids, workers=1)
    assert run.computed == 50
    assert run.errors[0]["household"] == "0000001"
    assert "inconnu" in run.errors[0]["message"]
    with pytest.raises(CommandError, match="n'ont pas pu être calculés"):
        call_command("entitlements", "run", "--month", "2022-06", "--workers", "1")
    assert "foyer 0000001" in capsys.readouterr().err


def test_a_claim_waiting_for_its_housing_declaration_waits_instead_of_failing(db):
    """A claim filed late in May whose housing form comes after June's cut-off: June's run does
    not send it to the engine (it waits, as at a Caf, without being an error); July's pays it."""
    household = _rsa_claimant("0000002", since=JUNE)
    claimant = household.memberships.get().person
    _declare(household, "housing_commune", "86194", at=dt.datetime(2022, 5, 30, 9))
    _declare(household, "activity", "inactive", at=dt.datetime(2022, 5, 30, 9), person=claimant)
    june = month_run(month=JUNE, as_of=cut_off(JUNE), wet=True, household_ids=[household.id])
    assert (june.waiting, june.errors, june.computed) == ([household.id], [], 0)
    assert Run.objects.get(pk=june.pk).waiting == [household.id]
    _declare(household, "housing_status", "hosted_free", at=dt.datetime(2022, 6, 27, 9))
    july = month_run(month=JULY, as_of=cut_off(JULY), wet=True, household_ids=[household.id])
    assert (july.waiting, july.errors, july.computed) == ([], [], 1)
    assert Payment.objects.filter(household=household, month=JULY, benefit="rsa").exists()


def _worker_with_ppa(month):
    """A twin household paid PPA in `month` whose claimant has a salary."""
    for payment in Payment.objects.filter(benefit="ppa", month=month).order_by("household"):
        claimant = payment.household.memberships.filter(role="claimant").get().person
        if payment.household.facts.filter(kind="salary", person=claimant, amount__gt=0).exists():
            return payment.household, claimant
    raise AssertionError("no PPA recipient with a salary in the twin")


def test_a_control_finding_becomes_an_indu_linked_to_its_fact_and_only_once(small_twin):
    month_run(month=JUNE, wet=True, workers=1)
    household, claimant = _worker_with_ppa(JUNE)
    paid = Payment.objects.get(household=household, benefit="ppa", month=JUNE).amount
    with clock.frozen(dt.datetime(2023, 1, 10, 9)):
        fact = registry_services.fact_record(
            household=household,
            person=claimant,
            kind="salary",
            amount=Decimal("4000"),
            valid_from=dt.date(2022, 1, 1),
            valid_until=dt.date(2023, 1, 1),
            source="control",
            acting_user=None,
            reason="contrôle sur pièces",
        )
        created = household_recompute(
            household=household,
            first_month=JUNE,
            last_month=JUNE,
            acting_user=None,
            reason="contrôle",
        )
        again = household_recompute(
            household=household,
            first_month=JUNE,
            last_month=JUNE,
            acting_user=None,
            reason="contrôle",
        )
    indu = next(a for a in created if a.benefit == "ppa")
    assert indu.kind == "overpayment" and indu.amount == paid and indu.due == 0
    assert list(indu.causes.all()) == [fact]
    assert again == []
    assert Adjustment.objects.filter(household=household, benefit="ppa").count() == 1


def test_nothing_changed_means_no_adjustment(small_twin):
    month_run(month=JUNE, wet=True, workers=1, household_ids=first_households(20))
    household = Payment.objects.order_by("household").first().household
    assert (
        household_recompute(
            household=household, first_month=JUNE, last_month=JUNE, acting_user=None
        )
        == []
    )


def test_explain_in_three_formats(small_twin, capsys):
    household = Household.objects.order_by("number").first()
    call_command("entitlements", "explain", "--household", household.number, "--month", "2022-06")
    assert "Montants" in capsys.readouterr().out
    call_command(
        "entitlements",
        "explain",
        "--household",
        household.number,
        "--month",
        "2022-06",
        "--format",
        "json",
    )
    data = json.loads(capsys.readouterr().out)
    assert set(data["amounts"]) == {
        "af",
        "cf",
        "asf",
        "ars",
        "paje_base",
        "aide_logement",
        "rsa",
        "ppa",
        "aah",
    }
    assert any(f["kind"] == "housing_status" for f in data["facts"])
    call_command(
        "entitlements",
        "explain",
        "--household",
        household.number,
        "--month",
        "2022-06",
        "--format",
        "openfisca-json",
    )
    situation = json.loads(capsys.readouterr().out)
    assert {"situation", "outputs", "versions"} <= set(situation)
    assert "individus" in situation["situation"]
    with pytest.raises(CommandError, match="Foyer inconnu"):
        call_command("entitlements", "explain", "--household", "0000000", "--month", "2022-06")


def database_digest() -> dict[str, str]:
    """A fingerprint of every table's rows."""
    digest = {}
    for model in apps.get_models(include_auto_created=True):
        rows = model._base_manager.order_by("pk").values_list()
        digest[model._meta.db_table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digest


def test_a_dry_run_writes_nothing_at_all(small_twin, capsys):
    before = database_digest()
    call_command("entitlements", "run", "--month", "2022-06", "--workers", "1")
    assert "calculés à blanc" in capsys.readouterr().out
    assert database_digest() == before


def paid(month: dt.date) -> dict[tuple[int, str], object]:
    return {
        (household, benefit): amount
        for household, benefit, amount in Payment.objects.filter(month=month).values_list(
            "household_id", "benefit", "amount"
        )
    }


def expected_payments(households: list[int]) -> dict[tuple[int, str], object]:
    """What a run would pay, from a dry run (which writes nothing)."""
    dry = month_run(month=JUNE, household_ids=households, executor_kind="inline")
    ids = {household.number: household.pk for household in _households(households)}
    return {
        (ids[result.household_id], benefit): result.paid(benefit)
        for result in dry.results
        for benefit in result.amounts
        if result.paid(benefit) > 0
    }


def _households(ids):
    return apps.get_model("registry", "Household").objects.filter(pk__in=ids)


def test_an_interrupted_run_keeps_what_it_paid_and_the_next_one_resumes(small_twin):
    # Three chunks: the run stops after the first, the resumed one computes the two others.
    households = first_households(150)
    expected = expected_payments(households)

    def interrupt(done):  # Ctrl-C, or SIGTERM turned into it by the command
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        month_run(
            month=JUNE, wet=True, household_ids=households, workers=1, chunk=50, progress=interrupt
        )
    interrupted = Run.objects.get()
    assert (interrupted.status, interrupted.finished_at) == (RunStatus.INTERRUPTED, None)
    assert interrupted.computed == 50
    first_chunk = paid(JUNE)
    # Stored: households with a right of the first chunk (the others have nothing to store).
    stored = set(Entitlement.objects.filter(run=interrupted).values_list("household", flat=True))
    assert 0 < len({household for household, _ in first_chunk}) <= len(stored) <= 50

    resumed = month_run(month=JUNE, wet=True, household_ids=households, workers=1, chunk=50)
    assert resumed.status == RunStatus.FINISHED and resumed.skipped == len(stored)
    assert resumed.computed == len(households) - len(stored)
    assert paid(JUNE) == expected
    assert Payment.objects.filter(run=interrupted).count() == len(first_chunk)


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(small_twin):
    households = sorted(claimed_benefits(JUNE))[:20]
    now = clock.now()
    dead = Run.objects.create(month=JUNE, as_of=now, wet=True, started_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Run.objects.create(month=JUNE, as_of=now, wet=True, started_at=now)
    run = month_run(month=JUNE, wet=True, household_ids=households, executor_kind="inline")
    dead.refresh_from_db()
    assert dead.status == RunStatus.INTERRUPTED
    assert run.status == RunStatus.FINISHED and paid(JUNE) == expected_payments(households)


def test_runs_lists_each_run_with_its_state(small_twin, capsys):
    now = clock.now()
    Run.objects.create(
        month=JUNE, as_of=now, wet=True, started_at=now, status=RunStatus.INTERRUPTED
    )
    call_command("entitlements", "runs")
    out = capsys.readouterr().out
    assert "2022-06" in out and "Interrompu" in out and "relancez le mois pour reprendre" in out


def test_explaining_a_household_on_the_command_line_is_audited(small_twin, make_user):
    household = _households(sorted(claimed_benefits(JUNE))[:1]).get()
    agent = make_user(Role.CASE_WORKER, username="claire")
    call_command(
        "entitlements",
        "explain",
        "--household",
        household.number,
        "--month",
        "2022-06",
        "--operator",
        "claire",
    )
    event = AuditEvent.objects.get(household_number=household.number, action=AuditAction.VIEW)
    assert (event.actor, event.operator) == (agent, "claire")
    assert "explication" in event.reason

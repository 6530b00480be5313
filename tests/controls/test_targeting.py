"""Targeting through the real services: the year's random sample, its outcomes closed by a
controller (material indus found by the engine's recomputation), the training of a model version,
the scores, a person's decision, the bias audit, the command, and the scores' retention."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from justedroit.controls import selectors
from justedroit.controls.audit import bias_audit
from justedroit.controls.models import (
    ControlOrigin,
    ControlStatus,
    RandomSample,
    TargetingDecision,
    TargetingModel,
    TargetingScore,
)
from justedroit.controls.services import (
    Established,
    control_close,
    findings_notify,
    random_sample_draw,
    targeting_decide,
    targeting_model_train,
    targeting_scores_compute,
)
from justedroit.controls.targeting import FEATURE_NAMES
from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.entitlements.services import month_run
from justedroit.registry.models import Claim, ClaimStatus
from tests.controls.conftest import record
from tests.factories import HouseholdFactory, UserFactory
from tests.shared_world import world_transaction

pytestmark = pytest.mark.django_db
PAID_MONTHS = [dt.date(2022, m, 1) for m in range(1, 7)]
DRAWN = dt.datetime(2022, 7, 1, 10)
CLOSED = dt.datetime(2022, 7, 20, 10)
TRAINED = dt.datetime(2022, 7, 21, 10)
SCORED = dt.datetime(2022, 7, 22, 10)
CHANGERS, OTHERS = 12, 24  # plus one household whose indu lasts 3 months only


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    with world_transaction(django_db_blocker):
        yield _build()


@pytest.fixture
def world(_world, db):
    return _world


def _household(changes: int):
    household = HouseholdFactory()
    person = household.memberships.get().person
    record(household, "activity", person=person, valid_from=dt.date(2020, 1, 1), code="inactive")
    record(household, "housing_status", valid_from=dt.date(2020, 1, 1), code="hosted_free")
    record(household, "housing_commune", valid_from=dt.date(2020, 1, 1), code="86194")
    record(household, "fiscal_income_n2", valid_from=dt.date(2020, 1, 1), amount=Decimal(0))
    Claim.objects.create(
        household=household,
        benefit="rsa",
        start_month=dt.date(2021, 1, 1),
        status=ClaimStatus.GRANTED,
        recorded_at=clock.now(),
    )
    for month in range(changes):  # declared changes of resources in 2022, before the draw
        first = dt.date(2022, 2 + month, 1)
        with clock.frozen(dt.datetime(2022, 2 + month, 5, 9)):
            record(
                household,
                "other_income",
                person=person,
                valid_from=first,
                until=clock.add_months(first, 1),
                amount=Decimal("20"),
            )
    household.person = person
    return household


def _build():
    with clock.frozen(dt.datetime(2021, 12, 1, 9)):
        changers = [_household(3) for _ in range(CHANGERS)]
        others = [_household(0) for _ in range(OTHERS)]
        short = _household(0)
    everyone = [*changers, *others, short]
    for month in PAID_MONTHS:
        with clock.frozen(dt.datetime(month.year, month.month, 26, 9)):
            month_run(month=month, wet=True, workers=1, household_ids=[h.id for h in everyone])
    controller = UserFactory(role=Role.CONTROLLER, username="controleur")
    with clock.frozen(DRAWN):
        sample = random_sample_draw(
            year=2022, size=500, seed=2022, acting_user=None, reference_day=DRAWN.date()
        )
    controls = {c.household_id: c for c in sample.controls.all()}
    with clock.frozen(dt.datetime(2022, 7, 2, 9)):
        for household in [*changers, short]:
            findings_notify(
                control=controls[household.id], findings="Salaire", acting_user=controller
            )
    with clock.frozen(CLOSED):
        for household in [*changers, short]:
            # RSA is computed on the previous quarter: a salary since October 2021 makes indus
            # January–June 2022 (6 months); since March 2022, April–June only.
            first = dt.date(2021, 10, 1) if household in changers else dt.date(2022, 3, 1)
            established = [
                Established("salary", first, dt.date(2022, 7, 1), household.person, Decimal(1500))
            ]
            control_close(
                control=controls[household.id],
                established=established,
                suspected_fraud=False,
                note="",
                acting_user=controller,
            )
        for household in others:
            control_close(
                control=controls[household.id],
                established=[],
                suspected_fraud=False,
                note="",
                acting_user=controller,
            )
    with clock.frozen(TRAINED):
        model = targeting_model_train(year=2022, acting_user=controller)
    return {
        "sample": sample,
        "controls": controls,
        "changers": changers,
        "others": others,
        "short": short,
        "model": model,
    }


def test_the_sample_is_every_household_s_random_control_drawn_once(world):
    sample = world["sample"]
    assert sample.population == CHANGERS + OTHERS + 1
    assert {c.origin for c in sample.controls.all()} == {ControlOrigin.RANDOM_SAMPLE}
    with clock.frozen(DRAWN):
        again = random_sample_draw(year=2022, seed=2022, acting_user=None)
        assert again.pk == sample.pk and again.controls.count() == sample.population
        with pytest.raises(ValidationError, match="déjà tiré"):
            random_sample_draw(year=2022, seed=1, acting_user=None)


def test_the_draw_is_replayed_by_its_seed(world):
    def draw():
        with transaction.atomic(), clock.frozen(DRAWN):
            sample = random_sample_draw(
                year=2023, size=10, seed=5, acting_user=None, reference_day=DRAWN.date()
            )
            drawn = sorted(sample.controls.values_list("household_id", flat=True))
            transaction.set_rollback(True)
        return drawn

    first = draw()
    assert len(first) == 10 and draw() == first
    assert not RandomSample.objects.filter(year=2023).exists()


def test_the_label_is_an_indu_of_600_euros_over_6_months_or_more(world):
    controls = world["controls"]
    labelled = selectors.material_indu_controls(c.pk for c in controls.values())
    assert labelled == {controls[h.id].pk for h in world["changers"]}
    short = controls[world["short"].id]
    short.refresh_from_db()
    assert short.overpayment >= 600  # material in euros, but 3 months only


def test_the_model_version_is_trained_on_what_was_known_at_the_draw(world):
    model = world["model"]
    assert (model.training_size, model.positives) == (CHANGERS + OTHERS + 1, CHANGERS)
    assert model.features == list(FEATURE_NAMES)
    assert set(model.coefficients) == set(FEATURE_NAMES)
    assert model.coefficients["resource_changes_12m"] > 0
    # The indus the sample's controls found came after the draw: not in the training rows.
    _ids, rows, _labels = selectors.training_set(world["sample"])
    assert {r["overpayment_months_24m"] for r in rows.values()} == {0.0}
    assert AuditEvent.objects.filter(object_type="controls.TargetingModel").exists()


def test_training_needs_a_sample_and_enough_closed_controls(world):
    with pytest.raises(ValidationError, match="Aucun échantillon"):
        targeting_model_train(year=2021, acting_user=None)
    with clock.frozen(DRAWN):
        random_sample_draw(year=2024, size=5, seed=1, acting_user=None, reference_day=DRAWN.date())
    with pytest.raises(ValidationError, match="il en faut"):
        targeting_model_train(year=2024, acting_user=None)


def test_scores_are_computed_once_and_listed_best_first(world):
    model = world["model"]
    with clock.frozen(SCORED):
        assert targeting_scores_compute(model=model, acting_user=None) == CHANGERS + OTHERS + 1
        assert targeting_scores_compute(model=model, acting_user=None) == 0
    listed = list(selectors.targeting_list(model, limit=100))
    assert [s.score for s in listed] == sorted((s.score for s in listed), reverse=True)
    changers = {h.id for h in world["changers"]}
    assert {s.household_id for s in listed[:CHANGERS]} == changers


def test_a_person_selects_or_sets_aside_and_the_decision_is_recorded(world, make_user):
    model = world["model"]
    with clock.frozen(SCORED):
        targeting_scores_compute(model=model, acting_user=None)
    top, second = list(selectors.targeting_list(model, limit=2))
    manager = make_user(Role.MANAGER)
    with pytest.raises(ValidationError, match="contrôleur ou un responsable"):
        targeting_decide(score=top, decision="selected", acting_user=make_user(Role.CASE_WORKER))
    with pytest.raises(ValidationError, match="pourquoi"):
        targeting_decide(score=second, decision="set_aside", acting_user=manager)
    decision = targeting_decide(
        score=top, decision="selected", kind="on_site", reason="priorité", acting_user=manager
    )
    assert decision.control.origin == ControlOrigin.TARGETING
    assert decision.control.status == ControlStatus.OPEN
    assert decision.values == top.values and decision.score == top.score
    set_aside = targeting_decide(
        score=second, decision="set_aside", reason="contrôlé en 2021", acting_user=manager
    )
    assert set_aside.control is None
    with pytest.raises(ValidationError, match="déjà été prise"):
        targeting_decide(score=top, decision="set_aside", reason="x", acting_user=manager)
    listed = {s.household_id for s in selectors.targeting_list(model, limit=100)}
    assert top.household_id not in listed and second.household_id not in listed
    assert (
        AuditEvent.objects.filter(object_type="controls.TargetingDecision", actor=manager).count()
        == 2
    )


def test_scores_and_set_aside_decisions_go_after_six_months_selections_stay(world, make_user):
    model = world["model"]
    with clock.frozen(SCORED):
        targeting_scores_compute(model=model, acting_user=None)
        top, second = list(selectors.targeting_list(model, limit=2))
        manager = make_user(Role.MANAGER)
        kept = targeting_decide(score=top, decision="selected", acting_user=manager)
        targeting_decide(score=second, decision="set_aside", reason="x", acting_user=manager)
    out = io.StringIO()
    with clock.frozen(dt.datetime(2023, 1, 21, 10)):  # 6 months less a day
        call_command("data_protection", "purge", "--rule=targeting", "--wet-run", stdout=out)
    assert TargetingScore.objects.count() == CHANGERS + OTHERS + 1
    with clock.frozen(dt.datetime(2023, 1, 23, 10)):
        call_command("data_protection", "purge", "--rule=targeting", "--wet-run", stdout=out)
    assert not TargetingScore.objects.exists()
    assert list(TargetingDecision.objects.all()) == [kept]
    assert TargetingModel.objects.filter(pk=model.pk).exists()


def test_the_bias_audit_of_the_year_and_its_naive_comparison(world):
    report = bias_audit(2022)
    assert report.in_sample and report.population == CHANGERS + OTHERS + 1
    assert report.positives == CHANGERS
    rsa = next(g for g in report.fair.groups if g.group == "rsa_recipient")
    assert (rsa.selection.k, rsa.selection.n) == (8, 37)  # ⌈20 % × 37⌉, everyone on RSA
    assert report.fair.precision.k == 8  # the 8 best scores are changers
    assert "single_parent" in report.naive.coefficients
    assert "single_parent" not in report.fair.coefficients
    assert bias_audit(2020) is None


def test_the_commands_train_dry_unless_wet_and_audit_in_french(world):
    out = io.StringIO()
    before = TargetingModel.objects.count()
    with clock.frozen(TRAINED):
        call_command("controls", "train", "--year", "2022", stdout=out)
        assert TargetingModel.objects.count() == before
        call_command("controls", "train", "--year", "2022", "--wet-run", stdout=out)
    assert TargetingModel.objects.count() == before + 1
    assert "resource_changes_12m" in out.getvalue()
    out = io.StringIO()
    call_command("controls", "audit", "--year", "2022", stdout=out)
    text = out.getvalue()
    assert "Parité statistique" in text and "Taux de faux positifs" in text
    assert "Allocataires du RSA" in text and "Modèle naïf" in text


def test_the_pages_publish_the_model_explain_the_file_and_log_the_decision(
    world, client, make_user
):
    model = world["model"]
    with clock.frozen(SCORED):
        targeting_scores_compute(model=model, acting_user=None)
    top = selectors.targeting_list(model, limit=1)[0]
    client.force_login(make_user(Role.RECEPTION))
    published = client.get(reverse("controls:targeting")).content.decode()
    assert "resource_changes_12m" in published and "Revue des proxys" in published
    controller = make_user(Role.CONTROLLER)
    client.force_login(controller)
    listing = client.get(reverse("controls:targeting_list")).content.decode()
    assert top.household.number in listing and "Pourquoi ce score" in listing
    refused = client.post(
        reverse("controls:targeting_list"), {"score": top.pk, "decision": "set_aside"}
    )
    assert refused.status_code == 400 and "pourquoi" in refused.content.decode()
    response = client.post(
        reverse("controls:targeting_list"),
        {"score": top.pk, "decision": "selected", "kind": "documents", "reason": ""},
    )
    decision = TargetingDecision.objects.get(household=top.household)
    assert decision.decided_by == controller
    assert response["Location"] == reverse("controls:control", args=[decision.control_id])
    page = client.get(response["Location"]).content.decode()
    assert "Pourquoi ce foyer a été retenu" in page
    assert "Changements de ressources déclarés sur 12 mois : 3 (nombre)" in page
    client.force_login(make_user(Role.DIRECTOR))
    audit = client.get(reverse("controls:targeting_audit"), {"annee": "2022"})
    text = audit.content.decode()
    assert "Allocataires du RSA" in text and "Modèle naïf" in text and "Wilson" in text

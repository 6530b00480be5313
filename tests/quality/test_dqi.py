"""The DQI process map: seeded with the platform's processes, each indicator bound to a live
indicator of the registry that `justedroit indicators` uses, reviewed against its target."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from justedroit.core.indicators import registered
from justedroit.core.roles import Role
from justedroit.quality import selectors, services
from justedroit.quality.models import Direction, Process, ProcessIndicator, ProcessKind
from justedroit.quality.selectors import IndicatorReview

pytestmark = pytest.mark.django_db

COVERED = {
    "accueil",
    "documents",
    "telephone",
    "courriels",
    "droits",
    "controles",
    "fraude",
    "recouvrement",
    "cra",
    "acces_aux_droits",
    "qualite",
}


def test_the_map_is_seeded_with_the_platforms_processes_of_each_kind():
    assert set(Process.objects.values_list("code", flat=True)) == COVERED
    kinds = {label: [p.code for p in ps] for label, ps in selectors.processes_by_kind()}
    assert set(kinds) == set(ProcessKind.labels)
    assert all(kinds.values()), kinds
    assert all(p.risks.exists() for p in Process.objects.all())


def test_every_bound_indicator_exists_in_the_registry():
    known = {i.code for i in registered()}
    bound = set(ProcessIndicator.objects.values_list("code", flat=True))
    assert bound, "no indicator bound to the map"
    assert bound <= known, f"indicators bound to a process but not declared: {bound - known}"
    assert selectors.unknown_indicator_codes() == []


def test_an_unknown_bound_code_is_reported():
    ProcessIndicator.objects.create(
        process=Process.objects.get(code="cra"), code="cra_nonexistent", direction=Direction.UP
    )
    assert selectors.unknown_indicator_codes() == ["cra_nonexistent"]


def test_targets_are_data_with_their_source():
    calls = ProcessIndicator.objects.get(code="call_answer_rate")
    assert calls.target == Decimal("90") and "COG" in calls.target_source
    assert not ProcessIndicator.objects.filter(target__isnull=False, target_source="").exists()


@pytest.mark.parametrize(
    ("direction", "value", "previous", "trend", "met"),
    [
        (Direction.UP, Decimal("92"), Decimal("88"), "en progrès", True),
        (Direction.UP, Decimal("85"), Decimal("88"), "en recul", False),
        (Direction.DOWN, Decimal("85"), Decimal("88"), "en progrès", True),
        (Direction.DOWN, Decimal("92"), Decimal("92"), "stable", False),
        (Direction.UP, None, Decimal("92"), "—", None),
    ],
)
def test_trend_and_target_follow_the_direction(direction, value, previous, trend, met):
    binding = ProcessIndicator(code="x", direction=direction, target=Decimal("90"))
    row = IndicatorReview(binding=binding, label="x", unit="%", value=value, previous=previous)
    assert row.trend == trend
    assert row.target_met is met


def test_process_review_computes_the_live_indicators_for_the_two_years():
    calls = Process.objects.get(code="telephone")
    rows = selectors.process_review(calls, 2022)
    assert [r.binding.code for r in rows] == list(calls.indicators.values_list("code", flat=True))
    by_code = {i.code: i for i in registered()}
    for row in rows:
        assert row.value == by_code[row.binding.code].compute(2022)
        assert row.previous == by_code[row.binding.code].compute(2021)


def test_only_a_process_pilot_can_pilot_a_process(make_user):
    director = make_user(Role.DIRECTOR)
    process = Process.objects.get(code="documents")
    with pytest.raises(ValidationError):
        services.process_pilot_assign(
            process=process, pilot=make_user(Role.CASE_WORKER), acting_user=director
        )
    assert Process.objects.get(code="documents").pilot is None
    pilot = make_user(Role.PROCESS_PILOT)
    services.process_pilot_assign(process=process, pilot=pilot, acting_user=director)
    assert Process.objects.get(code="documents").pilot == pilot


def test_a_process_action_plan_reuses_the_quality_actions(make_user):
    pilot = make_user(Role.PROCESS_PILOT)
    process = Process.objects.get(code="documents")
    action = services.quality_action_open(
        kind="improvement",
        title="Réduire le stock de pièces de plus de 15 jours",
        owner=pilot,
        due_date=dt.date(2099, 1, 1),
        acting_user=pilot,
        process=process,
    )
    assert list(selectors.process_actions(process)) == [action]
    assert list(selectors.process_actions(Process.objects.get(code="cra"))) == []

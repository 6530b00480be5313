import datetime as dt
import hashlib
import itertools
from collections import defaultdict

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from stdnum.fr import nir

from justedroit.registry.models import Claim, Commune, Fact, Household, Person
from justedroit.registry.nir import is_synthetic_nir
from justedroit.rules.inputs import resource_window
from justedroit.twin.build import generate
from justedroit.twin.models import TwinBuild
from justedroit.twin.rights import LOWERED_KINDS
from justedroit.twin.selectors import calibration_report

pytestmark = pytest.mark.django_db


def communes():
    return list(
        Commune.objects.order_by("insee_code").values_list("insee_code", "population", "apl_zone")
    )


def digest(twin) -> str:
    """A fingerprint of everything the twin would write."""
    sha = hashlib.sha256()
    arrays = [
        twin.households.number,
        twin.households.entry_month,
        twin.households.commune,
        twin.persons.birth_date,
        twin.persons.start_date,
        twin.nirs,
        twin.last_names,
        twin.first_names,
        *twin.economy.facts.values(),
        *twin.economy.claims.values(),
    ]
    for array in arrays:
        sha.update(np.asarray(array).astype(str).tobytes())
    return sha.hexdigest()


def test_same_seed_and_scale_give_identical_data():
    first = generate(seed=86, scale=0.01, communes=communes())
    again = generate(seed=86, scale=0.01, communes=communes())
    other = generate(seed=87, scale=0.01, communes=communes())
    assert digest(first) == digest(again)
    assert digest(first) != digest(other)


def test_build_writes_a_calibrated_synthetic_population(small_twin):
    build = TwinBuild.objects.get()
    assert Household.objects.count() == build.households
    assert Person.objects.count() == build.persons
    assert Fact.objects.count() == build.facts
    assert not Household.objects.filter(is_synthetic=False).exists()
    assert not Person.objects.filter(is_synthetic=False).exists()
    for value in Person.objects.values_list("nir", flat=True)[:500]:
        assert nir.is_valid(value) and is_synthetic_nir(value)
    # Every household is an allocataire: it claimed at least one benefit.
    assert not Household.objects.filter(claims__isnull=True).exists()
    assert (
        Claim.objects.filter(benefit="ppa").exists()
        and Claim.objects.filter(benefit="aide_logement").exists()
    )
    # Resources start where the engine's window of January 2021 starts (its housing aid counts
    # twelve months back): none missing, counted as 0 €, in 2021's rights.
    assert (
        Fact.objects.filter(kind="salary").order_by("valid_from").first().valid_from
        == (resource_window(dt.date(2021, 1, 1))[0])
    )
    # The period's births are spread over its months, not piled on its last day.
    births = Person.objects.filter(
        memberships__role="child", birth_date__gte=dt.date(2021, 1, 1)
    ).values_list("birth_date", flat=True)
    last_day = sum(1 for day in births if day == dt.date(2022, 12, 31))
    assert len(births) > 50 and last_day <= 2
    assert sum(1 for day in births if day.year == 2021) > 0.35 * len(births)


def test_households_live_where_the_population_lives(small_twin):
    poitiers = Household.objects.filter(commune="86194").count()
    share = poitiers / Household.objects.count()
    assert 0.13 < share < 0.23  # Poitiers is 20 % of the Vienne's population


def test_a_second_build_reuses_the_twin_and_a_different_one_is_refused(small_twin, capsys):
    call_command("twin", "build", "--scale", "0.01", "--seed", "86")
    assert TwinBuild.objects.count() == 1
    with pytest.raises(CommandError, match="Un jumeau existe déjà"):
        call_command("twin", "build", "--scale", "0.02", "--seed", "86")
    with pytest.raises(CommandError, match="L'échelle doit être comprise"):
        call_command("twin", "build", "--scale", "0", "--seed", "1")


def test_calibration_prints_target_against_generated(small_twin, capsys):
    call_command("twin", "calibration")
    output = capsys.readouterr().out
    assert "Foyers allocataires au 31/12/2022" in output
    rows = {label: (target, generated) for label, target, generated, _ in calibration_report()}
    assert rows["Foyers allocataires au 31/12/2022"] == ("948", "948")
    assert rows["Foyers supplémentaires vs 2021"] == ("7", "7")


def test_the_rights_engine_leaves_few_households_without_a_paid_right(small_twin):
    rights = TwinBuild.objects.get().rights
    assert set(rights) == {"claims_added", "incomes_lowered", "without_right", "facts_corrected"}
    assert rights["without_right"] < 0.03 * Household.objects.count()
    rows = {label: generated for label, _, generated, _ in calibration_report()}
    assert rows["Foyers toujours sans droit payé au mois de référence"] == str(
        rights["without_right"]
    )


def test_income_repairs_are_corrections_recorded_after_the_draw(small_twin):
    """The twin obeys the registry's rules: halving a draw's incomes records new facts (same
    source, a microsecond later) and changes none; what is known afterwards is the halved draw."""
    versions = defaultdict(list)
    for fact in Fact.objects.filter(kind__in=LOWERED_KINDS).order_by("recorded_at", "id"):
        key = (fact.household_id, fact.person_id, fact.kind, fact.valid_from, fact.valid_until)
        versions[key].append(fact)
    corrections = 0
    for facts in versions.values():
        for drawn, corrected in itertools.pairwise(facts):
            assert corrected.recorded_at - drawn.recorded_at == dt.timedelta(microseconds=1)
            assert corrected.source == drawn.source
            assert corrected.amount == (drawn.amount / 2).quantize(drawn.amount)
            corrections += 1
    assert corrections == TwinBuild.objects.get().rights["facts_corrected"] > 0

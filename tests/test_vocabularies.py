"""The law (`rules`, which may import nothing of the project) keeps its own copy of the registry's
vocabularies; these tests keep the copies equal, so a benefit, activity or housing status added
on one side only fails here rather than as a KeyError in a payment run."""

from justedroit.entitlements.situations import FAMILY_ROLE, RESOURCE_OF_FACT
from justedroit.registry.facts import RESOURCE_KINDS as RESOURCE_FACTS
from justedroit.registry.models import Activity, Benefit, HousingStatus, MemberRole
from justedroit.rules import batch, inputs, situation


def test_benefits_are_the_same_in_order():
    assert list(situation.BENEFITS) == Benefit.values
    assert set(situation.FRENCH_LABELS) == set(Benefit.values)
    assert set(Benefit.values) >= situation.NEEDS_FISCAL_INCOME


def test_family_roles_are_the_same():
    assert list(situation.FAMILY_ROLES) == MemberRole.values
    assert set(FAMILY_ROLE) == set(MemberRole.values)
    assert set(FAMILY_ROLE.values()) == set(situation.FAMILY_ROLES)
    assert set(batch.ROLE_ORDER) == set(situation.FAMILY_ROLES)


def test_activities_are_the_same():
    assert list(situation.ACTIVITIES) == Activity.values
    assert set(inputs.ACTIVITE) - {None} == set(Activity.values)


def test_housing_statuses_are_the_same():
    assert list(situation.HOUSING_STATUSES) == HousingStatus.values
    assert set(inputs.STATUT_OCCUPATION) == set(HousingStatus.values)
    assert set(situation.PAYING_STATUSES) <= set(HousingStatus.values)


def test_resource_kinds_map_one_to_one():
    assert sorted(RESOURCE_OF_FACT) == sorted(kind.value for kind in RESOURCE_FACTS)
    assert sorted(RESOURCE_OF_FACT.values()) == sorted(situation.RESOURCE_KINDS)
    assert set(inputs.RESOURCE_VARIABLES) == set(situation.RESOURCE_KINDS)

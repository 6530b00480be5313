"""Factories for the objects most tests need. Households go through the registry's own service,
so a test household obeys the same rules (NIR check, one claimant, audit row) as a real one."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from justedroit.core.models import User
from justedroit.core.roles import Role
from justedroit.registry import services
from justedroit.registry.models import Household
from justedroit.registry.nir import synthetic_nir
from justedroit.registry.services import MemberInput


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    role = Role.CASE_WORKER
    username = factory.LazyAttribute(lambda user: f"u-{user.role}")
    password = factory.django.Password("x")


def claimant(
    *,
    last_name: str = "Durand",
    first_name: str = "Paul",
    sex: int = 1,
    birth_date: dt.date = dt.date(1985, 2, 1),
    serial: int = 7,
    since: dt.date = dt.date(2020, 1, 1),
    role: str = "claimant",
) -> MemberInput:
    """A member with a synthetic NIR consistent with the sex and birth date given."""
    nir = synthetic_nir(
        sex=sex, birth_year=birth_date.year, birth_month=birth_date.month, serial=serial
    )
    return MemberInput(role, nir, last_name, first_name, birth_date, since)


class HouseholdFactory(factory.Factory):
    """`HouseholdFactory(number=..., members=[claimant(...)])`: created through
    `registry.services.household_create`."""

    class Meta:
        model = Household

    number = factory.Sequence(lambda n: f"{1_234_567 + n:07d}")
    commune_code = "86194"  # Poitiers
    # One claimant whose NIR follows from the household number: two households never share one.
    members = factory.LazyAttribute(lambda household: [claimant(serial=int(household.number))])

    @classmethod
    def _create(cls, model_class, **fields):
        return services.household_create(acting_user=None, **fields)

import datetime as dt

import pytest
from django.core.management import call_command

from justedroit.core import clock
from justedroit.core.models import User
from justedroit.core.roles import Role

REFERENCE_INSTANT = dt.datetime(2022, 12, 31, 10, 0)


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(REFERENCE_INSTANT) as instant:
        yield instant


@pytest.fixture
def make_user(db):
    def make(role: Role, username: str | None = None, **extra) -> User:
        return User.objects.create_user(
            username=username or f"u-{role.value}", password="x", role=role, **extra
        )

    return make


@pytest.fixture
def small_twin(db):
    """The twin at 1 % scale (about 1,100 households), built through the real command."""
    call_command("twin", "build", "--scale", "0.01", "--seed", "86")

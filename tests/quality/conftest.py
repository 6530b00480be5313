"""The controls' paid household (RSA January–June 2022, no income declared) serves here too;
the telephone process of the DQI map with its pilot."""

import pytest

from justedroit.core.roles import Role
from justedroit.quality import services
from justedroit.quality.models import Process
from tests.controls.conftest import _paid_household, document_dir, paid_household

__all__ = ["_paid_household", "document_dir", "paid_household"]


@pytest.fixture
def piloted(make_user):
    """The telephone process, its pilot named by the direction."""
    pilot = make_user(Role.PROCESS_PILOT, username="pilote-tel")
    process = Process.objects.get(code="telephone")
    services.process_pilot_assign(
        process=process, pilot=pilot, acting_user=make_user(Role.DIRECTOR, username="dir")
    )
    return Process.objects.get(code="telephone")

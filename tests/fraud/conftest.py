"""A household paid RSA January–June 2022 on a declaration of no income; a control finds a salary
from March to June, and concludes on a suspected fraud (fixtures of tests/controls)."""

import datetime as dt
from decimal import Decimal

import pytest

from justedroit.controls.models import ControlKind, ControlOrigin
from justedroit.controls.services import (
    Established,
    control_close,
    control_open,
    findings_notify,
)
from justedroit.core import clock
from justedroit.core.roles import Role
from tests.controls import conftest as controls

# The controls' fixtures, shared: the paid household (built once per module) and the documents'
# directory.
_paid_household = controls._paid_household
paid_household = controls.paid_household
document_dir = controls.document_dir

MARCH, APRIL, MAY, JUNE, JULY = (dt.date(2022, m, 1) for m in (3, 4, 5, 6, 7))


@pytest.fixture
def controller(make_user):
    return make_user(Role.CONTROLLER, first_name="Camille", last_name="Contrôle")


@pytest.fixture
def director(make_user):
    return make_user(Role.DIRECTOR, first_name="Dominique", last_name="Direction")


@pytest.fixture
def fraud_control(paid_household, controller):
    """The control closed on 26/07/2022 with a suspected fraud: salary March–June."""
    with clock.frozen(dt.datetime(2022, 7, 1, 9)):
        control = control_open(
            household=paid_household,
            kind=ControlKind.DOCUMENTS,
            origin=ControlOrigin.AGENT,
            acting_user=controller,
        )
        findings_notify(control=control, findings="Salaire non déclaré.", acting_user=controller)
    with clock.frozen(dt.datetime(2022, 7, 27, 9)):
        return control_close(
            control=control,
            established=[
                Established(
                    kind="salary",
                    first_month=MARCH,
                    until=JULY,
                    person=paid_household.claimant,
                    amount=Decimal("1500"),
                )
            ],
            suspected_fraud=True,
            note="Salaire dissimulé.",
            acting_user=controller,
        )

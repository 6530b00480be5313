"""The fraud cases qualified in the year and their prejudice, month by month (Paris time): what
the qualifications recorded, and the year is the sum of its months."""

import datetime as dt

import pytest

from justedroit.core import clock
from justedroit.core.indicators import in_millions, per_month
from justedroit.fraud import selectors, services
from justedroit.fraud.models import Qualification
from tests.fraud.conftest import JUNE, MARCH
from tests.fraud.test_files import DAY, open_from_control, qualify
from tests.indicator_series import assert_counts, year_and_months

pytestmark = pytest.mark.django_db


def _reported(household, controller, month: dt.date):
    with clock.frozen(DAY):
        return services.fraud_file_open(
            household=household,
            report="Signalement d'un bailleur.",
            facts="Salaire non déclaré.",
            first_month=month,
            last_month=month,
            acting_user=controller,
        )


def test_fraud_cases_and_prejudice_by_month_of_qualification(fraud_control, controller):
    household = fraud_control.household
    august = open_from_control(fraud_control, controller)
    qualify(august, controller, at=dt.datetime(2022, 8, 1, 9))
    december = _reported(household, controller, JUNE)
    qualify(december, controller, at=dt.datetime(2022, 12, 31, 23, 30))  # Paris
    next_year = _reported(household, controller, MARCH)
    qualify(next_year, controller, at=dt.datetime(2023, 1, 1, 0, 30))  # 31/12 in UTC
    fault = _reported(household, controller, MARCH)
    qualify(fault, controller, Qualification.FAULT, at=dt.datetime(2022, 9, 1, 9))
    august.refresh_from_db()
    december.refresh_from_db()
    assert august.prejudice > 0

    assert_counts("fraud_cases", 2022, {8: 1, 12: 1})
    assert_counts("fraud_cases", 2023, {1: 1})
    prejudice = per_month(selectors.qualified_in(2022), "qualified_at", total="prejudice")
    recorded = {8: august.prejudice, 12: december.prejudice}
    assert prejudice == {month: recorded.get(month, 0) for month in range(1, 13)}
    amount, months = year_and_months("fraud_amount", 2022)
    assert months == {m: in_millions(v) for m, v in prejudice.items()}
    assert amount == in_millions(august.prejudice + december.prejudice)

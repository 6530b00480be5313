import datetime as dt

import pytest

from justedroit.core.calendar import is_holiday
from justedroit.reception import indicators
from justedroit.reception.models import Appointment, Ticket
from justedroit.twin.simulate import reception

pytestmark = pytest.mark.django_db


def test_twin_simulation_follows_the_rules_and_the_calibration(small_twin):
    counts = reception.simulate(
        first_month=dt.date(2021, 1, 1), last_month=dt.date(2022, 12, 1), seed=86, scale=0.01
    )
    assert counts["rendez_vous"] == Appointment.objects.count() > 0
    assert counts["tickets"] == Ticket.objects.count() > 0
    # 1 % of the seed's 57 262 visitors, 22 % on appointment, +43 % on 2021.
    assert indicators.visitors(2022) == pytest.approx(573, rel=0.02)
    assert indicators.appointment_share(2022) == pytest.approx(22, abs=1)
    assert indicators.visitors(2022) / indicators.visitors(2021) == pytest.approx(1.43, rel=0.03)
    starts = Appointment.objects.values_list("starts_at", flat=True)
    assert not any(is_holiday(s.date()) or s.weekday() > 4 for s in starts)
    assert indicators.wait_p90(2022) >= indicators.wait_mean(2022) > 0


def test_a_one_month_simulation_gets_that_months_share_of_the_year(small_twin):
    from justedroit.reception import calibration as cal

    march = reception.simulate(
        first_month=dt.date(2022, 3, 1), last_month=dt.date(2022, 3, 1), seed=86, scale=0.01
    )
    walk_ins = (cal.VISITORS[2022] - sum(cal.held(2022).values())) * 0.01
    # One month of twelve (seasonality aside), not the whole year packed into it.
    assert 0.04 * walk_ins < march["tickets"] < 0.16 * walk_ins
    assert not Ticket.objects.exclude(day__month=3).exists()

import datetime as dt

import pytest

from justedroit.core import clock
from justedroit.core.calendar import is_holiday
from justedroit.reception import indicators
from justedroit.reception.models import Appointment, Site, Ticket, TicketStatus
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


def test_the_demo_day_opens_when_people_wait_at_the_main_site(small_twin):
    """The demo's clock (30/12/2022 at 10:30, an open day) cuts the twin's last day at the
    liveliest instant of its morning: whoever the twin makes arrive at the main site by then,
    someone is waiting when the demo opens — with the twin's own visitors, none added."""
    december = dt.date(2022, 12, 1)
    clock_at = dt.datetime(2022, 12, 30, 10, 30, tzinfo=clock.PARIS)
    main = Site.objects.order_by("-desks", "-slug").first()
    fields = ("site", "day", "number", "arrived_at")
    with clock.frozen(dt.datetime(2023, 1, 1, tzinfo=clock.PARIS)):
        reception.simulate(first_month=december, last_month=december, seed=86, scale=0.05)
    finished = list(Ticket.objects.order_by("id").values_list(*fields))
    day = Ticket.objects.filter(site=main, day=clock_at.date())
    assert day.filter(arrived_at__lt=clock_at).exists()  # the twin has people come that morning
    Ticket.objects.all().delete()
    Appointment.objects.all().delete()
    with clock.frozen(clock_at):
        counts = reception.simulate(first_month=december, last_month=december, seed=86, scale=0.05)
    opening = dt.datetime.fromisoformat(counts["ouverture"])
    assert opening <= clock_at
    assert day.filter(status=TicketStatus.WAITING).exists()
    kept = list(Ticket.objects.order_by("id").values_list(*fields))
    assert kept == [row for row in finished if row[3] < opening]

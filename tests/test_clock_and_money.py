import datetime as dt
from decimal import Decimal

import pytest

from justedroit.core import clock
from justedroit.core.money import euros, format_euros


def test_tests_run_on_a_frozen_clock(frozen_clock):
    assert clock.now() == frozen_clock
    assert clock.now().tzinfo == clock.PARIS
    assert clock.today() == dt.date(2022, 12, 31)


def test_pinned_date_keeps_the_time_of_day_running(monkeypatch, settings):
    monkeypatch.setattr(clock, "_frozen", None)
    settings.JUSTEDROIT_TODAY = "2022-06-15"
    first = clock.now()
    assert first.date() == dt.date(2022, 6, 15)
    assert clock.now() >= first


def test_pinned_instant_starts_the_process_there_and_keeps_running(monkeypatch, settings):
    monkeypatch.setattr(clock, "_frozen", None)
    settings.JUSTEDROIT_TODAY = "2022-12-30T10:30"
    first = clock.now()
    assert first.date() == dt.date(2022, 12, 30)
    assert first.tzinfo == clock.PARIS
    assert first >= dt.datetime(2022, 12, 30, 10, 30, tzinfo=clock.PARIS)
    assert clock.now() >= first


def test_months():
    assert clock.add_months(dt.date(2022, 11, 1), 3) == dt.date(2023, 2, 1)
    assert clock.parse_month("2022-06") == dt.date(2022, 6, 1)
    with pytest.raises(ValueError, match="format attendu AAAA-MM"):
        clock.parse_month("juin 2022")


def test_money_is_decimal_cents():
    assert euros(Decimal("10.005")) == Decimal("10.01")
    assert format_euros(Decimal("1234.5")) == "1\u202f234,50 €"


def test_a_ticking_clock_never_gives_the_same_instant_twice_and_restores_the_outer_one():
    outer = dt.datetime(2022, 6, 25, 19, tzinfo=clock.PARIS)
    with clock.frozen(outer):
        with clock.frozen(outer, tick=dt.timedelta(microseconds=1)):
            first, second = clock.now(), clock.now()
            assert first == outer + dt.timedelta(microseconds=1)
            assert second == first + dt.timedelta(microseconds=1)
        assert clock.now() == clock.now() == outer

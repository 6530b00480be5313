import datetime as dt

import pytest

from justedroit.core import clock


@pytest.fixture(autouse=True)
def ticking_clock(frozen_clock, monkeypatch):
    """The frozen clock (the suite's instant, or one a test sets with `clock.frozen`), one
    millisecond later at each reading: a cycle's steps (import, control, recomputation) record
    their facts at distinct instants, as in a real process, and the registry refuses two facts of
    a kind for the same subject recorded at the same instant."""
    frozen_now, ticks = clock.now, 0

    def now() -> dt.datetime:
        nonlocal ticks
        ticks += 1
        return frozen_now() + dt.timedelta(milliseconds=ticks)

    monkeypatch.setattr(clock, "now", now)

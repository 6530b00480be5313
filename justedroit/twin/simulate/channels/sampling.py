"""How the channels' simulators place a month's events: yearly quotas split over the months,
exact counts for published shares, days and Paris wall-clock times by the weekly and hourly
profiles. Times are numpy datetime64 (Paris wall clock); `instants.stored` converts them."""

import datetime as dt

import numpy as np

from justedroit.channels.calibration import YearlyTarget
from justedroit.core import clock
from justedroit.core.calendar import holiday_array
from justedroit.twin.simulate.channels.parameters import PARAMETERS as P


def plan(target: YearlyTarget, months: list[dt.date], scale: float) -> dict[dt.date, int]:
    """Events per simulated month: the year's scaled target split by the monthly profile."""
    out = {}
    for year in sorted({m.year for m in months}):
        quota = month_quota(round(float(target.for_year(year)) * scale), P.month_weight)
        for month in months:
            if month.year == year:
                out[month] = int(quota[month.month - 1])
    return out


def month_quota(total: int, weights) -> np.ndarray:
    """Split `total` over 12 months by weights with exact integer total (largest remainder)."""
    raw = np.asarray(weights, dtype=float) / np.sum(weights) * total
    counts = np.floor(raw).astype(np.int64)
    rest = total - counts.sum()
    counts[np.argsort(-(raw - counts), kind="stable")[:rest]] += 1
    return counts


def quota(planned: dict[dt.date, int], month: dt.date, share) -> int:
    """This month's part of the year's quota round(n × share %), by cumulative rounding so that
    the year's total is exact whatever the scale."""
    before = sum(n for m, n in planned.items() if m.year == month.year and m < month)
    ratio = float(share) / 100
    return round((before + planned[month]) * ratio) - round(before * ratio)


def quota_mask(rng, size: int, count: int, among: np.ndarray | None = None) -> np.ndarray:
    """Exactly `count` True values, at random positions (within `among` when given)."""
    pool = np.arange(size) if among is None else among
    mask = np.zeros(size, dtype=bool)
    mask[rng.permutation(pool)[:count]] = True
    return mask


def pick(rng, options: dict, size: int) -> np.ndarray:
    """`size` keys of `options`, drawn by their weights."""
    keys = np.array(list(options), dtype=object)
    probabilities = np.array(list(options.values()), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=probabilities / probabilities.sum())]


def days(month: dt.date, before: dt.date, working_only: bool) -> np.ndarray:
    """The month's days before `before` (working days only when asked), as datetime64[D]."""
    end = min(clock.add_months(month, 1), before)
    out = np.arange(np.datetime64(month, "D"), np.datetime64(end, "D"))
    if working_only:
        out = out[np.is_busday(out, holidays=holiday_array())]
    return out


def times(rng, among: np.ndarray, size: int, *, office: bool) -> np.ndarray:
    """`size` sorted Paris wall-clock instants on the days `among`: office hours from 9:00 by half
    hour, or any hour of the day online."""
    if size == 0 or len(among) == 0:
        return np.array([], dtype="datetime64[s]")
    weekday = (among.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 1970-01-01: Thursday
    weekday_weight = np.array(P.weekday_weight)
    day = among[rng.choice(len(among), size=size, p=norm(weekday_weight[weekday]))]
    if office:
        half_hours = len(P.half_hour_weight)
        slot = rng.choice(half_hours, size=size, p=norm(P.half_hour_weight))
        seconds = P.office_opens_hour * 3600 + slot * 1800 + rng.integers(0, 1800, size)
    else:
        hour = rng.choice(24, size=size, p=norm(P.online_hour_weight))
        seconds = hour * 3600 + rng.integers(0, 3600, size)
    instants = day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    return np.sort(instants)


def norm(weights) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    return weights / weights.sum()


def first_id(model) -> int:
    """The next primary key after the table's last one."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1

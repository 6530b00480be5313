"""Paris wall-clock instants of the simulators (numpy datetime64) → what the database stores.

Offsets come from `zoneinfo` (Europe/Paris), hour by hour: Paris changes offset on the hour, so
each wall-clock hour has one offset, including the two days a year when it changes. A wall-clock
time that does not exist (02:xx on the last Sunday of March) keeps the offset before the change;
one that happens twice (02:xx on the last Sunday of October) is its first occurrence, as
`datetime(..., tzinfo=PARIS)` does.
"""

import datetime as dt

import numpy as np
from django.db import connection

from justedroit.core.clock import PARIS


def utc_from_paris(local: np.ndarray) -> np.ndarray:
    """Paris wall-clock datetime64 values → the same instants in UTC (naive datetime64[s])."""
    local = np.asarray(local).astype("datetime64[s]")
    hours, inverse = np.unique(local.astype("datetime64[h]"), return_inverse=True)
    offsets = np.array(
        [
            int(hour.astype(dt.datetime).replace(tzinfo=PARIS).utcoffset().total_seconds())
            for hour in hours
        ],
        dtype=np.int64,
    )
    return local - offsets[inverse.reshape(local.shape)].astype("timedelta64[s]")


def stored(local: np.ndarray) -> list:
    """Paris wall-clock datetime64 values (NaT for none) → the values this connection stores: UTC
    text as Django writes it on SQLite, and with its offset for PostgreSQL's COPY."""
    if len(local) == 0:
        return []
    missing = np.isnat(local)
    utc = utc_from_paris(np.where(missing, np.datetime64(0, "s"), local))
    text = np.char.replace(np.datetime_as_string(utc, unit="s"), "T", " ").astype(object)
    if connection.vendor == "postgresql":
        text = text + "+00:00"
    text[missing] = None
    return text.tolist()

"""The 3230's calls, month by month: the year's published volume, answered at the year's rate,
with waits and talk times; some identified callers who gave up leave a call-back request."""

import numpy as np

from justedroit.channels import calibration as cal
from justedroit.channels.models import Call, CallbackRequest
from justedroit.core.db import bulk_insert_columns
from justedroit.twin.simulate.channels import sampling
from justedroit.twin.simulate.channels.parameters import PARAMETERS as P
from justedroit.twin.simulate.instants import stored


def simulate_calls(rng, months, scale, households, cutoff_day, now_local) -> dict[str, int]:
    planned = sampling.plan(cal.CALLS_RECEIVED, months, scale)
    total = callbacks = 0
    callback_base = sampling.first_id(CallbackRequest)
    call_base = sampling.first_id(Call)
    for month in months:
        times = sampling.times(
            rng, sampling.days(month, cutoff_day, True), planned[month], office=True
        )
        n = len(times)
        answered = rng.random(n) < float(cal.CALL_ANSWER_RATE.for_year(month.year)) / 100
        wait = np.where(
            answered,
            _lognormal(rng, P.answered_wait, P.wait_bounds, n),
            _lognormal(rng, P.abandoned_wait, P.wait_bounds, n),
        ).astype(np.int64)
        talk = np.where(answered, _lognormal(rng, P.talk, P.talk_bounds, n), 0)
        identified = rng.random(n) < P.calls_identified_share
        household = np.where(identified, households[rng.integers(0, len(households), n)], -1)
        reason = np.where(identified, sampling.pick(rng, P.reasons, n), "")
        # Identified callers call from their own number; others from anywhere.
        phone = np.where(identified, household % 10_000, rng.integers(0, 10_000, n))
        numbers = np.array([f"+3319900{p:04d}" for p in phone.tolist()], dtype=object)
        offered_at = stored(times)
        ids = call_base + total + np.arange(n)
        bulk_insert_columns(
            Call,
            {
                "id": ids.tolist(),
                "call_id": [f"J{month:%Y%m}-{k:06d}" for k in range(n)],
                "queue": sampling.pick(rng, P.call_queues, n).tolist(),
                "offered_at": offered_at,
                "outcome": np.where(answered, "answered", "abandoned").tolist(),
                "wait_seconds": wait.tolist(),
                "talk_seconds": talk.astype(np.int64).tolist(),
                "caller_number": numbers.tolist(),
                "household_id": [None if h < 0 else h for h in household.tolist()],
                "reason": reason.tolist(),
                "imported_at": offered_at,
            },
        )
        asks = np.flatnonzero(
            ~answered & identified & (rng.random(n) < P.callback_share_of_abandoned)
        )
        done = times[asks] + np.timedelta64(P.callback_after, "s")
        done = np.where(done <= now_local, done, np.datetime64("NaT"))
        bulk_insert_columns(
            CallbackRequest,
            {
                "id": (callback_base + callbacks + np.arange(len(asks))).tolist(),
                "household_id": household[asks].tolist(),
                "call_id": ids[asks].tolist(),
                "phone": numbers[asks].tolist(),
                "reason": reason[asks].tolist(),
                "requested_at": [offered_at[i] for i in asks.tolist()],
                "status": np.where(np.isnat(done), "open", "done").tolist(),
                "done_at": stored(done),
                "note": [""] * len(asks),
            },
        )
        total += n
        callbacks += len(asks)
    return {"appels": total, "demandes de rappel": callbacks}


def _lognormal(rng, median_sigma, bounds, size: int) -> np.ndarray:
    median, sigma = median_sigma
    return np.clip(rng.lognormal(np.log(median), sigma, size), *bounds)

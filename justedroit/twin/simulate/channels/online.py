"""Claims and declarations (« démarches »), month by month: online at the year's published rate,
the others on paper, at a desk or through a partner, during office hours."""

import numpy as np

from justedroit.channels import calibration as cal
from justedroit.channels.models import Procedure
from justedroit.core.db import bulk_insert_columns
from justedroit.registry.models import Benefit
from justedroit.twin.simulate.channels import sampling
from justedroit.twin.simulate.channels.parameters import PARAMETERS as P
from justedroit.twin.simulate.instants import stored


def simulate_procedures(rng, months, scale, households, cutoff_day) -> dict[str, int]:
    planned = sampling.plan(cal.PROCEDURES, months, scale)
    base = sampling.first_id(Procedure)
    total = 0
    benefits = np.array(Benefit.values, dtype=object)
    for month in months:
        n = planned[month]
        share = cal.ONLINE_RATE.for_year(month.year)
        online = sampling.quota_mask(rng, n, sampling.quota(planned, month, share))
        submitted = np.empty(n, dtype="datetime64[s]")
        all_days = sampling.days(month, cutoff_day, False)
        web = sampling.times(rng, all_days, int(online.sum()), office=False)
        working_days = sampling.days(month, cutoff_day, True)
        desk = sampling.times(rng, working_days, int((~online).sum()), office=True)
        if len(web) != online.sum() or len(desk) != (~online).sum():
            continue  # the month has no day before the reference date
        submitted[online], submitted[~online] = web, desk
        kind = sampling.pick(rng, P.procedure_kinds, n)
        channel = np.where(online, "online", sampling.pick(rng, P.paper_channels, n))
        benefit = np.where(kind == "claim", benefits[rng.integers(0, len(benefits), n)], "")
        bulk_insert_columns(
            Procedure,
            {
                "id": (base + total + np.arange(n)).tolist(),
                "household_id": households[rng.integers(0, len(households), n)].tolist(),
                "kind": kind.tolist(),
                "channel": channel.tolist(),
                "benefit": benefit.tolist(),
                "submitted_at": stored(submitted),
            },
        )
        total += n
    return {"démarches": total}

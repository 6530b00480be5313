"""The twin's calls, e-mails, documents and online procedures, month by month.

- `parameters.py`: the behavioural parameters and their sources; the volumes and shares met are
  the channels domain's targets (`justedroit/channels/calibration.py`: the seed's figures, then
  documented hypotheses);
- `sampling.py`: quotas and placement over days and hours, shared by the four simulators;
- `calls.py`, `emails.py`, `documents.py`, `online.py`: one simulator per channel.

Published figures are met by quotas — the year's exact count at the given scale, then random
placement over working days and hours — so the indicators match the seed at scale 1.0. Rows are
written with the twin's bulk path and follow the same rules as the services: the same
working-time clock for e-mail delays, automatic routing only for online structured declarations,
processing dates never after the reference instant. Events are drawn in Paris wall-clock time and
stored as UTC instants (`twin.simulate.instants`).
"""

import datetime as dt
from collections.abc import Callable

import numpy as np

from justedroit.channels.models import (
    Call,
    CallbackRequest,
    Document,
    EmailMessage,
    EmailThread,
    Procedure,
)
from justedroit.core import clock
from justedroit.core.db import reset_sequences
from justedroit.registry.models import Household
from justedroit.twin.simulate.channels.calls import simulate_calls
from justedroit.twin.simulate.channels.documents import simulate_documents
from justedroit.twin.simulate.channels.emails import simulate_emails
from justedroit.twin.simulate.channels.online import simulate_procedures


def simulate(
    *,
    first_month: dt.date,
    last_month: dt.date,
    seed: int,
    scale: float,
    progress: Callable[[str], None] = lambda note: None,
) -> dict[str, int]:
    rng = np.random.default_rng([seed, 5])
    months = []
    month = first_month
    while month <= last_month:
        months.append(month)
        month = clock.add_months(month, 1)
    now = clock.now()
    cutoff_day = now.date()  # events happen on days before "today"
    households = np.array(
        Household.objects.filter(is_synthetic=True).order_by("id").values_list("id", flat=True),
        dtype=np.int64,
    )
    if len(households) == 0:
        return {}
    now_local = np.datetime64(now.replace(tzinfo=None), "s")  # Paris wall clock
    world = (rng, months, scale, households, cutoff_day)
    counts = simulate_calls(*world, now_local)
    progress(f"appels : {counts['appels']}")
    counts |= simulate_emails(*world, now_local)
    progress(f"courriels : {counts['courriels reçus']}")
    counts |= simulate_documents(*world, now_local)
    progress(f"documents : {counts['documents']}")
    counts |= simulate_procedures(*world)
    progress(f"démarches : {counts['démarches']}")
    reset_sequences(Call, CallbackRequest, EmailThread, EmailMessage, Document, Procedure)
    return counts

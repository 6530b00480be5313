"""The twin's truth (`justedroit.twin.truth`), drawn once, before any other simulator.

- `parameters.py`: how often situations change and how households declare, with their sources;
- `baseline.py`: what the population already declares truthfully, copied as the truth's start;
- `changes.py`: the changes drawn over the period (pay rises, new jobs, hidden couples, hidden
  departures abroad, months of variable pay, rents that fall, tenants housed free of charge)
  and how each is declared.

The truth is a property of the twin, not of a period: a second `twin simulate` (another period)
reuses it. Its declarations and the partners' files are written month by month
(`twin.simulate.months`).
"""

from django.db.models import Max

from justedroit.core.db import bulk_insert_records, reset_sequences
from justedroit.twin.simulate.truth.baseline import baseline_rows
from justedroit.twin.simulate.truth.changes import change_rows
from justedroit.twin.truth.models import TruePeriod


def simulate(*, first_month, last_month, seed, scale, progress=lambda note: None) -> dict:
    if TruePeriod.objects.exists():
        progress("vérité déjà tirée")
        return {"periodes_vraies": 0}
    next_id = (TruePeriod.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    declared = baseline_rows(next_id)
    progress(f"{len(declared)} périodes déclarées fidèlement")
    changes, counts = change_rows(
        next_id + len(declared), declared, first_month=first_month, last_month=last_month, seed=seed
    )
    bulk_insert_records(TruePeriod, declared + changes)
    reset_sequences(TruePeriod)
    return {"periodes_vraies": len(declared) + len(changes), **counts}

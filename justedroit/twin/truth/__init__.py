"""The twin's truth: what is really the case for each household and month, beside what the
household declared (registry facts, source « déclaration »).

Only the twin reads it (import-linter contract « Only the twin reads its truth »): its simulators
draw the households' declarations and the partners' files from it, and a controller's findings
(on-site controls) can be drawn from it. The product never sees it — it knows what was declared,
what the partners sent and what controls found, as a real Caf does.

- `models.py`: `TruePeriod`, a value true over months (a resource, an activity, a partner living
  in the household, a departure abroad, the rent, the occupancy status), with how and when the
  household declared it;
- `reading.py`: the true values of one month.
"""

"""The twin's fight against fraud, after the controllers each month:

- `suspicion.py`: the controller's suspicion — a control on documents or on site that
  establishes a deliberate concealment closes on a suspected fraud when it gathered elements of
  intent (the hook in `controls_settle_from_truth` decides only that flag);
- `team.py`: the fraud team (a named referent, a controller) and the director take each file
  through the procedure, with the fraud domain's services, on its deadlines;
- `prevention.py`: the month's prevention letters, within the Caf's capacity;
- `parameters.py`: the behaviours, with their sources.

The fraud figures (cases, prejudice) are not parameters: they follow from the truth's deliberate
concealments the controls find and the engine's recomputation of the fraudulent periods.
"""

import datetime as dt

from justedroit.twin.simulate.fraud.prevention import prevention_month
from justedroit.twin.simulate.fraud.team import fraud_team_month


def fraud_month(month: dt.date, *, scale: float) -> dict[str, int]:
    """The fraud team's and the director's month, then the month's prevention letters."""
    return fraud_team_month(month) | prevention_month(month, scale=scale)

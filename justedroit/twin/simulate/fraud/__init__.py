"""The twin's fight against fraud, after the controllers each month:

- `suspicion.py`: the controller's suspicion — a control on documents or on site that
  establishes a deliberate concealment closes on a suspected fraud when it gathered elements of
  intent (the hook in `controls_settle_from_truth` decides only that flag);
- `team.py`: the fraud team (a named referent, a controller) and the director take each file
  through the procedure, with the fraud domain's services, on its deadlines;
- `parameters.py`: the behaviours, with their sources, and the Caf's calibrated capacity of
  prevention letters, which the twin passes to the Caf's cycle (its step `prevention_letters`
  writes them, as its step `fraud_deadlines` keeps the procedure's clock).

The fraud figures (cases, prejudice) are not parameters: they follow from the truth's deliberate
concealments the controls find and the engine's recomputation of the fraudulent periods.
"""

import datetime as dt

from justedroit.twin.simulate.fraud.parameters import PARAMETERS
from justedroit.twin.simulate.fraud.team import fraud_team_month


def fraud_month(month: dt.date) -> dict[str, int]:
    """The fraud team's and the director's month."""
    return fraud_team_month(month)


def prevention_capacity(scale: float) -> float:
    """The Caf's yearly capacity of prevention letters at the twin's scale, for its cycle."""
    return PARAMETERS.prevention_letters_per_year * scale

"""The Caf's prevention letters in the twin: each month, after the cycle has imported the
partners' files, the rule « new job while on RSA » names the households paid RSA for the month
before (the latest month the DSN covers) whose salary the partner knows and they did not declare;
the Caf writes to them within its monthly capacity (`prevention_letters_per_year`, a twelfth a
month, scaled), through the domain's service."""

import datetime as dt

from justedroit.core import clock
from justedroit.fraud.services import prevention_letters_send
from justedroit.twin.simulate.fraud.parameters import PARAMETERS as P
from justedroit.twin.simulate.fraud.team import referent


def monthly_capacity(month: dt.date, scale: float) -> int:
    """This month's share of the yearly volume, the remainders spread over the year."""
    yearly = P.prevention_letters_per_year * scale
    return round(yearly * month.month / 12) - round(yearly * (month.month - 1) / 12)


def prevention_month(month: dt.date, *, scale: float) -> dict[str, int]:
    counts = prevention_letters_send(
        month=clock.add_months(month, -1),
        acting_user=referent(),
        at_most=monthly_capacity(month, scale),
    )
    return {"mises_en_garde_cibles": counts["targets"], "mises_en_garde": counts["letters"]}

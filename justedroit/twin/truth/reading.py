"""The truth of one month, read from `TruePeriod`."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from justedroit.twin.truth.models import TrueKind, TruePeriod

Value = tuple[Decimal | None, str]  # amount, code


@dataclass
class TrueMonth:
    """What is true in `month`: per person and kind, per household and kind (fiscal income,
    partner, abroad, rent, occupancy status)."""

    month: dt.date
    persons: dict[tuple[int, str], Value] = field(default_factory=dict)
    households: dict[tuple[int, str], Value] = field(default_factory=dict)

    def amount(self, person_id: int, kind: str) -> Decimal:
        return self.persons.get((person_id, kind), (None, ""))[0] or Decimal(0)

    def activity(self, person_id: int) -> str:
        return self.persons.get((person_id, TrueKind.ACTIVITY), (None, ""))[1]

    def abroad(self, household_id: int) -> bool:
        return (household_id, TrueKind.ABROAD) in self.households


def true_month(month: dt.date) -> TrueMonth:
    """For each subject and kind, the value of the period covering `month` that starts latest
    (a drawn change after what was declared when both start the same month)."""
    periods = (
        TruePeriod.objects.filter(
            Q(month_until__isnull=True) | Q(month_until__gt=month), month_from__lte=month
        )
        # Same start: "declared" before "change" (descending), so the change is read last and wins.
        .order_by("month_from", "-origin", "id")
        .values_list("household_id", "person_id", "kind", "amount", "code")
    )
    truth = TrueMonth(month)
    for household_id, person_id, kind, amount, code in periods:
        if person_id is None:
            truth.households[(household_id, kind)] = (amount, code)
        else:
            truth.persons[(person_id, kind)] = (amount, code)
    return truth

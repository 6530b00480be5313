"""The truth's start: what the twin's population declared, which is true (the build draws
truthful declarations; partners' facts — the DGFiP's income, France Travail's allowances — are
true by definition). Copied once from the registry, before the twin writes any declaration of its
own, so that later declarations (late, wrong) never become the truth."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from justedroit.registry.models import Fact, FactSource
from justedroit.twin.truth.models import Origin, TrueKind

PERSON_KINDS = (
    TrueKind.SALARY,
    TrueKind.UNEMPLOYMENT_BENEFIT,
    TrueKind.PENSION,
    TrueKind.ACTIVITY,
)
HOUSEHOLD_KINDS = (TrueKind.FISCAL_INCOME_N2, TrueKind.RENT, TrueKind.HOUSING_STATUS)


@dataclass(slots=True)
class TrueRow:
    """One `TruePeriod` row, by field name."""

    id: int
    household: int
    person: int | None
    kind: str
    month_from: dt.date
    month_until: dt.date | None
    amount: Decimal | None
    code: str
    origin: str
    change: str = ""
    behaviour: str = ""
    declared_at: dt.datetime | None = None
    declared_amount: Decimal | None = None


def baseline_rows(first_id: int) -> list[TrueRow]:
    """One row per subject, kind and period declared (the latest correction of each)."""
    facts = (
        Fact.objects.filter(
            kind__in=[*PERSON_KINDS, *HOUSEHOLD_KINDS],
            source__in=[FactSource.DECLARATION, FactSource.PARTNER_EXCHANGE],
        )
        .order_by("recorded_at", "id")
        .values_list(
            "household_id", "person_id", "kind", "valid_from", "valid_until", "amount", "code"
        )
    )
    latest: dict[tuple, tuple] = {}
    for household_id, person_id, kind, valid_from, valid_until, amount, code in facts:
        latest[(household_id, person_id, kind, valid_from, valid_until)] = (amount, code)
    return [
        TrueRow(first_id + i, *key[:2], key[2], key[3], key[4], amount, code, Origin.DECLARED)
        for i, (key, (amount, code)) in enumerate(sorted(latest.items(), key=_order))
    ]


def _order(item):
    (household_id, person_id, kind, valid_from, valid_until), _ = item
    return (household_id, person_id or 0, kind, valid_from, valid_until or dt.date.max)

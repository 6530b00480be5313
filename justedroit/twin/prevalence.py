"""What the truth's deliberate concealments cost: the benefits the real engine would have paid
less had every deliberately hidden change been known, per year — the twin's fraud prevalence, to
set beside the Cnaf's estimate of fraud (`truth/parameters.py`, CNAF_FRAUD).

A measurement, not a simulation step: the hidden facts are recorded and the households' months
recomputed inside a transaction that is rolled back, so nothing is left in the database. What a
control established already is known to the Caf and adds nothing here; the caller adds the indus
of those controls back (`scripts/twin_deliberate_cost.py`)."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from justedroit.entitlements.models import AdjustmentKind
from justedroit.entitlements.services import households_recompute_from
from justedroit.registry import services as registry_services
from justedroit.registry.models import FactKind, FactSource, Residence
from justedroit.rules.situation import FIRST_SUPPORTED_MONTH
from justedroit.twin.truth.models import Behaviour, TrueKind, TruePeriod

ZERO = Decimal("0.00")


def deliberate_cost(last_month: dt.date) -> dict[int, Decimal]:
    """Year → indus minus rappels the engine computes for months up to `last_month` once the
    deliberate concealments are known (rolled back: nothing is written)."""
    periods = list(
        TruePeriod.objects.filter(behaviour=Behaviour.DELIBERATE, month_from__lte=last_month)
    )
    if not periods:
        return {}
    facts = [_fact(p) for p in periods]
    first_months: dict[int, dt.date] = {}
    for fact in facts:
        start = max(fact.valid_from, FIRST_SUPPORTED_MONTH)
        first_months[fact.household_id] = min(start, first_months.get(fact.household_id, start))
    cost: dict[int, Decimal] = defaultdict(lambda: ZERO)
    with transaction.atomic():
        registry_services.facts_record_bulk(
            facts=facts,
            source=FactSource.AGENT,
            acting_user=None,
            reason="mesure : dissimulations délibérées de la vérité (annulée)",
        )
        for adjustment in households_recompute_from(
            first_months=first_months, last_month=last_month, acting_user=None
        ):
            sign = 1 if adjustment.kind == AdjustmentKind.OVERPAYMENT else -1
            cost[adjustment.month.year] += sign * adjustment.amount
        transaction.set_rollback(True)
    return dict(cost)


def _fact(period: TruePeriod) -> registry_services.FactInput:
    if period.kind == TrueKind.PARTNER:
        kind, amount, code = FactKind.PARTNER_RESOURCES, period.amount or ZERO, ""
    elif period.kind == TrueKind.ABROAD:
        kind, amount, code = FactKind.RESIDENCE, None, Residence.ABROAD
    else:
        kind, amount, code = period.kind, period.amount, period.code
    return registry_services.FactInput(
        household_id=period.household_id,
        person_id=period.person_id,
        kind=kind,
        valid_from=period.month_from,
        valid_until=period.month_until,
        amount=amount,
        code=code,
    )

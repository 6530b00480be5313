"""Indus made directly as rows of the rights engine, for the recovery tests."""

import datetime as dt
from decimal import Decimal

from justedroit.core import clock
from justedroit.entitlements.models import Adjustment, AdjustmentKind


def indu(household, benefit: str, month: dt.date, amount: str, reason="contrôle") -> Adjustment:
    return Adjustment.objects.create(
        household=household,
        benefit=benefit,
        month=month,
        kind=AdjustmentKind.OVERPAYMENT,
        amount=Decimal(amount),
        due=Decimal("0.00"),
        settled_before=Decimal(amount),
        computed_at=clock.now(),
        reason=reason,
    )

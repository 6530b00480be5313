"""Reads: payments, rights, rappels and indus, explanations."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Sum
from django.db.models.functions import ExtractYear

from justedroit.core.indicators import shared_within_report
from justedroit.entitlements.models import Adjustment, Payment, Run
from justedroit.registry.models import Household

ZERO = Decimal("0.00")


@shared_within_report
def paid_in_year(year: int) -> dict[str, Decimal]:
    """Amount paid per benefit for the months of `year`."""
    rows = Payment.objects.filter(month__year=year).values("benefit").annotate(total=Sum("amount"))
    return {row["benefit"]: row["total"] for row in rows}


def paid_by_month(year: int) -> list[tuple[dt.date, Decimal, int]]:
    """(month, amount paid, households paid) for each month of `year` that was paid."""
    rows = (
        Payment.objects.filter(month__year=year)
        .values("month")
        .annotate(paid=Sum("amount"), households=Count("household", distinct=True))
        .order_by("month")
    )
    return [(r["month"], r["paid"], r["households"]) for r in rows]


@shared_within_report
def households_paid_in_year(year: int) -> int:
    return Payment.objects.filter(month__year=year).values("household").distinct().count()


def household_payments(household: Household, months: int = 24, only: dt.date | None = None):
    """Payments of the last `months` months paid (or of the month `only`), newest first, grouped
    by month."""
    payments = Payment.objects.filter(household=household)
    if only is not None:
        payments = payments.filter(month=only)
    rows = payments.order_by("-month", "benefit").values_list("month", "benefit", "amount")
    by_month: dict[dt.date, dict[str, Decimal]] = {}
    for month, benefit, amount in rows:
        if month not in by_month and len(by_month) == months:
            break
        by_month.setdefault(month, {})[benefit] = amount
    return by_month


@dataclass
class BenefitLine:
    benefit: str
    paid: Decimal = ZERO
    adjusted: Decimal = ZERO  # rappels minus indus computed since the payment

    @property
    def due(self) -> Decimal:
        """What is due from the facts known at the last recomputation."""
        return self.paid + self.adjusted


@dataclass
class MonthPayments:
    month: dt.date
    paid_at: dt.datetime | None = None
    lines: list[BenefitLine] = field(default_factory=list)

    @property
    def total_paid(self) -> Decimal:
        return sum((line.paid for line in self.lines), ZERO)

    @property
    def total_due(self) -> Decimal:
        return sum((line.due for line in self.lines), ZERO)

    @property
    def changed(self) -> bool:
        return any(line.adjusted for line in self.lines)


def household_months(
    household: Household, months: int = 24, only: dt.date | None = None
) -> list[MonthPayments]:
    """The last `months` months paid (or the month `only`), newest first: per benefit what was
    paid, the rappels and indus computed since, and so what is due now; the payment date."""
    paid = household_payments(household, months=months, only=only)
    if not paid:
        return []
    dates = dict(
        Payment.objects.filter(household=household, month__in=list(paid))
        .values("month")
        .annotate(last=Max("paid_at"))
        .values_list("month", "last")
    )
    adjusted: dict[tuple[dt.date, str], Decimal] = {}
    for adjustment in Adjustment.objects.filter(household=household, month__in=list(paid)):
        key = (adjustment.month, adjustment.benefit)
        adjusted[key] = adjusted.get(key, ZERO) + adjustment.signed
    rows = []
    for month, amounts in paid.items():
        benefits = sorted(set(amounts) | {b for (m, b) in adjusted if m == month})
        lines = [
            BenefitLine(b, amounts.get(b, ZERO), adjusted.get((month, b), ZERO)) for b in benefits
        ]
        rows.append(MonthPayments(month, dates.get(month), lines))
    return rows


@dataclass(frozen=True)
class PaidMonth:
    month: dt.date
    paid_at: dt.datetime
    as_of: dt.datetime  # the facts known when the month was computed for payment
    lines: "MonthPayments"


def household_month_payment(household: Household, month: dt.date) -> PaidMonth | None:
    """One month paid to the household: when, from which facts, what (None if not paid)."""
    payment = (
        Payment.objects.filter(household=household, month=month)
        .select_related("run")
        .order_by("-paid_at")
        .first()
    )
    if payment is None:
        return None
    (lines,) = household_months(household, only=month)
    return PaidMonth(month, payment.paid_at, payment.run.as_of, lines)


def household_adjustments(household: Household):
    return (
        Adjustment.objects.filter(household=household)
        .prefetch_related("causes")
        .order_by("-computed_at", "month", "benefit")
    )


def runs(limit: int = 50):
    return Run.objects.order_by("-started_at")[:limit]


def paid_months() -> list[dt.date]:
    return list(
        Run.objects.filter(wet=True, finished_at__isnull=False)
        .values_list("month", flat=True)
        .distinct()
        .order_by("month")
    )


def yearly_paid_households() -> dict[int, int]:
    rows = (
        Payment.objects.annotate(year=ExtractYear("month"))
        .values("year")
        .annotate(n=Count("household", distinct=True))
    )
    return {row["year"]: row["n"] for row in rows}

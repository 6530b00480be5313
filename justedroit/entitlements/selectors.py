"""Reads: payments, rights, rappels and indus, explanations."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum
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


@shared_within_report
def households_paid_in_year(year: int) -> int:
    return Payment.objects.filter(month__year=year).values("household").distinct().count()


def household_payments(household: Household, months: int = 24):
    """Payments of the last `months` months paid, newest first, grouped by month."""
    rows = (
        Payment.objects.filter(household=household)
        .order_by("-month", "benefit")
        .values_list("month", "benefit", "amount")
    )
    by_month: dict[dt.date, dict[str, Decimal]] = {}
    for month, benefit, amount in rows:
        if month not in by_month and len(by_month) == months:
            break
        by_month.setdefault(month, {})[benefit] = amount
    return by_month


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

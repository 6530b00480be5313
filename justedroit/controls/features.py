"""The targeting model's variables, read from what the Caf knew at an instant (`as_of`): payments,
registry facts (bitemporal: a fact recorded later never changes the answer), claims and past
controls. Also the groups the bias audit compares (single parents, AAH and RSA recipients, rural
communes, age bands), which the model itself never reads (docs/ciblage.md)."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum

from justedroit.controls.models import Control, ControlKind, ControlOutcome
from justedroit.controls.targeting import FEATURE_NAMES
from justedroit.core import clock
from justedroit.core.calendar import months_later
from justedroit.entitlements.models import Adjustment, AdjustmentKind, Payment
from justedroit.registry.facts import RESOURCE_KINDS
from justedroit.registry.models import (
    Benefit,
    Claim,
    ClaimStatus,
    Fact,
    FactKind,
    FactSource,
    Household,
    MemberRole,
    Membership,
)
from justedroit.registry.selectors import facts_known

# Benefits recomputed on the last months' resources: an undeclared change makes an indu.
INCOME_TESTED = (Benefit.RSA, Benefit.PPA, Benefit.AIDE_LOGEMENT)
ACTIVITY_INCOME = (FactKind.SALARY, FactKind.SELF_EMPLOYMENT)
MONTHS_SINCE_CAP = 36
# INSEE's historical definition of a rural commune (fewer than 2,000 inhabitants); the Caf holds
# no list of the priority neighbourhoods (QPV) by address, so that group is not audited.
RURAL_POPULATION = 2_000
AGE_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 25, "moins de 25 ans"),
    (25, 35, "25-34 ans"),
    (35, 50, "35-49 ans"),
    (50, 65, "50-64 ans"),
    (65, 200, "65 ans et plus"),
)
GROUPS = {
    "single_parent": "Parents isolés",
    "aah_recipient": "Allocataires de l'AAH",
    "rsa_recipient": "Allocataires du RSA",
    "rural": "Communes rurales (moins de 2 000 habitants)",
    **{f"age:{label}": f"Allocataire de {label}" for _, _, label in AGE_BANDS},
}


def feature_rows(household_ids, as_of: dt.datetime) -> dict[int, dict[str, float]]:
    """For each household, the model's variables as the Caf knew them at `as_of` (the reference
    month is the month of `as_of`)."""
    ids = list(household_ids)
    month = clock.month_start(as_of.astimezone(clock.PARIS).date())
    year_ago, two_years_ago = clock.add_months(month, -12), clock.add_months(month, -24)
    rows = {hid: dict.fromkeys(FEATURE_NAMES, 0.0) for hid in ids}
    rows_months = {hid: float(MONTHS_SINCE_CAP) for hid in ids}

    paid = (
        Payment.objects.filter(
            household_id__in=ids, month__gte=year_ago, month__lt=month, paid_at__lte=as_of
        )
        .values("household_id")
        .annotate(total=Sum("amount"), tested=Sum("amount", filter=Q(benefit__in=INCOME_TESTED)))
    )
    for row in paid:
        total, tested = row["total"] or Decimal(0), row["tested"] or Decimal(0)
        rows[row["household_id"]]["paid_monthly"] = round(float(total) / 12 / 100, 4)
        if total > 0:
            rows[row["household_id"]]["income_tested_share"] = round(float(tested / total), 4)

    declared = Fact.objects.filter(
        household_id__in=ids,
        kind__in=RESOURCE_KINDS,
        source=FactSource.DECLARATION,
        recorded_at__lte=as_of,
    )
    for declared_row in (
        declared.values("household_id")
        .annotate(
            changes=Count("id", filter=Q(recorded_at__gt=months_later(as_of, -12))),
            last=Max("recorded_at"),
        )
        .values("household_id", "changes", "last")
    ):
        hid, last = declared_row["household_id"], declared_row["last"].astimezone(clock.PARIS)
        rows[hid]["resource_changes_12m"] = float(declared_row["changes"])
        elapsed = (month.year - last.year) * 12 + month.month - last.month
        rows_months[hid] = float(min(max(elapsed, 0), MONTHS_SINCE_CAP))
    for hid in ids:
        rows[hid]["months_since_declaration"] = rows_months[hid]

    discrepancies = (
        Control.objects.filter(
            household_id__in=ids,
            kind=ControlKind.AUTOMATED,
            month__gte=two_years_ago,
            month__lt=month,
            closed_at__lte=as_of,
        )
        .exclude(outcome=ControlOutcome.NO_CHANGE)
        .values("household_id")
        .annotate(n=Count("id"))
    )
    for hid, n in discrepancies.values_list("household_id", "n"):
        rows[hid]["exchange_discrepancies_24m"] = float(n)

    indus = (
        Adjustment.objects.filter(
            household_id__in=ids,
            kind=AdjustmentKind.OVERPAYMENT,
            computed_at__lte=as_of,
            computed_at__gt=months_later(as_of, -24),
        )
        .values("household_id")
        .annotate(n=Count("month", distinct=True))
    )
    for hid, n in indus.values_list("household_id", "n"):
        rows[hid]["overpayment_months_24m"] = float(n)

    # Earnings the Caf knows from the household or an agent only, that no partner's data of the
    # last 6 months confirms: the earnings are read first, the confirmations for those
    # households only (the whole file's exchanges of 6 months are ten times as many rows).
    unconfirmed = {
        hid
        for (hid, _person, _kind), fact in facts_known(
            household_ids=ids, month=month, as_of=as_of, kinds=ACTIVITY_INCOME
        ).items()
        if fact.source != FactSource.PARTNER_EXCHANGE and (fact.amount or 0) > 0
    }
    confirmed = Fact.objects.filter(
        household_id__in=unconfirmed,
        source=FactSource.PARTNER_EXCHANGE,
        recorded_at__lte=as_of,
        recorded_at__gt=months_later(as_of, -6),
    ).values_list("household_id", flat=True)
    for hid in unconfirmed.difference(confirmed):
        rows[hid]["income_unconfirmed"] = 1.0
    return rows


def group_rows(household_ids, as_of: dt.datetime) -> dict[int, set[str]]:
    """The audit's groups each household belongs to at `as_of`: never the model's input."""
    ids = list(household_ids)
    day = as_of.astimezone(clock.PARIS).date()
    month = clock.month_start(day)
    groups: dict[int, set[str]] = {hid: set() for hid in ids}
    adults: dict[int, int] = defaultdict(int)
    children: dict[int, int] = defaultdict(int)
    members = Membership.objects.filter(household_id__in=ids, start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=day)
    )
    for hid, role, birth in members.values_list("household_id", "role", "person__birth_date"):
        if role == MemberRole.CHILD:
            children[hid] += 1
        elif role in (MemberRole.CLAIMANT, MemberRole.SPOUSE):
            adults[hid] += 1
        if role == MemberRole.CLAIMANT and birth is not None:
            age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
            band = next(label for low, high, label in AGE_BANDS if low <= age < high)
            groups[hid].add(f"age:{band}")
    for hid in ids:
        if adults[hid] == 1 and children[hid] > 0:
            groups[hid].add("single_parent")
    running = Claim.objects.filter(
        household_id__in=ids,
        status=ClaimStatus.GRANTED,
        start_month__lte=month,
        benefit__in=[Benefit.RSA, Benefit.AAH],
    ).filter(Q(end_month__isnull=True) | Q(end_month__gt=month))
    for hid, benefit in running.values_list("household_id", "benefit"):
        groups[hid].add("rsa_recipient" if benefit == Benefit.RSA else "aah_recipient")
    rural = Household.objects.filter(pk__in=ids, commune__population__lt=RURAL_POPULATION)
    for hid in rural.values_list("pk", flat=True):
        groups[hid].add("rural")
    return groups

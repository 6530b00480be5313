"""Reads of the debt ledger: balances (always derived from the entries), a household's debts,
the agents' worklists, prescription dates and the accountant's balance by year and benefit."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    F,
    Max,
    QuerySet,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from justedroit.core import clock
from justedroit.core.money import euros
from justedroit.entitlements.models import Adjustment, AdjustmentKind, Payment
from justedroit.recovery import parameters as law
from justedroit.recovery.models import (
    FRAUD_DEBTS,
    RECOVERIES,
    ContentiousStep,
    Debt,
    DebtEntry,
    DebtIndu,
    DebtLetter,
    DebtOrigin,
    EntryKind,
    MonthlyRetention,
    PlanStatus,
    RepaymentPlan,
    Stage,
    Suspension,
    Withholding,
)
from justedroit.registry.models import Household

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)
SIGNED = Case(
    When(kind=EntryKind.NOTIFIED, then=F("amount")),
    default=-F("amount"),
    output_field=_MONEY,
)


def balances(debts) -> dict[int, Decimal]:
    """Debt id → balance (notified − Σ movements), for a queryset or list of debt ids."""
    ids = debts if not hasattr(debts, "values_list") else debts.values_list("id", flat=True)
    rows = (
        DebtEntry.objects.filter(debt_id__in=ids)
        .values("debt_id")
        .annotate(balance=Sum(SIGNED))
        .values_list("debt_id", "balance")
    )
    return {debt_id: euros(balance) for debt_id, balance in rows}  # SQLite sums in floats


def balance(debt: Debt) -> Decimal:
    return balances([debt.pk]).get(debt.pk, ZERO)


def open_debts_of(household_ids: Iterable[int]) -> dict[int, list[tuple[Debt, Decimal]]]:
    """Household id → its debts with a balance above zero, with that balance."""
    debts = {
        d.pk: d
        for d in Debt.objects.filter(household_id__in=list(household_ids)).select_related(
            "fraud_found"
        )
    }
    out: dict[int, list[tuple[Debt, Decimal]]] = defaultdict(list)
    for debt_id, amount in balances(list(debts)).items():
        if amount > 0:
            out[debts[debt_id].household_id].append((debts[debt_id], amount))
    return out


def prescription_date(debt: Debt, last_act: dt.date | None) -> dt.date:
    """When recovery of the debt is time-barred: 2 years (5 for fraud) from the first indu payment
    or the discovery of the fraud (L553-1 CSS), a new period running from each act of recovery or
    acknowledgment of the debt (retention, repayment, formal notice, contrainte: C. civ. art. 2240
    and 2244)."""
    years = law.PRESCRIPTION_YEARS_FRAUD if debt.is_fraud else law.PRESCRIPTION_YEARS
    start = max(debt.prescription_start, last_act) if last_act else debt.prescription_start
    return law.add_years(start, years)


def last_acts(debt_ids: list[int]) -> dict[int, dt.date]:
    """Debt id → the date of its last act interrupting prescription."""
    acts: dict[int, dt.date] = dict(
        DebtEntry.objects.filter(debt_id__in=debt_ids, kind__in=RECOVERIES)
        .values("debt_id")
        .annotate(last=Max("on"))
        .values_list("debt_id", "last")
    )
    for debt_id, last in (
        ContentiousStep.objects.filter(
            debt_id__in=debt_ids, stage__in=[Stage.FORMAL_NOTICE, Stage.CONSTRAINT]
        )
        .values("debt_id")
        .annotate(last=Max("on"))
        .values_list("debt_id", "last")
    ):
        acts[debt_id] = max(acts.get(debt_id, last), last)
    return acts


@dataclass
class DebtLine:
    debt: Debt
    balance: Decimal
    notified: Decimal
    prescription: dt.date
    plan: RepaymentPlan | None
    stage: ContentiousStep | None
    missed: int = 0


def debt_lines(debts) -> list[DebtLine]:
    debts = list(debts)
    prefetch_related_objects(debts, "fraud_found")
    ids = [d.pk for d in debts]
    owed = balances(ids)
    notified = dict(
        DebtEntry.objects.filter(debt_id__in=ids, kind=EntryKind.NOTIFIED).values_list(
            "debt_id", "amount"
        )
    )
    acts = last_acts(ids)
    plans = {
        p.debt_id: p
        for p in RepaymentPlan.objects.filter(debt_id__in=ids, status=PlanStatus.ACTIVE)
    }
    stages: dict[int, ContentiousStep] = {}
    for step in ContentiousStep.objects.filter(debt_id__in=ids).order_by("on", "id"):
        stages[step.debt_id] = step
    lines = []
    for debt in debts:
        plan = plans.get(debt.pk)
        line = DebtLine(
            debt,
            owed.get(debt.pk, ZERO),
            notified.get(debt.pk, ZERO),
            prescription_date(debt, acts.get(debt.pk)),
            plan,
            stages.get(debt.pk),
        )
        if plan is not None:
            line.missed = len(missed_instalments(plan, line.balance, clock.today()))
        lines.append(line)
    return lines


def household_debts(household: Household) -> list[DebtLine]:
    return debt_lines(Debt.objects.filter(household=household).order_by("-notified_on", "-id"))


def entries_of(household: Household):
    return (
        DebtEntry.objects.filter(debt__household=household)
        .select_related("debt", "recorded_by")
        .order_by("-on", "-id")
    )


# ---- repayment plans ----------------------------------------------------------------------------
def schedule(plan: RepaymentPlan) -> list[tuple[dt.date, Decimal]]:
    """(due date, instalment): `months` instalments, the last one adjusted to the plan's amount."""
    dues, left = [], plan.amount
    for index in range(plan.months):
        amount = min(plan.instalment, left) if index < plan.months - 1 else left
        dues.append((clock.add_months(plan.first_due, index), amount))
        left -= amount
    return [(day, amount) for day, amount in dues if amount > 0]


def missed_instalments(plan: RepaymentPlan, balance_now: Decimal, today: dt.date):
    """Instalments due by `today` not covered by what the debt recovered since the plan began."""
    recovered = plan.amount - balance_now
    missed, due = [], ZERO
    for day, amount in schedule(plan):
        if day > today:
            break
        due += amount
        if recovered < due:
            missed.append((day, amount))
    return missed


# ---- worklists ----------------------------------------------------------------------------------
def worklist(today: dt.date, limit: int = 200) -> dict[str, list[DebtLine]]:
    """The recovery agent's work: debts notified in the last 2 months with a balance, plans in
    arrears, contentious steps due (contrainte after a formal notice's month, enforcement after 15
    days without opposition) and debts time-barred within 3 months."""
    recent = Debt.objects.filter(notified_on__gte=clock.add_months(today.replace(day=1), -2))
    lines = {
        "new": [
            line for line in debt_lines(recent.order_by("-notified_on")[:limit]) if line.balance
        ],
        "arrears": [
            line
            for line in debt_lines(
                Debt.objects.filter(plans__status=PlanStatus.ACTIVE).order_by("notified_on")
            )
            if line.missed
        ][:limit],
    }
    due_steps = ContentiousStep.objects.filter(next_due__lte=today).exclude(
        debt__contentious_steps__stage=Stage.BAILIFF
    )
    due_debts = Debt.objects.filter(pk__in=due_steps.values("debt_id")).order_by("notified_on")
    lines["contentious"] = [
        line
        for line in debt_lines(due_debts[:limit])
        if line.balance and line.stage and line.stage.next_due and line.stage.next_due <= today
    ]
    return lines


def next_stage(line: DebtLine) -> str | None:
    """The stage the contentious path allows next for a debt (None: none)."""
    if not line.balance:
        return None
    current = Stage(line.stage.stage) if line.stage else None
    return {
        None: Stage.FORMAL_NOTICE,
        Stage.FORMAL_NOTICE: Stage.CONSTRAINT,
        Stage.CONSTRAINT: Stage.BAILIFF,
    }.get(current)


# ---- the accountant's balance -------------------------------------------------------------------
@dataclass
class BalanceRow:
    benefit: str
    opening: Decimal
    movements: dict[str, Decimal]
    closing: Decimal


def year_balance(year: int) -> list[BalanceRow]:
    """Per benefit: balance of debts at 1 January, movements of the year by kind (dated by their
    date of effect), balance at 31 December. Opening + notified − movements = closing."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    opening = dict(
        DebtEntry.objects.filter(on__lt=start)
        .values("debt__benefit")
        .annotate(total=Sum(SIGNED))
        .values_list("debt__benefit", "total")
    )
    opening = {benefit: euros(total) for benefit, total in opening.items()}
    movements: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for benefit, kind, total in (
        DebtEntry.objects.filter(on__gte=start, on__lt=end)
        .values("debt__benefit", "kind")
        .annotate(total=Sum("amount"))
        .values_list("debt__benefit", "kind", "total")
    ):
        movements[benefit][kind] = euros(total)
    rows = []
    for benefit in sorted(set(opening) | set(movements)):
        moved = movements.get(benefit, {})
        notified = moved.get(EntryKind.NOTIFIED, ZERO)
        out = sum((v for k, v in moved.items() if k != EntryKind.NOTIFIED), ZERO)
        first = opening.get(benefit, ZERO)
        rows.append(BalanceRow(benefit, first, moved, first + notified - out))
    return rows


def reconciliation(year: int) -> dict[str, tuple[Decimal, Decimal]]:
    """Checks of the ledger against the payments and the rights engine, to the cent, for `year`:
    name → (ledger, other side). Every pair must be equal."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    # An unpaid penalty is notified as a debt with no engine indu behind it (L114-17 I CSS).
    notified = DebtEntry.objects.filter(kind=EntryKind.NOTIFIED, on__gte=start, on__lt=end).exclude(
        debt__origin=DebtOrigin.PENALTY
    )
    indus = Adjustment.objects.filter(
        kind=AdjustmentKind.OVERPAYMENT,
        pk__in=DebtIndu.objects.filter(
            debt__notified_on__gte=start, debt__notified_on__lt=end
        ).values("adjustment_id"),
    )
    retained = DebtEntry.objects.filter(
        kind=EntryKind.RETAINED, retention__month__gte=start, retention__month__lt=end
    )
    withheld = Withholding.objects.filter(payment__month__gte=start, payment__month__lt=end)
    retentions = MonthlyRetention.objects.filter(month__gte=start, month__lt=end)

    def total(queryset, field="amount") -> Decimal:
        return euros(
            queryset.aggregate(t=Coalesce(Sum(field), Value(ZERO), output_field=_MONEY))["t"]
        )

    return {
        "Indus notifiés (hors pénalités) = indus du moteur de droits rattachés": (
            total(notified),
            total(indus),
        ),
        "Retenues des dettes = retenues sur les paiements": (total(retained), total(withheld)),
        "Retenues sur les paiements = retenues mensuelles": (
            total(withheld),
            total(retentions, "total"),
        ),
    }


def pending_indus():
    """The indus no debt recovers yet."""
    return Adjustment.objects.filter(kind=AdjustmentKind.OVERPAYMENT).exclude(
        pk__in=DebtIndu.objects.values("adjustment_id")
    )


def indus_not_yet_notified(year: int) -> Decimal:
    return (
        pending_indus()
        .filter(computed_at__year=year)
        .aggregate(t=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))["t"]
    )


def notified_by_origin(year: int) -> dict[str, Decimal]:
    """Origin → the amount of the debts notified in `year` (recomputation, late declaration,
    each kind of control, fraud, unpaid penalty, agent), for the indicators to split them."""
    rows = (
        DebtEntry.objects.filter(kind=EntryKind.NOTIFIED, on__year=year)
        .values("debt__origin")
        .annotate(t=Sum("amount"))
        .values_list("debt__origin", "t")
    )
    return {origin: euros(total) for origin, total in sorted(rows)}


def payments_net(household: Household, months: int = 12):
    """The household's payments of its last months with what was withheld and the net paid."""
    rows = (
        Payment.objects.filter(household=household)
        .select_related("withholding")
        .order_by("-month", "benefit")
    )
    out = []
    seen: set[dt.date] = set()
    for payment in rows:
        seen.add(payment.month)
        if len(seen) > months:
            break
        withheld = getattr(payment, "withholding", None)
        kept = withheld.amount if withheld else ZERO
        out.append((payment, kept, payment.amount - kept))
    return out


def entries_for_year(
    year: int,
    kinds,
    *,
    notified_in: tuple[int, int] | None = None,
    contentious: bool = False,
) -> QuerySet[DebtEntry]:
    """The entries `amounts_for_year` adds up."""
    entries = DebtEntry.objects.filter(kind__in=kinds, on__year=year)
    if contentious:
        entries = entries.filter(debt__in=ContentiousStep.objects.values("debt_id"))
    if notified_in is not None:
        entries = entries.filter(
            debt__notified_on__year__gte=notified_in[0], debt__notified_on__year__lte=notified_in[1]
        )
    return entries


def amounts_for_year(
    year: int,
    kinds,
    *,
    notified_in: tuple[int, int] | None = None,
    contentious: bool = False,
) -> Decimal:
    """Σ of the entries of `kinds` dated in `year`; with `notified_in`, only for debts notified
    within those years (inclusive); with `contentious`, only for debts on the contentious path."""
    entries = entries_for_year(year, kinds, notified_in=notified_in, contentious=contentious)
    return euros(
        entries.aggregate(t=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY))["t"]
    )


def fraud_households_before(household_ids: Iterable[int]) -> dict[int, list[dt.date]]:
    """Household → dates its fraud debts were notified (for the repeated-fraud uplift)."""
    out: dict[int, list[dt.date]] = defaultdict(list)
    for household_id, day in Debt.objects.filter(
        FRAUD_DEBTS, household_id__in=list(household_ids)
    ).values_list("household_id", "notified_on"):
        out[household_id].append(day)
    return out


def suspended(debt_ids: Iterable[int]) -> set[int]:
    """The debts among `debt_ids` whose recovery is suspended by a pending appeal."""
    return set(
        Suspension.objects.filter(debt_id__in=list(debt_ids), until__isnull=True).values_list(
            "debt_id", flat=True
        )
    )


def debt_by_id(household: Household, debt_id: int) -> Debt | None:
    return Debt.objects.filter(household=household, pk=debt_id).first()


def active_plan(debt: Debt) -> RepaymentPlan | None:
    return RepaymentPlan.objects.filter(debt=debt, status=PlanStatus.ACTIVE).first()


def letters_of(household: Household):
    return DebtLetter.objects.filter(household=household).order_by("-created_at")


def letter_of(household: Household, letter_id: int) -> DebtLetter | None:
    return DebtLetter.objects.filter(household=household, pk=letter_id).first()


def last_retention(household: Household) -> MonthlyRetention | None:
    return MonthlyRetention.objects.filter(household=household).order_by("-month").first()


def own_debts(household: Household) -> dict:
    """What an allocataire sees of their debts: each debt's balance, the plan and the retention of
    the last month."""
    lines = household_debts(household)
    return {
        "lines": [line for line in lines if line.balance > 0],
        "total": sum((line.balance for line in lines), ZERO),
        "retention": last_retention(household),
    }

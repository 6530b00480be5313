"""Retentions on benefits (D553-1 to D553-5 and L553-2 CSS) as pure functions: no database, no
clock. The payment run calls `household_retention` for each household with debts
(`services.retentions_on_payments`); tests check each rule against its article."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from justedroit.core.money import CENT, euros
from justedroit.recovery import parameters as law
from justedroit.recovery.parameters import Scale

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Situation:
    """What the retention scale reads of a household for the month recovered."""

    annual_resources: Decimal | None  # resources of the reference year; None: unknown to the Caf
    benefits_of_month: Decimal  # Caf benefits of the month recovered (D553-1 I)
    housing_cost: Decimal | None  # monthly rent or loan instalment; None: unknown; 0: none
    couple: bool
    children: int


@dataclass(frozen=True)
class Basis:
    """The scale's computation for a household and month, kept with the retention."""

    monthly_income: Decimal | None  # R; None when the resources are unknown
    weighting: Decimal  # N
    weighted_income: Decimal  # Q = R ÷ N, or the deemed value
    deemed: bool  # Q is the deemed weighted income (resources unknown)
    amount: Decimal  # the scale's monthly retention before any fraud uplift


@dataclass(frozen=True)
class OpenDebt:
    id: int
    notified_on: dt.date
    balance: Decimal
    uplift: Decimal = ZERO  # 0, 0.50 (fraud) or 1.00 (fraud repeated within 5 years)


@dataclass(frozen=True)
class Outcome:
    basis: Basis
    base: Decimal  # the scale amount applied this month (D553-2 may keep the previous one)
    by_debt: dict[int, Decimal]  # what each debt recovers
    by_benefit: dict[str, Decimal]  # what is withheld from each benefit's payment

    @property
    def total(self) -> Decimal:
        return sum(self.by_debt.values(), ZERO)


def weighting(*, couple: bool, children: int) -> Decimal:
    """N (D553-1 II): 1.5 for a single person, 2 for a couple, + 0.5 per child."""
    adults = law.WEIGHTING_COUPLE if couple else law.WEIGHTING_SINGLE
    return adults + law.WEIGHTING_PER_CHILD * children


def monthly_income(situation: Situation) -> Decimal | None:
    """R (D553-1 I): the year's resources ÷ 12, plus the Caf benefits of the month, less the rent
    or loan instalment — deemed 25 % of the income and benefits when unknown. Never below 0."""
    if situation.annual_resources is None:
        return None
    income = situation.annual_resources / 12 + situation.benefits_of_month
    housing = situation.housing_cost
    if housing is None:
        housing = income * law.DEEMED_HOUSING_SHARE
    return max(euros(income - housing), ZERO)


def scale_retention(weighted_income: Decimal, scale: Scale) -> Decimal:
    """The monthly retention for a weighted income (D553-1 III): the flat retention on the band
    below the first threshold, plus each band's marginal rate on the part of Q within it."""
    amount = scale.flat
    for index, (lower, rate) in enumerate(scale.bands):
        upper = scale.bands[index + 1][0] if index + 1 < len(scale.bands) else None
        top = weighted_income if upper is None else min(weighted_income, upper)
        if top > lower:
            amount += (top - lower) * rate
    return euros(amount)


def basis(situation: Situation, scale: Scale) -> Basis:
    n = weighting(couple=situation.couple, children=situation.children)
    r = monthly_income(situation)
    q = scale.deemed_weighted_income if r is None else r / n
    return Basis(r, n, euros(q), r is None, scale_retention(q, scale))


def applied_base(computed: Decimal, previous: Decimal | None) -> Decimal:
    """D553-2: a retention is recalculated at each 1 January and change of situation, but the new
    amount replaces the one in force only if it differs from it by 20 % or more."""
    if previous is None or previous == 0:
        return computed
    if abs(computed - previous) >= previous * law.RECALCULATION_GAP:
        return computed
    return previous


def debts_in_order(debts: list[OpenDebt]) -> list[OpenDebt]:
    """D553-4: several debts are recovered by one monthly retention, the oldest first and, at the
    same date, the smallest first."""
    return sorted(debts, key=lambda d: (d.notified_on, d.balance, d.id))


def _floor(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


def allocate_to_debts(base: Decimal, debts: list[OpenDebt], cash: Decimal) -> dict[int, Decimal]:
    """Spread one monthly retention over the debts in the order of D553-4. A fraud debt is
    recovered with the uplift of L553-2 / D553-5: each euro of the scale recovers 1 + uplift
    euros of it. Never more than a debt's balance nor than the month's payments (`cash`)."""
    remaining_base, remaining_cash = base, cash
    taken: dict[int, Decimal] = {}
    for debt in debts_in_order(debts):
        if remaining_base <= 0 or remaining_cash <= 0:
            break
        factor = 1 + debt.uplift
        take = min(debt.balance, _floor(remaining_base * factor), remaining_cash)
        if take <= 0:
            continue
        taken[debt.id] = take
        remaining_base -= take / factor
        remaining_cash -= take
    return taken


def allocate_to_payments(total: Decimal, payments: dict[str, Decimal]) -> dict[str, Decimal]:
    """L553-2 (fongibility): the retention is taken from the family benefits first, then housing
    aid, AAH, PPA and RSA, each payment giving at most its amount."""
    withheld: dict[str, Decimal] = {}
    remaining = total
    for benefit in law.FONGIBILITY_ORDER:
        amount = payments.get(benefit, ZERO)
        if remaining <= 0:
            break
        if amount > 0:
            withheld[benefit] = min(amount, remaining)
            remaining -= withheld[benefit]
    if remaining > 0:
        raise ValueError("Retenue supérieure aux paiements du mois.")
    return withheld


def household_retention(
    *,
    situation: Situation,
    debts: list[OpenDebt],
    payments: dict[str, Decimal],
    scale: Scale,
    previous_base: Decimal | None,
) -> Outcome:
    """The month's retention for one household: the scale on its weighted income (kept at the
    previous amount within ±20 %), spread over its debts (D553-4, fraud uplift) and taken from its
    payments in the order of fongibility (L553-2)."""
    computed = basis(situation, scale)
    base = applied_base(computed.amount, previous_base)
    by_debt = allocate_to_debts(base, debts, sum(payments.values(), ZERO))
    total = sum(by_debt.values(), ZERO)
    return Outcome(computed, base, by_debt, allocate_to_payments(total, payments))

"""Entitlements for one month: the staged vectorised engine and OpenFisca's plain computation.

Floats stop here: amounts leave as Decimal euros with two decimals.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np

from .batch import PERSON, Batch, Input
from .explain import INTERMEDIATES, openfisca_situation, per_household
from .inputs import build_batch, month_key
from .memory import collector_paused
from .simulation import load_tax_benefit_system, new_simulation, versions
from .situation import (
    BENEFITS,
    FIRST_SUPPORTED_MONTH,
    HouseholdInput,
    first_of_month,
    validation_error,
)
from .stages import STAGES, Output, Outputs, Stage, quarter_matters
from .thresholds import apply_boundary_thresholds

__all__ = [
    "HouseholdResult",
    "InputError",
    "compute_month",
    "compute_month_plain",
    "load_tax_benefit_system",
    "openfisca_situation",
    "results_reused",
    "versions",
]

ZERO = Decimal("0.00")

# Benefit -> (OpenFisca variable, entity, yearly). Person amounts (AAH) are summed over the
# household's famille; the ARS is a yearly amount paid in August, 0 in other months.
AMOUNT_VARIABLES = {
    "af": ("af", "famille", False),
    "cf": ("cf", "famille", False),
    "asf": ("asf", "famille", False),
    "ars": ("ars", "famille", True),
    "paje_base": ("paje_base", "famille", False),
    "aide_logement": ("aide_logement", "famille", False),
    "rsa": ("rsa", "famille", False),
    "ppa": ("ppa", "famille", False),
    "aah": ("aah", PERSON, False),
}


@dataclass(frozen=True, slots=True)
class HouseholdResult:
    household_id: str
    month: date
    # Every benefit, claimed or not: the eligible amount, after payment thresholds.
    amounts: dict[str, Decimal]
    intermediates: dict[str, Decimal]
    claims: frozenset[str] = field(default_factory=frozenset)

    def paid(self, benefit: str) -> Decimal:
        """What is paid: the eligible amount of a claimed benefit, else nothing."""
        return self.amounts[benefit] if benefit in self.claims else ZERO


@dataclass(frozen=True, slots=True)
class InputError:
    household_id: str
    month: date
    message_fr: str


# Called with each stage's name and simulation before it computes (tests use it to trace).
SimulationObserver = Callable[[str, object], None]

# Inside `results_reused`: (month, with intermediates, digest of the inputs) -> its outcome, by
# month. Only the latest months are kept: a recomputation moving month by month reads again
# the months just before (the RSA housing aid reads, the first month of a quarterly period).
Outcome = HouseholdResult | InputError
_reused: ContextVar[dict[date, dict[tuple, Outcome]] | None] = ContextVar("reused", default=None)
MONTHS_REUSED = 8


def compute_month(
    households: Sequence[HouseholdInput],
    month: date,
    *,
    with_intermediates: bool = True,
    observer: SimulationObserver | None = None,
) -> tuple[list[HouseholdResult], list[InputError]]:
    """Every benefit of every valid household for `month`, and an InputError for each of the
    others. Staged: one vectorised simulation per stage for the whole batch (see stages.py).

    `with_intermediates=False` skips the explanation values (a third of the time at scale);
    `observer(stage_name, simulation)` is called before each stage computes (tracing, tests).
    """
    reused = _reused.get()
    with collector_paused():
        if reused is None or observer is not None or _numbers_repeat(households):
            return _compute_month(households, month, with_intermediates, observer)
        return _compute_month_reusing(reused, households, first_of_month(month), with_intermediates)


@contextmanager
def results_reused() -> Iterator[None]:
    """Within the block, `compute_month` computes a household's month once for the same inputs
    and gives the same result when asked again (a recomputation over many months asks for the
    same past months again and again). Exact: the engine computes each household from its own
    inputs alone, whatever the batch it is computed in."""
    token = _reused.set({}) if _reused.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _reused.reset(token)


def _compute_month_reusing(
    reused: dict[date, dict[tuple, Outcome]],
    households: Sequence[HouseholdInput],
    month: date,
    with_intermediates: bool,
) -> tuple[list[HouseholdResult], list[InputError]]:
    if month not in reused:
        for old in sorted(reused)[: max(0, len(reused) + 1 - MONTHS_REUSED)]:
            del reused[old]
    known = reused.setdefault(month, {})
    keys = [(with_intermediates, _digest(household)) for household in households]
    missing = {key: household for key, household in zip(keys, households, strict=True)}
    missing = {key: household for key, household in missing.items() if key not in known}
    if missing:
        results, errors = _compute_month(list(missing.values()), month, with_intermediates, None)
        by_number: dict[str, Outcome] = {r.household_id: r for r in results}
        by_number |= {e.household_id: e for e in errors}
        known |= {key: by_number[household.id] for key, household in missing.items()}
    outcomes = [known[key] for key in keys]
    return (
        [o for o in outcomes if isinstance(o, HouseholdResult)],
        [o for o in outcomes if isinstance(o, InputError)],
    )


def _numbers_repeat(households: Sequence[HouseholdInput]) -> bool:
    return len({household.id for household in households}) != len(households)


def _digest(household: HouseholdInput) -> bytes:
    """The inputs' full content (numéro, persons, resources, RSA received…) as a short key."""
    return hashlib.blake2b(repr(household).encode(), digest_size=16).digest()


def _compute_month(households, month, with_intermediates, observer):
    month = first_of_month(month)
    valid, errors = _validate(households, month)
    if not valid:
        return [], errors
    batch = build_batch(valid, month)
    outputs: Outputs = {}
    columns: dict[str, np.ndarray] = {}  # intermediate key -> per-household values
    simulated: dict[str, np.ndarray] = {}  # stage -> households it simulated
    everyone = np.ones(batch.n_households, dtype=bool)
    for stage in STAGES:
        keep = stage.households(batch, outputs) if stage.households else everyone
        simulated[stage.name] = keep
        _run_stage(stage, batch, keep, outputs, columns, with_intermediates, observer)
    quarter = quarter_matters(batch, outputs)

    def value(benefit: str) -> np.ndarray:
        variable, entity, yearly = AMOUNT_VARIABLES[benefit]
        period = str(month.year) if yearly else month_key(month)
        if (variable, period) not in outputs:
            return np.zeros(batch.n_households)
        return per_household(batch, entity, outputs[(variable, period)][3])

    amounts = _residents_only(batch, {benefit: value(benefit) for benefit in BENEFITS})
    masks = {
        i.key(month): simulated[i.stage] & quarter if i.quarter else simulated[i.stage]
        for i in INTERMEDIATES
        if i.key(month) in columns
    }
    return _results(batch, amounts, columns, masks), errors


def _run_stage(
    stage: Stage,
    batch: Batch,
    keep: np.ndarray,
    outputs: Outputs,
    columns: dict[str, np.ndarray],
    with_intermediates: bool,
    observer: SimulationObserver | None,
) -> None:
    month = batch.month
    if not keep.any():  # nobody to simulate: every output is zero
        for output in stage.outputs:
            for period in output.periods(month):
                outputs[(output.variable, period)] = _zeros(batch, output, period)
        return
    selection = None if keep.all() else batch.select(keep)
    sub = batch if selection is None else batch.subset(selection)
    fed = [
        (v, p, e, values if selection is None else selection.take(e, values))
        for v, p, e, values in outputs.values()
    ]
    simulation = new_simulation(sub, fed)
    if observer is not None:
        observer(stage.name, simulation)
    for output in stage.outputs:
        for period in output.periods(month):
            values = simulation.calculate(output.variable, period)
            if selection is not None:
                values = batch.expand(selection, output.entity, values)
            outputs[(output.variable, period)] = (output.variable, period, output.entity, values)
    if with_intermediates:
        for intermediate in INTERMEDIATES:
            if intermediate.stage == stage.name:
                values = simulation.calculate(intermediate.variable, intermediate.period(month))
                if selection is not None:
                    values = batch.expand(selection, intermediate.entity, values)
                columns[intermediate.key(month)] = per_household(batch, intermediate.entity, values)


def _zeros(batch: Batch, output: Output, period: str) -> Input:
    size = batch.n_persons if output.entity == PERSON else batch.n_familles
    return (output.variable, period, output.entity, np.zeros(size, dtype=np.float32))


def compute_month_plain(
    households: Sequence[HouseholdInput], month: date, *, with_intermediates: bool = True
) -> list[HouseholdResult]:
    """OpenFisca's own computation from the facts alone (no shortcuts, no stages), in one
    simulation: the reference the staged engine must equal to the cent, and the slow baseline.
    Invalid households are skipped."""
    with collector_paused():
        return _compute_month_plain(households, month, with_intermediates)


def _compute_month_plain(households, month, with_intermediates):
    month = first_of_month(month)
    valid, _errors = _validate(households, month)
    if not valid:
        return []
    batch = build_batch(valid, month)
    simulation = new_simulation(batch, shortcuts=False)
    amounts = {}
    for benefit in BENEFITS:
        variable, entity, yearly = AMOUNT_VARIABLES[benefit]
        if yearly and month.month != 8:
            amounts[benefit] = np.zeros(batch.n_households)
            continue
        period = str(month.year) if yearly else month_key(month)
        amounts[benefit] = per_household(batch, entity, simulation.calculate(variable, period))
    amounts = _residents_only(batch, amounts)
    columns = {}
    if with_intermediates:
        for i in INTERMEDIATES:
            values = simulation.calculate(i.variable, i.period(month))
            columns[i.key(month)] = per_household(batch, i.entity, values)
    return _results(batch, amounts, columns, {})


def _residents_only(batch: Batch, amounts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Nothing is due to a household whose residence abroad is established (`HouseholdInput`)."""
    abroad = np.array([household.abroad for household in batch.households], dtype=bool)
    if not abroad.any():
        return amounts
    return {benefit: np.where(abroad, 0.0, values) for benefit, values in amounts.items()}


def _validate(households, month):
    if month < FIRST_SUPPORTED_MONTH:
        raise ValueError(f"months from {FIRST_SUPPORTED_MONTH:%Y-%m} only, not {month:%Y-%m}")
    valid, errors = [], []
    for household in households:
        message = validation_error(household, month)
        if message is None:
            valid.append(household)
        else:
            errors.append(InputError(household.id, month, message))
    return valid, errors


def cents(values: np.ndarray) -> np.ndarray:
    """Euros (OpenFisca's float32) to integer cents, half up."""
    return np.floor(np.asarray(values, dtype=np.float64) * 100 + 0.5).astype(np.int64)


def _decimal(cents_value: int) -> Decimal:
    units, hundredths = divmod(abs(cents_value), 100)
    return Decimal(f"{'-' if cents_value < 0 else ''}{units}.{hundredths:02d}")


def decimals(cents_values: np.ndarray) -> list[Decimal]:
    """One Decimal per element, built once per distinct amount (zeros and flat rates repeat)."""
    distinct, inverse = np.unique(cents_values, return_inverse=True)
    built = [_decimal(c) for c in distinct.tolist()]
    return [built[j] for j in inverse.tolist()]


def _results(
    batch: Batch,
    amounts: dict[str, np.ndarray],
    columns: dict[str, np.ndarray],
    masks: dict[str, np.ndarray],
) -> list[HouseholdResult]:
    month, parameters = batch.month, load_tax_benefit_system().parameters
    amount_rows = zip(
        *(
            decimals(apply_boundary_thresholds(b, cents(amounts[b]), month, parameters))
            for b in BENEFITS
        ),
        strict=True,
    )
    keys = list(columns)
    column_rows = zip(*(decimals(cents(columns[k])) for k in keys), strict=True)
    # Intermediates of a stage that did not simulate the household are left out, not zeroed.
    # Keys sharing a mask form a group; each household's pattern of groups says what to drop.
    groups: list[tuple[np.ndarray, list[str]]] = []
    for key, mask in masks.items():
        if mask.all():
            continue
        group = next((g for g in groups if np.array_equal(g[0], mask)), None)
        if group is None:
            groups.append((mask, [key]))
        else:
            group[1].append(key)
    hidden = np.zeros(batch.n_households, dtype=np.int64)
    for bit, (mask, _keys) in enumerate(groups):
        hidden |= np.where(mask, 0, 1 << bit)
    patterns = {
        pattern: [k for bit, (_m, ks) in enumerate(groups) if pattern >> bit & 1 for k in ks]
        for pattern in np.unique(hidden).tolist()
    }
    results = []
    rows = zip(batch.households, amount_rows, hidden.tolist(), strict=True)
    for household, row, pattern in rows:
        intermediates = dict(zip(keys, next(column_rows), strict=True)) if keys else {}
        for key in patterns[pattern]:
            del intermediates[key]
        results.append(
            HouseholdResult(
                household_id=household.id,
                month=month,
                amounts=dict(zip(BENEFITS, row, strict=True)),
                intermediates=intermediates,
                claims=frozenset(household.claims),
            )
        )
    return results

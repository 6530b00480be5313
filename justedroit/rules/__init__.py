"""The law as code: the only package that imports OpenFisca (openfisca-france 176, core 44).

    results, errors = compute_month(households, month)   # staged, vectorised
    results[0].amounts["ppa"], results[0].paid("ppa"), results[0].intermediates

Modules: `situation` (input dataclasses, validation); `batch` and `inputs` (households ->
OpenFisca inputs as numpy columns: facts, and shortcuts for the staged engine); `stages` (order,
households simulated, forbidden chains); `engine` (entry points, Decimal boundary); `thresholds`
(payment thresholds table); `explain` (intermediates, OpenFisca JSON situation); `simulation`
and `fast_params` (OpenFisca plumbing).

What the caller must provide for month M (months from 2021-01):
- resources by kind and month for M-16..M-1 (M-17 from 10/2024): housing aid counts the 12
  months ending at M-2, and the PPA reads housing aid of each month of its quarter M-3..M-1.
  An absent month counts as 0; M itself repeats M-1 unless declared; in August, Sept.-Nov.
  repeat M (the ARS looks at children's earnings up to December);
- the household's N-2 revenu fiscal de référence (split between the parents pro rata of their
  known resources: OpenFisca wants it per person and by nature);
- the RSA its famille received in M-4..M-1 (M-5.. from 10/2024; `inputs.rsa_months`): housing
  aid neutralises earnings after a month of RSA. An absent month counts as 0.
Amounts are before CRDS (0.5 % withheld at payment on family benefits, ARS and PPA), except
housing aid, which OpenFisca computes net of CRDS and floored to the euro.
"""

from .memory import collector_paused
from .situation import BENEFITS, HouseholdInput, PersonInput

__all__ = [
    "BENEFITS",
    "HouseholdInput",
    "HouseholdResult",
    "InputError",
    "PersonInput",
    "collector_paused",
    "compute_month",
    "compute_month_plain",
    "load_tax_benefit_system",
    "openfisca_situation",
    "results_reused",
    "versions",
]

_ENGINE_NAMES = frozenset(__all__) - {
    "BENEFITS",
    "HouseholdInput",
    "PersonInput",
    "collector_paused",
}


def __getattr__(name: str):
    # The engine loads OpenFisca (seconds): only on first use, so importing the input
    # dataclasses stays cheap.
    if name in _ENGINE_NAMES:
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

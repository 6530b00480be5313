"""The bias audit of a targeting: for each group (single parents, AAH and RSA recipients, rural
communes, age bands) against the other households, the metrics of LEGAL-RULES.md, each a
proportion with its 95 % Wilson interval. Pure: arrays in, numbers out (docs/ciblage.md).

On a population where each household has a score and an unbiased label (did the control find a
material indu?), the targeting selects the best-scored `share`; then, with « sélectionné » = S,
« indu important » = Y, the group = G:

- statistical parity: P(S | G) against P(S | not G);
- conditional statistical parity: the same within each stratum of a legitimate factor (the
  amount at stake: the monthly amount paid);
- false-positive rate: P(S | not Y, G) — households without indu that the targeting sends to a
  control;
- false-discovery rate: P(not Y | S, G) — controls of the group that find nothing;
- false-positive share: the group's share of all false positives, against its share of the
  population.
"""

import math
from dataclasses import dataclass

import numpy as np

Z_95 = 1.959963984540054
FOUR_FIFTHS = 0.8
# Strata of the conditional parity: the monthly amount paid, in hundreds of euros.
AMOUNT_STRATA: tuple[tuple[float, float, str], ...] = (
    (0.0, 3.0, "moins de 300 € par mois"),
    (3.0, 7.0, "de 300 à 700 € par mois"),
    (7.0, math.inf, "700 € par mois et plus"),
)


@dataclass(frozen=True)
class Rate:
    """k out of n, with its Wilson score interval."""

    k: int
    n: int

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.k, self.n)

    def __str__(self) -> str:
        if not self.n:
            return "— (0)"
        low, high = wilson(self.k, self.n)  # type: ignore[misc]
        return (
            f"{100 * self.k / self.n:.1f} % [{100 * low:.1f} ; {100 * high:.1f}] "
            f"({self.k}/{self.n})"
        ).replace(".", ",")


def wilson(k: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion k/n (None for n = 0)."""
    if n == 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def select_top(scores, share: float):
    """The targeting: the ⌈share × n⌉ best scores (ties broken by position), as a boolean mask."""
    scores = np.asarray(scores, dtype=float)
    k = math.ceil(share * len(scores))
    order = np.lexsort((np.arange(len(scores)), -scores))
    selected = np.zeros(len(scores), dtype=bool)
    selected[order[:k]] = True
    return selected


def _count(mask) -> int:
    return int(np.count_nonzero(mask))


@dataclass(frozen=True)
class GroupAudit:
    group: str
    label: str
    size: Rate  # the group's share of the population
    selection: Rate
    selection_others: Rate
    conditional: tuple[tuple[str, Rate, Rate], ...]  # stratum, group, others
    false_positive_rate: Rate
    false_positive_rate_others: Rate
    false_discovery_rate: Rate
    false_discovery_rate_others: Rate
    false_positive_share: Rate

    @property
    def parity_ratio(self) -> float | None:
        """P(S | G) / P(S | not G): 1 is parity; below 0.8 or above 1.25, a disparity to look at
        (the « four-fifths » rule of thumb)."""
        mine, others = self.selection.value, self.selection_others.value
        if mine is None or not others:
            return None
        return mine / others


def group_audit(group, label, member, selected, positive, strata) -> GroupAudit:
    """The metrics of one group; `member`, `selected`, `positive` are boolean arrays over the
    population, `strata` the stratum label of each household."""
    member, selected, positive = (np.asarray(a, dtype=bool) for a in (member, selected, positive))
    strata = np.asarray(strata)
    others = ~member
    negative = ~positive
    false_positive = selected & negative
    conditional = tuple(
        (
            name,
            Rate(_count(selected & member & (strata == name)), _count(member & (strata == name))),
            Rate(_count(selected & others & (strata == name)), _count(others & (strata == name))),
        )
        for name in dict.fromkeys(s for *_, s in AMOUNT_STRATA)
    )
    return GroupAudit(
        group=group,
        label=label,
        size=Rate(_count(member), len(member)),
        selection=Rate(_count(selected & member), _count(member)),
        selection_others=Rate(_count(selected & others), _count(others)),
        conditional=conditional,
        false_positive_rate=Rate(_count(false_positive & member), _count(negative & member)),
        false_positive_rate_others=Rate(_count(false_positive & others), _count(negative & others)),
        false_discovery_rate=Rate(_count(false_positive & member), _count(selected & member)),
        false_discovery_rate_others=Rate(
            _count(false_positive & others), _count(selected & others)
        ),
        false_positive_share=Rate(_count(false_positive & member), _count(false_positive)),
    )


def stratum(paid_monthly_hundreds: float) -> str:
    return next(name for low, high, name in AMOUNT_STRATA if low <= paid_monthly_hundreds < high)


def auc(scores, positive) -> float | None:
    """Area under the ROC curve (Mann–Whitney, ties counted half): the chance that a household
    with a material indu scores above one without."""
    scores, positive = np.asarray(scores, dtype=float), np.asarray(positive, dtype=bool)
    pos, neg = scores[positive], scores[~positive]
    if not len(pos) or not len(neg):
        return None
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))

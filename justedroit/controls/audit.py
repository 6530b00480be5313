"""The bias audit of the targeting model on a year's random control sample (reads only): each
household of the sample gets the score the model version gives it from what the Caf knew when
the sample was drawn, the best `share` are « selected », and the sample's outcomes say who had a
material indu. The same is run with the naive comparison model (the model's variables plus
family status and the benefits received as such), fitted on the same training sample: the page
shows what the fair model avoids (docs/ciblage.md)."""

from dataclasses import dataclass

import numpy as np

from justedroit.controls import fairness
from justedroit.controls.features import GROUPS, group_rows
from justedroit.controls.models import RandomSample, TargetingModel
from justedroit.controls.selectors import model_for_audit, training_set
from justedroit.controls.targeting import NAIVE_FEATURE_NAMES, fit, probabilities

# Hypothesis: the document and on-site controls of 2022 (15,878) for about 80,000 allocataires
# of the Vienne: about a fifth; the audit selects the best-scored 20 % of the sample.
DEFAULT_SHARE = 0.20


@dataclass(frozen=True)
class Run:
    """One model's targeting of the audited population and its metrics by group."""

    name: str
    auc: float | None
    precision: fairness.Rate  # material indus among the selected
    groups: tuple[fairness.GroupAudit, ...]
    coefficients: dict[str, float]


@dataclass(frozen=True)
class Report:
    year: int
    model: TargetingModel
    in_sample: bool
    share: float
    population: int
    positives: int
    fair: Run
    naive: Run


def _with_groups(rows: dict[int, dict[str, float]], groups: dict[int, set[str]]):
    return {
        hid: values | {name: float(name in groups[hid]) for name in GROUPS if ":" not in name}
        for hid, values in rows.items()
    }


def population_run(
    name: str,
    features: tuple[str, ...],
    intercept: float,
    coefficients,
    ids: list[int],
    rows: dict[int, dict[str, float]],
    groups: dict[int, set[str]],
    positive,
    share: float,
) -> Run:
    """Score a population, select its best `share`, and audit the selection by group."""
    x = np.array([[rows[hid][f] for f in features] for hid in ids]).reshape(len(ids), -1)
    scores = probabilities(intercept, coefficients, x)
    selected = fairness.select_top(scores, share)
    positive = np.asarray(positive, dtype=bool)
    strata = [fairness.stratum(rows[hid]["paid_monthly"]) for hid in ids]
    audits = tuple(
        fairness.group_audit(
            key, label, [key in groups[hid] for hid in ids], selected, positive, strata
        )
        for key, label in GROUPS.items()
    )
    return Run(
        name=name,
        auc=fairness.auc(scores, positive),
        precision=fairness.Rate(
            int(np.count_nonzero(selected & positive)), int(np.count_nonzero(selected))
        ),
        groups=audits,
        coefficients=dict(zip(features, (float(c) for c in coefficients), strict=True)),
    )


def bias_audit(year: int, share: float = DEFAULT_SHARE) -> Report | None:
    """The audit of year `year`'s random sample by the model version `model_for_audit` gives;
    None without a sample or a model."""
    sample = RandomSample.objects.filter(year=year).first()
    model = model_for_audit(year)
    if sample is None or model is None:
        return None
    ids, rows, positive = training_set(sample)
    if not ids:
        return None
    groups = group_rows(ids, sample.drawn_at)
    fair = population_run(
        "Modèle de ciblage",
        tuple(model.features),
        float(model.intercept),
        [model.coefficients[f] for f in model.features],
        ids,
        rows,
        groups,
        positive,
        share,
    )
    # The naive comparison, fitted on the model's own training sample, with family status.
    train_ids, train_rows, train_labels = training_set(model.sample)
    train_rows = _with_groups(train_rows, group_rows(train_ids, model.sample.drawn_at))
    naive_fit = fit(
        np.array([[train_rows[h][f] for f in NAIVE_FEATURE_NAMES] for h in train_ids]),
        np.array(train_labels, dtype=float),
        penalty=float(model.penalty),
    )
    naive = population_run(
        "Modèle naïf (avec la situation familiale)",
        NAIVE_FEATURE_NAMES,
        naive_fit.intercept,
        naive_fit.coefficients,
        ids,
        _with_groups(rows, groups),
        groups,
        positive,
        share,
    )
    return Report(
        year=year,
        model=model,
        in_sample=model.sample_id == sample.pk,
        share=share,
        population=len(ids),
        positives=int(sum(positive)),
        fair=fair,
        naive=naive,
    )

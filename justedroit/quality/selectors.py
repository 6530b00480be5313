"""Reads of the quality domain: the processing acts of a period as a sampling frame (agent, team,
benefit, € at stake, € changed through the engine, risk flags), plans, worklists and reviews."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db.models import Q, QuerySet

from justedroit.core import clock
from justedroit.core.indicators import Indicator, Value, registered, report_cache
from justedroit.core.models import User
from justedroit.entitlements.models import AdjustmentCause, AdjustmentKind, Payment
from justedroit.quality import estimators
from justedroit.quality.datamining import RULES, risk_flags
from justedroit.quality.estimators import Estimate
from justedroit.quality.models import (
    Direction,
    Method,
    Process,
    ProcessIndicator,
    ProcessKind,
    QualityAction,
    Review,
    SampleItem,
    SamplingPlan,
    TargetChange,
    TeamMembership,
)
from justedroit.registry.models import Fact, ProcessingAct, ProcessingActFact

NO_TEAM = "sans équipe"
NO_BENEFIT = "sans incidence"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Frame:
    """The acts of a period, one position per act, in the order of their ids."""

    act_ids: np.ndarray
    agent_ids: np.ndarray
    teams: np.ndarray
    benefits: np.ndarray
    at_stake: np.ndarray  # € paid to the household for the act's month (the act's benefit)
    changed: np.ndarray  # € changed through the engine by the act's facts (absolute)
    risky: np.ndarray  # flagged by a datamining rule

    def __len__(self) -> int:
        return len(self.act_ids)

    def size_measure(self) -> np.ndarray:
        """The € a PPS draw is proportional to: at stake or changed, at least 1 € so that every
        act can be drawn."""
        return np.maximum(np.maximum(self.at_stake, self.changed), 1.0)

    def strata(self, by: str) -> np.ndarray:
        if by == "benefit":
            return self.benefits
        if by == "team":
            return self.teams
        if by == "risk":
            return np.where(self.risky, "à risque", "autres").astype(object)
        return np.full(len(self), "", dtype=object)


def teams_at(agent_ids, day: dt.date) -> dict[int, str]:
    """Each agent's team on `day`."""
    rows = TeamMembership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=day), agent_id__in=agent_ids, start_date__lte=day
    ).values_list("agent_id", "team__name")
    return dict(rows)


def teams_on(agent_days) -> list[str]:
    """The team of each (agent id, day) pair, `NO_TEAM` when the agent was in none that day."""
    pairs = list(agent_days)
    spans = defaultdict(list)
    for agent_id, start, end, name in TeamMembership.objects.filter(
        agent_id__in={a for a, _ in pairs}
    ).values_list("agent_id", "start_date", "end_date", "team__name"):
        spans[agent_id].append((start, end, name))
    return [
        next(
            (n for s, e, n in spans[a] if s <= day and (e is None or day < e)),
            NO_TEAM,
        )
        for a, day in pairs
    ]


def acts_in(start: dt.date, end: dt.date) -> QuerySet[ProcessingAct]:
    return ProcessingAct.objects.filter(at__gte=midnight(start), at__lt=midnight(end)).order_by(
        "id"
    )


def reviews_in(year: int) -> QuerySet[Review]:
    """The verifications recorded in the year, whatever the plan."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    return Review.objects.filter(reviewed_at__gte=midnight(start), reviewed_at__lt=midnight(end))


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.PARIS)


def engine_changes(act_ids) -> dict[int, dict[str, Decimal]]:
    """Per act, per benefit: the signed € (rappels +, indus −) the engine computed from the
    facts the act wrote, in any later recomputation."""
    changes: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    fact_acts = defaultdict(list)
    for act_id, fact_id in ProcessingActFact.objects.filter(act_id__in=act_ids).values_list(
        "act_id", "fact_id"
    ):
        fact_acts[fact_id].append(act_id)
    rows = AdjustmentCause.objects.filter(fact_id__in=fact_acts).values_list(
        "fact_id", "adjustment_id", "adjustment__benefit", "adjustment__kind", "adjustment__amount"
    )
    seen = set()
    for fact_id, adjustment_id, benefit, kind, amount in rows:
        for act_id in fact_acts[fact_id]:
            if (act_id, adjustment_id) in seen:
                continue
            seen.add((act_id, adjustment_id))
            sign = 1 if kind == AdjustmentKind.ARREARS else -1
            changes[act_id][benefit] += sign * amount
    return changes


def frame(start: dt.date, end: dt.date, *, agent: User | None = None) -> Frame:
    """The sampling frame of the acts processed in [start, end) (by `agent` only, if given)."""
    acts_of_period = acts_in(start, end)
    if agent is not None:
        acts_of_period = acts_of_period.filter(agent=agent)
    acts = list(
        acts_of_period.values_list("id", "agent_id", "household_id", "benefit", "at", "kind")
    )
    ids = [a[0] for a in acts]
    changes = engine_changes(ids)
    months = {clock.month_start(a[4].astimezone(clock.PARIS).date()) for a in acts}
    paid: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for household_id, month, benefit, amount in Payment.objects.filter(
        household_id__in={a[2] for a in acts}, month__in=months
    ).values_list("household_id", "month", "benefit", "amount"):
        paid[household_id, month, benefit] += amount
        paid[household_id, month, ""] += amount
    teams = teams_on((a[1], a[4].astimezone(clock.PARIS).date()) for a in acts)
    flags = risk_flags(acts, changes)
    benefits, at_stake, changed = [], [], []
    for act_id, _agent, household_id, benefit, at, _kind in acts:
        by_benefit = changes.get(act_id, {})
        main = benefit or (max(by_benefit, key=lambda b: abs(by_benefit[b])) if by_benefit else "")
        benefits.append(main or NO_BENEFIT)
        month = clock.month_start(at.astimezone(clock.PARIS).date())
        at_stake.append(float(paid[household_id, month, main]))
        changed.append(float(sum((abs(v) for v in by_benefit.values()), ZERO)))
    return Frame(
        act_ids=np.array(ids, dtype=np.int64),
        agent_ids=np.array([a[1] for a in acts], dtype=np.int64),
        teams=np.array(teams, dtype=object),
        benefits=np.array(benefits, dtype=object),
        at_stake=np.array(at_stake, dtype=float),
        changed=np.array(changed, dtype=float),
        risky=np.array([act_id in flags for act_id in ids], dtype=bool),
    )


def plans(limit: int = 50) -> QuerySet[SamplingPlan]:
    return SamplingPlan.objects.select_related("created_by").order_by("-created_at", "-id")[:limit]


def plan_items(plan: SamplingPlan) -> QuerySet[SampleItem]:
    return plan.items.select_related("act__agent", "act__household", "review").order_by(
        "stratum", "act_id"
    )


def worklist(plan: SamplingPlan) -> QuerySet[SampleItem]:
    """The plan's acts still to review."""
    return plan_items(plan).filter(review__isnull=True)


def reviewed(plan: SamplingPlan, *, agent: User | None = None) -> QuerySet[SampleItem]:
    items = plan_items(plan).filter(review__isnull=False)
    return items.filter(act__agent=agent) if agent is not None else items


def reviews_of_agent(agent: User) -> QuerySet[Review]:
    """An agent's own reviewed acts, newest first (what an agent may see of the results)."""
    return (
        Review.objects.filter(item__act__agent=agent)
        .select_related("item__act")
        .order_by("-reviewed_at")
    )


@dataclass(frozen=True)
class Results:
    """A plan's estimates from its reviewed acts (see `quality.estimators`)."""

    reviewed: int
    errors: int
    share: Estimate  # share of acts in error
    amount_rate: Estimate  # € in error / € at stake, weighted
    by_stratum: dict[str, tuple[Estimate, Estimate]]
    iql: dict[str, dict[str, Estimate]]  # "benefit" / "team" / "agent" → group → 1 − share

    def as_json(self) -> dict:
        return {
            "reviewed": self.reviewed,
            "errors": self.errors,
            "share_in_error": self.share.as_json(),
            "amount_error_rate": self.amount_rate.as_json(),
            "by_stratum": {k: [s.as_json(), r.as_json()] for k, (s, r) in self.by_stratum.items()},
            "iql": {k: {g: e.as_json() for g, e in v.items()} for k, v in self.iql.items()},
        }


def plan_results(plan: SamplingPlan, *, confidence: float = 0.95) -> Results:
    """The plan's estimates from the reviews recorded so far: share of acts in error (Wilson for
    a simple random sample, weighted otherwise), amount-weighted error rate (ratio estimator,
    Taylor variance, logit interval), per stratum, and IQL-style indices (1 − share in error) by
    benefit, team and agent, unweighted within each group, with Wilson intervals."""
    rows = list(
        SampleItem.objects.filter(plan=plan, review__isnull=False)
        .order_by("id")
        .values_list(
            "probability",
            "fraction",
            "amount",
            "stratum",
            "review__in_error",
            "review__impact",
            "act__agent__username",
            "act__agent_id",
            "act__benefit",
            "act__at",
        )
    )
    weights = np.array([1 / float(r[0]) for r in rows])
    fractions = np.array([float(r[1]) for r in rows])
    amounts = np.array([float(r[2]) for r in rows])
    strata = np.array([r[3] for r in rows], dtype=object)
    in_error = np.array([r[4] for r in rows], dtype=bool)
    impacts = np.array([float(r[5]) for r in rows])
    errors = int(in_error.sum())
    if plan.method in (Method.SIMPLE, Method.DISCOVERY):
        share = estimators.share_in_error(errors, len(rows), confidence=confidence)
    else:
        share = estimators.weighted_share(
            in_error, weights, strata=strata, fractions=fractions, confidence=confidence
        )
    amount_rate = estimators.ratio(
        impacts,
        amounts,
        weights,
        strata=strata,
        fractions=fractions,
        confidence=confidence,
        logit=True,
    )
    by_stratum = {}
    for key in sorted(set(strata.tolist())) if plan.stratify_by else []:
        inside = strata == key
        by_stratum[key] = (
            estimators.share_in_error(int(in_error[inside].sum()), int(inside.sum())),
            estimators.ratio(
                impacts[inside],
                amounts[inside],
                weights[inside],
                logit=True,
                fractions=fractions[inside],
            ),
        )
    groups = {
        "benefit": [r[8] or NO_BENEFIT for r in rows],
        "team": teams_on((r[7], r[9].astimezone(clock.PARIS).date()) for r in rows),
        "agent": [r[6] for r in rows],
    }
    iql = {
        by: {
            group: _quality_index(in_error[np.array(labels, dtype=object) == group], confidence)
            for group in sorted(set(labels))
        }
        for by, labels in groups.items()
    }
    return Results(len(rows), errors, share, amount_rate, by_stratum, iql)


SIX_MONTHS = 6


def quality_index_six_months(plan: SamplingPlan, *, confidence: float = 0.95) -> Estimate:
    """IQL 6: the index recomputed on the same reviewed acts six months after processing. An
    act found in error counts as corrected when, within six months of the act, a newer fact of
    the same nature for the same household and person was recorded by anyone but the act's
    reviewer (the allocataire's next declaration, another agent); the verification's own
    correction is the measure, not a correction. Acts without written facts (decisions) stay as
    reviewed. Only acts six months old at today's date count (`n` says how many)."""
    today = clock.today()
    rows = [
        r
        for r in SampleItem.objects.filter(plan=plan, review__isnull=False)
        .order_by("id")
        .values_list(
            "act_id",
            "act__at",
            "review__in_error",
            "review__reviewer_id",
            "probability",
            "fraction",
            "stratum",
        )
        if clock.add_months(r[1].astimezone(clock.PARIS).date(), SIX_MONTHS) <= today
    ]
    corrected = _corrected_within_six_months([r for r in rows if r[2]])
    flags = np.array([r[2] and r[0] not in corrected for r in rows], dtype=bool)
    if plan.method in (Method.SIMPLE, Method.DISCOVERY):
        share = estimators.share_in_error(int(flags.sum()), len(rows), confidence=confidence)
    else:
        share = estimators.weighted_share(
            flags,
            np.array([1 / float(r[4]) for r in rows]),
            strata=np.array([r[6] for r in rows], dtype=object),
            fractions=np.array([float(r[5]) for r in rows]),
            confidence=confidence,
        )
    return Estimate(1 - share.value, 1 - share.high, 1 - share.low, share.n)


def _corrected_within_six_months(rows) -> set[int]:
    """Of the (act id, at, in error, reviewer id, …) rows, the acts whose facts were superseded
    within six months by someone other than the reviewer."""
    at = {r[0]: r[1] for r in rows}
    reviewer = {r[0]: r[3] for r in rows}
    written = defaultdict(list)
    for act_id, fact_id, household_id, person_id, kind in ProcessingActFact.objects.filter(
        act_id__in=at
    ).values_list("act_id", "fact_id", "fact__household_id", "fact__person_id", "fact__kind"):
        written[act_id].append((fact_id, household_id, person_id, kind))
    if not written:
        return set()
    later: dict[tuple, list[tuple]] = defaultdict(list)
    for fact_id, household_id, person_id, kind, recorded_at, recorded_by in Fact.objects.filter(
        household_id__in={f[1] for facts in written.values() for f in facts},
        recorded_at__gt=min(at.values()),
    ).values_list("id", "household_id", "person_id", "kind", "recorded_at", "recorded_by_id"):
        later[household_id, person_id, kind].append((fact_id, recorded_at, recorded_by))
    corrected = set()
    for act_id, facts in written.items():
        horizon = midnight(clock.add_months(at[act_id].astimezone(clock.PARIS).date(), SIX_MONTHS))
        if any(
            other != fact_id and at[act_id] < recorded_at <= horizon and by != reviewer[act_id]
            for fact_id, household_id, person_id, kind in facts
            for other, recorded_at, by in later[household_id, person_id, kind]
        ):
            corrected.add(act_id)
    return corrected


def _quality_index(flags: np.ndarray, confidence: float) -> Estimate:
    share = estimators.share_in_error(int(flags.sum()), len(flags), confidence=confidence)
    return Estimate(1 - share.value, 1 - share.high, 1 - share.low, share.n)


def plans_of_year(year: int) -> QuerySet[SamplingPlan]:
    """Plans whose acts all fall in `year`, newest first."""
    return SamplingPlan.objects.filter(
        period_start__gte=dt.date(year, 1, 1), period_end__lte=dt.date(year + 1, 1, 1)
    ).order_by("-created_at", "-id")


def plan(pk: int) -> SamplingPlan | None:
    return SamplingPlan.objects.select_related("created_by").filter(pk=pk).first()


def item(pk: int) -> SampleItem | None:
    return (
        SampleItem.objects.select_related("plan", "act__agent", "act__household")
        .prefetch_related("act__act_facts__fact__person")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class AgentQuality:
    username: str
    name: str
    team: str
    index: Estimate  # IQL: 1 − share of the agent's reviewed acts in error
    impact: Decimal


def quality_by_agent(*, agent: User | None = None) -> list[AgentQuality]:
    """Every reviewed act of every plan, per agent (or one agent's only): the IQL-style index
    with its Wilson interval and the € impact of the errors found."""
    reviews = Review.objects.all()
    if agent is not None:
        reviews = reviews.filter(item__act__agent=agent)
    per_agent: dict[int, list] = defaultdict(list)
    names: dict[int, tuple[str, str]] = {}
    for agent_id, username, first, last, in_error, impact in reviews.values_list(
        "item__act__agent_id",
        "item__act__agent__username",
        "item__act__agent__first_name",
        "item__act__agent__last_name",
        "in_error",
        "impact",
    ):
        per_agent[agent_id].append((in_error, impact))
        names[agent_id] = (username, f"{first} {last}".strip() or username)
    teams = teams_at(per_agent, clock.today())
    rows = []
    for agent_id, reviewed_acts in per_agent.items():
        flags = np.array([e for e, _ in reviewed_acts], dtype=bool)
        rows.append(
            AgentQuality(
                username=names[agent_id][0],
                name=names[agent_id][1],
                team=teams.get(agent_id, NO_TEAM),
                index=_quality_index(flags, 0.95),
                impact=sum((i for _, i in reviewed_acts), ZERO),
            )
        )
    return sorted(rows, key=lambda r: (r.team, r.username))


def quality_actions() -> QuerySet[QualityAction]:
    """The actions of verification and supervision (a process's action plans are apart)."""
    actions = QualityAction.objects.filter(process__isnull=True)
    return actions.select_related("agent", "team", "owner").order_by("closed_at", "due_date", "id")


def supervision_plans(limit: int = 50) -> QuerySet[SamplingPlan]:
    """Managers' supervision plans (one agent's acts), newest first."""
    return (
        SamplingPlan.objects.filter(agent__isnull=False)
        .select_related("agent", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def processes() -> QuerySet[Process]:
    return Process.objects.select_related("pilot").order_by("order", "code")


def processes_by_kind() -> list[tuple[str, list[Process]]]:
    """The process map: management, operational then support processes."""
    every = list(processes().prefetch_related("indicators"))
    return [(label, [p for p in every if p.kind == kind]) for kind, label in ProcessKind.choices]


def process(code: str) -> Process | None:
    return processes().prefetch_related("risks").filter(code=code).first()


def declared_indicator(code: str) -> Indicator | None:
    """The registry's declaration (label, unit…) of a bound indicator's code."""
    return next((i for i in registered() if i.code == code), None)


def unknown_indicator_codes() -> list[str]:
    """Codes bound to a process that the indicators registry does not declare."""
    known = {i.code for i in registered()}
    return sorted(set(ProcessIndicator.objects.values_list("code", flat=True)) - known)


@dataclass(frozen=True)
class IndicatorReview:
    binding: ProcessIndicator
    label: str
    unit: str
    value: Value
    previous: Value

    @property
    def trend(self) -> str:
        """« en progrès », « en recul », « stable » or « — », in the direction that improves."""
        if self.value is None or self.previous is None:
            return "—"
        change = Decimal(self.value) - Decimal(self.previous)
        if change == 0:
            return "stable"
        better = change > 0 if self.binding.direction == Direction.UP else change < 0
        return "en progrès" if better else "en recul"

    @property
    def target_met(self) -> bool | None:
        target = self.binding.target
        if target is None or self.value is None:
            return None
        value = Decimal(self.value)
        return value >= target if self.binding.direction == Direction.UP else value <= target


def process_review(found: Process, year: int) -> list[IndicatorReview]:
    """The process's indicators for the year and the year before, computed live from the
    registry that `justedroit indicators` uses."""
    by_code = {i.code: i for i in registered()}
    rows = []
    with report_cache():
        for binding in found.indicators.all():
            declared = by_code[binding.code]
            rows.append(
                IndicatorReview(
                    binding=binding,
                    label=declared.label,
                    unit=declared.unit,
                    value=declared.compute(year),
                    previous=declared.compute(year - 1),
                )
            )
    return rows


def target_history(found: Process) -> dict[int, list[TargetChange]]:
    """The changes of each of the process's indicator targets, newest first, by binding."""
    history: dict[int, list[TargetChange]] = defaultdict(list)
    changes = TargetChange.objects.filter(indicator__process=found).select_related("changed_by")
    for change in changes.order_by("-changed_at", "-id"):
        history[change.indicator_id].append(change)
    return history


def process_actions(found: Process, year: int | None = None) -> QuerySet[QualityAction]:
    """The action plans of a process; with a year, those open at some time during that year."""
    actions = QualityAction.objects.filter(process=found).select_related("owner")
    if year is not None:
        actions = actions.filter(opened_at__lt=midnight(dt.date(year + 1, 1, 1))).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=midnight(dt.date(year, 1, 1)))
        )
    return actions.order_by("closed_at", "due_date", "id")


@dataclass(frozen=True)
class RuleHits:
    key: str
    description: str
    count: int
    acts: list[ProcessingAct]  # the first ones, by date


def datamining_hits(start: dt.date, end: dt.date, *, shown: int = 100) -> list[RuleHits]:
    """Each datamining rule with the acts of [start, end) it flags (the rules that feed the
    « à risque » stratum of the plans)."""
    acts = list(
        acts_in(start, end).values_list("id", "agent_id", "household_id", "benefit", "at", "kind")
    )
    flags = risk_flags(acts, engine_changes([a[0] for a in acts]))
    by_rule: dict[str, list[int]] = {key: [] for key in RULES}
    for act_id, keys in flags.items():
        for key in keys:
            by_rule[key].append(act_id)
    hits = []
    for key, description in RULES.items():
        first = (
            ProcessingAct.objects.filter(pk__in=by_rule[key])
            .select_related("agent", "household")
            .order_by("at", "id")[:shown]
        )
        hits.append(RuleHits(key, description, len(by_rule[key]), list(first)))
    return hits

"""Automated controls: the partner data received since a household's last control, compared with
the facts its benefits were paid on, person × resource × month.

Within the tolerance (`parameters.above_tolerance`) nothing changes and the control is recorded
as « sans incidence ». Above it, when the discrepancy is unambiguous the control settles it: the
partner's amount becomes a fact established by the control, the settled months are recomputed
into rappels and indus, and the outcome records them. Otherwise (two partner amounts disagree, or
a controller already established the amount) a control on documents is opened and the
documents are asked for."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Q

from justedroit.controls import parameters
from justedroit.controls.models import (
    Control,
    ControlAdjustment,
    ControlEvent,
    ControlFact,
    ControlKind,
    ControlOrigin,
    ControlOutcome,
    ControlStatus,
    EventKind,
)
from justedroit.controls.selectors import automated_indu_within
from justedroit.controls.services.common import (
    Established,
    NotComputable,
    control_open,
    event_record,
    open_controls,
    settle,
    settle_reason,
    settled_months_recompute,
    settled_outcome,
)
from justedroit.controls.services.documents import document_request_send
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.entitlements.models import AdjustmentKind
from justedroit.entitlements.quarters import quarter_phases, quarter_start
from justedroit.registry import services as registry_services
from justedroit.registry.facts import RESOURCE_KINDS
from justedroit.registry.models import Fact, FactKind, FactSource, Household, Person
from justedroit.rules.situation import FIRST_SUPPORTED_MONTH

ZERO = Decimal("0.00")
RESOURCES = [kind.value for kind in RESOURCE_KINDS]
# The documents asked when a resource needs a person to look at it.
DOCUMENTS_FOR: dict[str, str] = {FactKind.SALARY: "payslip"}
SETTLED_NOTE = "Écart réglé automatiquement : le montant du partenaire est retenu."


@dataclass(frozen=True)
class Discrepancy:
    person_id: int
    kind: str
    month: dt.date
    paid_on: Decimal
    exchanged: Decimal
    ambiguous: str  # why a person must look at it, or ""

    def as_json(self) -> dict:
        return {
            "person": self.person_id,
            "kind": self.kind,
            "month": f"{self.month:%Y-%m}",
            "paid_on": str(self.paid_on),
            "exchanged": str(self.exchanged),
            **({"ambiguous": self.ambiguous} if self.ambiguous else {}),
        }


def automated_controls_run(
    *, month: dt.date, acting_user: User | None, one_by_one: bool = False
) -> dict:
    """The automated controls of cycle month `month`, once per household: running the month
    again (after a crash, or by mistake) controls only the households not controlled yet.

    Set-based: the discrepancies of all households are read in one pass, the unambiguous ones
    settled together (`_settle_all`: bulk writes, one computation of the engine per month for all
    the households). `one_by_one` settles each household in its own transaction instead, as a
    control on documents is settled: the reference the set-based path is tested and benchmarked
    against (tests/controls/test_automated_vectorised.py, benchmarks/bench_controls.py)."""
    month = clock.month_start(month)
    first = max(clock.add_months(month, 1 - parameters.PRESCRIPTION_MONTHS), FIRST_SUPPORTED_MONTH)
    candidates = _candidates(month, first)
    counts = {"households": len(candidates), "no_change": 0, "settled": 0, "referred": 0}
    if not candidates:
        return counts | {"arrears": str(ZERO), "overpayment": str(ZERO)}
    households = {h.pk: h for h in Household.objects.filter(pk__in=list(candidates))}
    found = _omissions_referred(_discrepancies(candidates, first, month), month)
    quiet = [households[h] for h in sorted(candidates) if not found.get(h)]
    with transaction.atomic():
        _record_no_change(quiet, month, acting_user)
    counts["no_change"] = len(quiet)
    with_discrepancy = sorted(h for h in candidates if found.get(h))
    busy = set(
        Control.objects.filter(
            household_id__in=with_discrepancy,
            kind__in=(ControlKind.DOCUMENTS, ControlKind.ON_SITE),
        )
        .exclude(status=ControlStatus.CLOSED)
        .values_list("household_id", flat=True)
    )
    unambiguous = [
        h for h in with_discrepancy if h not in busy and not any(d.ambiguous for d in found[h])
    ]
    controls = []
    while not one_by_one and unambiguous:
        try:
            with transaction.atomic():
                controls += _settle_all(
                    [(households[h], found[h]) for h in unambiguous], month, acting_user
                )
            break
        except NotComputable as error:  # those go to a person, the others are settled
            found |= _not_computable(found, error)
            unambiguous = [h for h in unambiguous if h not in error.household_ids]
    for household_id in with_discrepancy:
        if household_id in unambiguous and not one_by_one:
            continue
        try:
            with transaction.atomic():
                control = _settle_or_refer(
                    households[household_id], found[household_id], month, acting_user
                )
        except NotComputable as error:
            found |= _not_computable(found, error)
            with transaction.atomic():
                control = _settle_or_refer(
                    households[household_id], found[household_id], month, acting_user
                )
        controls.append(control)
    arrears = sum((c.arrears for c in controls), ZERO)
    overpayment = sum((c.overpayment for c in controls), ZERO)
    for control in controls:
        # « settled »: a rappel or an indu; a discrepancy on months not paid yet changes the
        # coming payments only, and the control ends « sans incidence ».
        counts[_COUNTED_AS.get(control.outcome, "settled")] += 1
    return counts | {"arrears": str(arrears), "overpayment": str(overpayment)}


_COUNTED_AS: dict[str, str] = {
    ControlOutcome.NO_CHANGE: "no_change",
    ControlOutcome.REFERRED: "referred",
}


@dataclass(frozen=True)
class Window:
    """What an automated control of a household compares: the months up to `until` that a
    payment has read, among which those the partners' data recorded after `since` (its last
    control; None: never) cover, and all those after `compared_until` (the months its last
    control could not compare yet)."""

    since: dt.datetime | None
    compared_until: dt.date | None
    until: dt.date

    def new(self, month: dt.date, recorded: dt.datetime) -> bool:
        return (
            self.since is None
            or recorded > self.since
            or (self.compared_until is not None and month > self.compared_until)
        )


def comparable_until(month: dt.date, household_ids) -> dict[int, dt.date]:
    """Household → the last month of resources the automated controls of cycle `month` compare.

    The RSA and the prime d'activité are paid for a quarter on the resources declared for the
    three months before it (quarterly right, `entitlements.quarters`), and the partners' data
    are compared with them once that quarter is paid: the months up to the reference quarter of
    the period the last payment (month - 1) belongs to. Other households are compared as the
    data arrive (housing aid reads the partners' monthly resources)."""
    paid = clock.add_months(month, -1)
    return {
        household_id: clock.add_months(quarter_start(paid, claimed_from), -1)
        for household_id, claimed_from in quarter_phases(paid, household_ids).items()
    }


def _candidates(month: dt.date, first: dt.date) -> dict[int, Window]:
    """household → its `Window`: households with partner data on resources for months [first,
    month] to compare, recorded since their last control or on months it could not compare
    yet, not controlled for `month` yet."""
    done = set(
        Control.objects.filter(kind=ControlKind.AUTOMATED, month=month).values_list(
            "household_id", flat=True
        )
    )
    last: dict[int, dt.datetime] = {}
    last_month: dict[int, dt.date] = {}
    for household_id, opened, controlled in (
        Control.objects.filter(kind=ControlKind.AUTOMATED, month__lt=month)
        .values("household_id")
        .annotate(last=Max("opened_at"), month_=Max("month"))
        .values_list("household_id", "last", "month_")
    ):
        last[household_id], last_month[household_id] = opened, controlled
    for household_id, closed in (
        Control.objects.filter(closed_at__isnull=False)
        .exclude(kind=ControlKind.AUTOMATED)
        .values("household_id")
        .annotate(last=Max("closed_at"))
        .values_list("household_id", "last")
    ):
        last[household_id] = max(closed, last.get(household_id, closed))
    facts_of: dict[int, list[tuple]] = defaultdict(list)
    for household_id, *fact in _exchange_facts(month, first).values_list(
        "household_id", "valid_from", "valid_until", "recorded_at"
    ):
        if household_id not in done:
            facts_of[household_id].append(fact)
    until = comparable_until(month, list(facts_of))
    # The months each household's last automated control compared, by the month it ran.
    controlled_in: dict[dt.date, list[int]] = defaultdict(list)
    for household_id in until:
        if household_id in last_month:
            controlled_in[last_month[household_id]].append(household_id)
    compared_until: dict[int, dt.date] = {}
    for controlled, household_ids in controlled_in.items():
        limits = comparable_until(controlled, household_ids)
        compared_until |= {h: limits.get(h, controlled) for h in household_ids}
    candidates: dict[int, Window] = {}
    for household_id, facts in facts_of.items():
        window = Window(
            since=last.get(household_id),
            compared_until=compared_until.get(household_id),
            until=until.get(household_id, month),
        )
        if any(
            window.new(current, recorded)
            for valid_from, valid_until, recorded in facts
            for current in _months(valid_from, valid_until, first, window.until)
        ):
            candidates[household_id] = window
    return candidates


def _exchange_facts(month: dt.date, first: dt.date, household_ids=None):
    facts = Fact.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=first),
        source=FactSource.PARTNER_EXCHANGE,
        kind__in=RESOURCES,
        valid_from__lte=month,
        person__isnull=False,
    )
    if household_ids is not None:
        facts = facts.filter(household_id__in=household_ids)
    return facts


def _months(valid_from: dt.date, valid_until: dt.date | None, first: dt.date, last: dt.date):
    current = max(valid_from, first)
    while current <= last and (valid_until is None or current < valid_until):
        yield current
        current = clock.add_months(current, 1)


def _discrepancies(
    candidates: dict[int, Window], first: dt.date, month: dt.date
) -> dict[int, list[Discrepancy]]:
    """Per household, the person × resource × month above the tolerance, among the months of
    its `Window` to compare. The amount paid on is the latest fact recorded by the allocataire,
    an agent or a control (none: nothing declared, 0 €)."""
    ids = list(candidates)
    rows = (
        Fact.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=first),
            household_id__in=ids,
            kind__in=RESOURCES,
            valid_from__lte=month,
            person__isnull=False,
        )
        .order_by("recorded_at", "id")
        .values_list(
            "household_id",
            "person_id",
            "kind",
            "valid_from",
            "valid_until",
            "amount",
            "source",
            "recorded_at",
        )
    )
    paid_on: dict[
        tuple, tuple[Decimal, str]
    ] = {}  # (household, person, kind, month) → (amount, source)
    exchanged: dict[tuple, Decimal] = {}
    new_values: dict[tuple, set[Decimal]] = defaultdict(set)
    for (
        household_id,
        person_id,
        kind,
        valid_from,
        valid_until,
        amount,
        source,
        recorded,
    ) in rows.iterator(chunk_size=20_000):
        if amount is None:  # resource facts carry an amount (the database checks a value)
            continue
        window = candidates[household_id]
        for current in _months(valid_from, valid_until, first, window.until):
            key = (household_id, person_id, kind, current)
            if source == FactSource.PARTNER_EXCHANGE:
                exchanged[key] = amount
                if window.new(current, recorded):
                    new_values[key].add(amount)
            else:
                paid_on[key] = (amount, source)
    found: dict[int, list[Discrepancy]] = defaultdict(list)
    for key, amounts in sorted(new_values.items()):
        household_id, person_id, kind, current = key
        declared, source = paid_on.get(key, (ZERO, ""))
        partner = exchanged[key]
        if not parameters.above_tolerance(declared, partner):
            continue
        ambiguous = ""
        if len(amounts) > 1:
            ambiguous = "des partenaires transmettent des montants différents"
        elif source == FactSource.CONTROL:
            ambiguous = "le montant a été établi par un contrôle"
        found[household_id].append(
            Discrepancy(person_id, kind, current, declared, partner, ambiguous)
        )
    return found


def _omissions_referred(
    found: dict[int, list[Discrepancy]], month: dt.date
) -> dict[int, list[Discrepancy]]:
    """The Caf's referral rule (`parameters.OMISSION_EUROS`): a household's under-declared
    resources that add up to the threshold, repeated over months or after an automated indu of
    the last months, need a person: each under-declaration gets the reason, so the control
    refers the household to a control on documents instead of settling it."""
    under = {
        household_id: [d for d in discrepancies if d.exchanged > d.paid_on]
        for household_id, discrepancies in found.items()
    }
    at_stake = [
        household_id
        for household_id, items in under.items()
        if sum((d.exchanged - d.paid_on for d in items), ZERO) >= parameters.OMISSION_EUROS
    ]
    if not at_stake:
        return found
    repeated = automated_indu_within(at_stake, month, parameters.REPEAT_MONTHS)
    for household_id in at_stake:
        months: dict[tuple[int, str], int] = defaultdict(int)
        for d in under[household_id]:
            months[(d.person_id, d.kind)] += 1
        if household_id in repeated:
            reason = "omission réitérée après un indu des contrôles automatisés"
        elif max(months.values()) >= parameters.OMISSION_MONTHS:
            reason = "ressources non déclarées sur plusieurs mois"
        else:
            continue
        found[household_id] = [
            replace(d, ambiguous=d.ambiguous or reason) if d in under[household_id] else d
            for d in found[household_id]
        ]
    return found


def _record_no_change(households: list[Household], month: dt.date, acting_user: User | None):
    """Households whose partner data agree with what they were paid on: a closed control each,
    « sans incidence », with its opening and closing in its history, and one audit row."""
    if not households:
        return
    now = clock.now()
    controls = Control.objects.bulk_create(
        Control(
            household=household,
            kind=ControlKind.AUTOMATED,
            origin=ControlOrigin.EXCHANGE,
            status=ControlStatus.CLOSED,
            month=month,
            opened_at=now,
            closed_at=now,
            outcome=ControlOutcome.NO_CHANGE,
        )
        for household in households
    )
    ControlEvent.objects.bulk_create(
        ControlEvent(control=control, at=now, kind=kind, actor=acting_user, detail=detail)
        for control in controls
        for kind, detail in (
            (EventKind.OPENED, {"kind": ControlKind.AUTOMATED, "origin": ControlOrigin.EXCHANGE}),
            (EventKind.CLOSED, {"outcome": ControlOutcome.NO_CHANGE}),
        )
    )
    audit_record(
        actor=acting_user,
        action=AuditAction.CREATE,
        households=[h.number for h in households],
        reason=f"contrôles automatisés {month:%m/%Y} : sans incidence",
        detail={"controls": len(controls), "month": f"{month:%Y-%m}"},
    )


def _not_computable(
    found: dict[int, list[Discrepancy]], error: NotComputable
) -> dict[int, list[Discrepancy]]:
    """The discrepancies of the households the engine cannot recompute (a fact missing from the
    file), marked for a person: the automated control refers them instead of stopping the month."""
    return {
        household_id: [
            replace(d, ambiguous=f"recalcul impossible ({message})") for d in found[household_id]
        ]
        for household_id, message in error.messages_of.items()
        if household_id in found
    }


def _settle_or_refer(
    household: Household, found: list[Discrepancy], month: dt.date, acting_user: User | None
) -> Control:
    control = control_open(
        household=household,
        kind=ControlKind.AUTOMATED,
        origin=ControlOrigin.EXCHANGE,
        acting_user=acting_user,
        reason=f"échanges de données {month:%m/%Y}",
        month=month,
    )
    event_record(
        control,
        EventKind.DISCREPANCY,
        acting_user,
        detail={"discrepancies": [d.as_json() for d in found]},
    )
    already_open = open_controls(household).order_by("opened_at").first()
    reasons = sorted({d.ambiguous for d in found if d.ambiguous})
    if not reasons and already_open is None:
        persons = {p.pk: p for p in Person.objects.filter(pk__in={d.person_id for d in found})}
        return settle(
            control,
            _established(found, persons),
            acting_user=acting_user,
            note=SETTLED_NOTE,
            up_to=month,
        )
    if already_open is None:
        already_open = control_open(
            household=household,
            kind=ControlKind.DOCUMENTS,
            origin=ControlOrigin.EXCHANGE,
            acting_user=acting_user,
            reason=f"écart avec un échange de données ({'; '.join(reasons)})",
        )
        kinds = sorted({DOCUMENTS_FOR.get(d.kind, "other") for d in found})
        document_request_send(
            control=already_open,
            documents=kinds,
            message="",
            deadline=None,
            acting_user=acting_user,
        )
    event_record(
        already_open,
        EventKind.DISCREPANCY,
        acting_user,
        note=f"Transmis par le contrôle automatisé n° {control.pk}.",
        detail={"discrepancies": [d.as_json() for d in found], "from_control": control.pk},
    )
    now = clock.now()
    control.status, control.outcome, control.closed_at = (
        ControlStatus.CLOSED,
        ControlOutcome.REFERRED,
        now,
    )
    control.save(update_fields=["status", "outcome", "closed_at"])
    event_record(
        control,
        EventKind.CLOSED,
        acting_user,
        note=f"Transmis au contrôle sur pièces n° {already_open.pk}.",
        detail={"outcome": ControlOutcome.REFERRED, "to_control": already_open.pk},
    )
    return control


def _settle_all(
    items: list[tuple[Household, list[Discrepancy]]], month: dt.date, acting_user: User | None
) -> list[Control]:
    """Settle the unambiguous discrepancies of many households at once, as `_settle_or_refer`
    settles one: the same controls, facts, rappels and indus, with bulk writes (controls, their
    history, the facts established), one recomputation of all the households' months at stake
    (`households_recompute_from`, grouped by last settled month) and one audit row."""
    now = clock.now()
    reason = f"échanges de données {month:%m/%Y}"
    controls = Control.objects.bulk_create(
        Control(
            household=household,
            kind=ControlKind.AUTOMATED,
            origin=ControlOrigin.EXCHANGE,
            status=ControlStatus.OPEN,
            month=month,
            opened_at=now,
            reason=reason,
        )
        for household, _ in items
    )
    persons = {
        p.pk: p
        for p in Person.objects.filter(pk__in={d.person_id for _, found in items for d in found})
    }
    established = [_established(found, persons) for _, found in items]
    facts = registry_services.facts_record_bulk(
        facts=[
            registry_services.FactInput(
                household_id=household.pk,
                person_id=item.person.pk if item.person else None,
                kind=item.kind,
                valid_from=item.first_month,
                valid_until=item.until,
                amount=item.amount,
                code=item.code,
            )
            for (household, _), items_ in zip(items, established, strict=True)
            for item in items_
        ],
        source=FactSource.CONTROL,
        acting_user=acting_user,
        reason=f"contrôles automatisés {month:%m/%Y} : écarts réglés",
    )
    facts_of: list[list[Fact]] = []
    position = 0
    for items_ in established:
        facts_of.append(facts[position : position + len(items_)])
        position += len(items_)
    adjustments_of = settled_months_recompute(
        {
            household.pk: min(item.first_month for item in items_)
            for (household, _), items_ in zip(items, established, strict=True)
        },
        month,
        acting_user=acting_user,
        reasons={control.household_id: settle_reason(control) for control in controls},
    )
    ControlFact.objects.bulk_create(
        ControlFact(control=control, fact=fact)
        for control, facts_ in zip(controls, facts_of, strict=True)
        for fact in facts_
    )
    ControlAdjustment.objects.bulk_create(
        ControlAdjustment(control=control, adjustment=adjustment)
        for control in controls
        for adjustment in adjustments_of[control.household_id]
    )
    closed_at = clock.now()
    events = []
    for control, (_, found), facts_ in zip(controls, items, facts_of, strict=True):
        adjustments = adjustments_of[control.household_id]
        control.arrears = sum(
            (a.amount for a in adjustments if a.kind == AdjustmentKind.ARREARS), ZERO
        )
        control.overpayment = sum(
            (a.amount for a in adjustments if a.kind == AdjustmentKind.OVERPAYMENT), ZERO
        )
        control.status, control.closed_at = ControlStatus.CLOSED, closed_at
        control.outcome = settled_outcome(control.arrears, control.overpayment)
        events += [
            ControlEvent(
                control=control,
                at=now,
                kind=EventKind.OPENED,
                actor=acting_user,
                note=reason,
                detail={"kind": ControlKind.AUTOMATED, "origin": ControlOrigin.EXCHANGE},
            ),
            ControlEvent(
                control=control,
                at=now,
                kind=EventKind.DISCREPANCY,
                actor=acting_user,
                detail={"discrepancies": [d.as_json() for d in found]},
            ),
            ControlEvent(
                control=control,
                at=closed_at,
                kind=EventKind.CLOSED,
                actor=acting_user,
                note=SETTLED_NOTE,
                detail={
                    "outcome": control.outcome,
                    "arrears": str(control.arrears),
                    "overpayment": str(control.overpayment),
                    "facts": [f.pk for f in facts_],
                    "adjustments": [a.pk for a in adjustments],
                },
            ),
        ]
    # In batches: one UPDATE … CASE per batch costs its size squared.
    Control.objects.bulk_update(
        controls, ["status", "outcome", "closed_at", "arrears", "overpayment"], batch_size=500
    )
    ControlEvent.objects.bulk_create(events)
    audit_record(
        actor=acting_user,
        action=AuditAction.CREATE,
        households=[household.number for household, _ in items],
        reason=f"contrôles automatisés {month:%m/%Y} : écarts réglés",
        detail={
            "controls": len(controls),
            "month": f"{month:%Y-%m}",
            "facts": len(facts),
            "adjustments": sum(len(a) for a in adjustments_of.values()),
        },
    )
    return controls


def _established(found: list[Discrepancy], persons: dict[int, Person]) -> list[Established]:
    """The partner's amounts as facts, consecutive months of equal amount merged into one."""
    by_subject: dict[tuple, list[Discrepancy]] = defaultdict(list)
    for d in found:
        by_subject[(d.person_id, d.kind)].append(d)
    established = []
    for (person_id, kind), items in sorted(by_subject.items()):
        items.sort(key=lambda d: d.month)
        start = items[0]
        previous = start
        for following in [*items[1:], None]:
            if (
                following is not None
                and following.exchanged == previous.exchanged
                and following.month == clock.add_months(previous.month, 1)
            ):
                previous = following
                continue
            established.append(
                Established(
                    kind=kind,
                    first_month=start.month,
                    until=clock.add_months(previous.month, 1),
                    person=persons[person_id],
                    amount=start.exchanged,
                )
            )
            if following is not None:
                start = previous = following
    return established

"""What every kind of control shares: opening the file, its history, and closing it with an
outcome and its € impact from the engine, linked to the facts established and the Adjustments."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

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
from justedroit.core import clock
from justedroit.core.audit import case_event_record
from justedroit.core.models import User
from justedroit.entitlements.models import AdjustmentKind, Payment, Run, RunStatus
from justedroit.entitlements.services import households_recompute_from
from justedroit.registry.models import ActKind, FactSource, Household, Person
from justedroit.registry.services import fact_record, processing_act_record
from justedroit.rules.situation import FIRST_SUPPORTED_MONTH

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Established:
    """A fact a control establishes: `kind` for `person` (None: the household), months
    [first_month, until) (until None: open-ended), an amount or a code."""

    kind: str
    first_month: dt.date
    until: dt.date | None
    person: Person | None = None
    amount: Decimal | None = None
    code: str = ""


def event_record(
    control: Control, kind: str, actor: User | None, note: str = "", detail: dict | None = None
) -> ControlEvent:
    """One line of the control's history and its audit row (inside the caller's transaction)."""
    return case_event_record(
        control,
        kind=kind,
        label=EventKind(kind).label,
        opened=kind == EventKind.OPENED,
        domain="contrôle",
        actor=actor,
        note=note,
        detail=detail,
    )


def locked(control: Control) -> Control:
    """The control, locked for the transaction, refused once closed."""
    control = Control.objects.select_for_update().select_related("household").get(pk=control.pk)
    if control.status == ControlStatus.CLOSED:
        raise ValidationError("Ce contrôle est clos.")
    return control


def control_open(
    *,
    household: Household,
    kind: str,
    origin: str,
    acting_user: User | None,
    reason: str = "",
    month: dt.date | None = None,
    controller: User | None = None,
) -> Control:
    """Open a control file (documents or on site; automated ones open in `automated`)."""
    if kind not in ControlKind.values or origin not in ControlOrigin.values:
        raise ValidationError("Nature ou origine de contrôle inconnue.")
    with transaction.atomic():
        control = Control.objects.create(
            household=household,
            kind=kind,
            origin=origin,
            status=ControlStatus.OPEN,
            month=month,
            opened_at=clock.now(),
            controller=controller,
            reason=reason[:300],
        )
        event_record(
            control,
            EventKind.OPENED,
            acting_user,
            note=reason,
            detail={"kind": kind, "origin": origin},
        )
    return control


def open_controls(household: Household, kinds=(ControlKind.DOCUMENTS, ControlKind.ON_SITE)):
    return Control.objects.filter(household=household, kind__in=kinds).exclude(
        status=ControlStatus.CLOSED
    )


def last_settled_month(household: Household, up_to: dt.date) -> dt.date | None:
    """The latest month ≤ `up_to` already settled for this household: paid by a finished run of
    the whole file, or paid to it. Later months are settled by their own payment run, which reads
    the facts recorded now."""
    return last_settled_months([household.pk], up_to)[household.pk]


def settled_months_recompute(
    first_months: dict[int, dt.date],
    up_to: dt.date,
    *,
    acting_user: User | None,
    reasons: dict[int, str],
) -> dict[int, list]:
    """Each household recomputed from the first month a control established (household id →
    month) to its last settled month up to `up_to`; one engine computation per distinct last
    month. Returns the adjustments by household (none where no settled month read a change)."""
    lasts = last_settled_months(list(first_months), up_to)
    by_last: dict[dt.date, dict[int, dt.date]] = defaultdict(dict)
    for household_id, first_month in first_months.items():
        first = max(first_month, FIRST_SUPPORTED_MONTH)
        last = lasts[household_id]
        if last is not None and first <= last:
            by_last[last][household_id] = first
    adjustments_of: dict[int, list] = defaultdict(list)
    errors: list[dict] = []
    for last, firsts in sorted(by_last.items()):
        for adjustment in households_recompute_from(
            first_months=firsts,
            last_month=last,
            acting_user=acting_user,
            reasons=reasons,
            errors=errors,
        ):
            adjustments_of[adjustment.household_id].append(adjustment)
    if errors:
        raise NotComputable(errors)
    return adjustments_of


class NotComputable(ValidationError):
    """Households whose settled months the engine cannot recompute (the file lacks a fact: a
    birth date, a person's activity…), with the engine's French message for each."""

    def __init__(self, errors: list[dict]):
        said = [
            (e["household"], f"{e['month'][5:]}/{e['month'][:4]} : {e['message']}") for e in errors
        ]
        super().__init__([message for _, message in said])
        ids = dict(
            Household.objects.filter(number__in={n for n, _ in said}).values_list("number", "pk")
        )
        self.messages_of: dict[int, str] = {}  # household id → its first message
        for number, message in said:
            self.messages_of.setdefault(ids[number], message)
        self.household_ids = set(self.messages_of)


def last_settled_months(household_ids: list[int], up_to: dt.date) -> dict[int, dt.date | None]:
    """`last_settled_month` of many households, in two queries."""
    whole_file = (
        Run.objects.filter(wet=True, whole_file=True, status=RunStatus.FINISHED, month__lte=up_to)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    paid = dict(
        Payment.objects.filter(household_id__in=household_ids, month__lte=up_to)
        .values("household_id")
        .annotate(last=Max("month"))
        .values_list("household_id", "last")
    )
    lasts: dict[int, dt.date | None] = {}
    for household_id in household_ids:
        months = [m for m in (whole_file, paid.get(household_id)) if m is not None]
        lasts[household_id] = max(months) if months else None
    return lasts


def settle_reason(control: Control) -> str:
    """The reason the facts, rappels and indus a control settles are recorded with."""
    return f"contrôle n° {control.pk} ({control.get_kind_display().lower()})"


def settled_outcome(arrears: Decimal, overpayment: Decimal, suspected_fraud: bool = False) -> str:
    if suspected_fraud:
        return ControlOutcome.SUSPECTED_FRAUD
    if overpayment > arrears:
        return ControlOutcome.OVERPAYMENT
    if arrears > 0:
        return ControlOutcome.ARREARS
    return ControlOutcome.NO_CHANGE


@dataclass(frozen=True)
class Settlement:
    """One control to close with `settle_many`: what it established, the outcome's fraud
    suspicion, the closing note."""

    control: Control
    established: list[Established]
    suspected_fraud: bool = False
    note: str = ""


def settle(
    control: Control,
    established: list[Established],
    *,
    acting_user: User | None,
    suspected_fraud: bool = False,
    note: str = "",
    up_to: dt.date | None = None,
) -> Control:
    """Close the control: record what it established (facts with source « contrôle »), recompute
    the settled months they bear on, and record the outcome and its € impact: the rappels and
    indus the engine created, linked to the control. Must run inside a transaction."""
    settlement = Settlement(control, established, suspected_fraud, note)
    return settle_many([settlement], acting_user=acting_user, up_to=up_to)[0]


def settle_many(
    settlements: list[Settlement], *, acting_user: User | None, up_to: dt.date | None = None
) -> list[Control]:
    """`settle` of many controls: each control's facts, outcome and history as `settle` records
    them, but one recomputation (`households_recompute_from`: one engine computation per month)
    for all the households whose facts changed, not one per control. Two controls of the same
    household are settled one after the other (the second sees the first's facts). Must run
    inside a transaction."""
    rounds: list[list[Settlement]] = []
    for settlement in settlements:
        household_id = settlement.control.household_id
        free = next(
            (r for r in rounds if all(s.control.household_id != household_id for s in r)), None
        )
        if free is None:
            rounds.append(free := [])
        free.append(settlement)
    up_to = up_to or clock.month_start(clock.today())
    return [control for round_ in rounds for control in _settle_round(round_, acting_user, up_to)]


def _settle_round(
    settlements: list[Settlement], acting_user: User | None, up_to: dt.date
) -> list[Control]:
    """`settle_many` of controls of distinct households."""
    reasons = {s.control.household_id: settle_reason(s.control) for s in settlements}
    facts_of = [
        [
            fact_record(
                household=s.control.household,
                person=item.person,
                kind=item.kind,
                valid_from=item.first_month,
                valid_until=item.until,
                amount=item.amount,
                code=item.code,
                source=FactSource.CONTROL,
                acting_user=acting_user,
                reason=reasons[s.control.household_id],
            )
            for item in s.established
        ]
        for s in settlements
    ]
    adjustments_of = settled_months_recompute(
        {
            s.control.household_id: min(item.first_month for item in s.established)
            for s in settlements
            if s.established
        },
        up_to,
        acting_user=acting_user,
        reasons=reasons,
    )
    closed = []
    for s, facts in zip(settlements, facts_of, strict=True):
        closed.append(
            _closed(s, facts, adjustments_of[s.control.household_id], acting_user=acting_user)
        )
    return closed


def _closed(settlement: Settlement, facts: list, adjustments: list, *, acting_user) -> Control:
    """The control closed with its facts and rappels and indus: links, outcome, history."""
    control = settlement.control
    ControlFact.objects.bulk_create(ControlFact(control=control, fact=f) for f in facts)
    ControlAdjustment.objects.bulk_create(
        ControlAdjustment(control=control, adjustment=a) for a in adjustments
    )
    arrears = sum((a.amount for a in adjustments if a.kind == AdjustmentKind.ARREARS), ZERO)
    overpayment = sum((a.amount for a in adjustments if a.kind == AdjustmentKind.OVERPAYMENT), ZERO)
    outcome = settled_outcome(arrears, overpayment, settlement.suspected_fraud)
    now = clock.now()
    control.status, control.outcome, control.closed_at = ControlStatus.CLOSED, outcome, now
    control.arrears, control.overpayment = arrears, overpayment
    fields = ["status", "outcome", "closed_at", "arrears", "overpayment"]
    if control.suspended_at is not None and control.suspension_lifted_at is None:
        control.suspension_lifted_at = now
        fields.append("suspension_lifted_at")
    control.save(update_fields=fields)
    processing_act_record(
        kind=ActKind.CONTROL_SETTLED,
        agent=acting_user,
        household=control.household,
        facts=facts,
        obj=control,
    )
    event_record(
        control,
        EventKind.CLOSED,
        acting_user,
        note=settlement.note,
        detail={
            "outcome": outcome,
            "arrears": str(arrears),
            "overpayment": str(overpayment),
            "facts": [f.pk for f in facts],
            "adjustments": [a.pk for a in adjustments],
        },
    )
    return control

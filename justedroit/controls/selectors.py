"""Reads of the control domain: worklists, control files, the year's plan, suspensions."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from justedroit.controls.models import (
    Control,
    ControlKind,
    ControlStatus,
    DocumentRequest,
)
from justedroit.core.clock import PARIS
from justedroit.entitlements.models import Adjustment
from justedroit.entitlements.services import cut_off
from justedroit.registry.models import Household

# The control plan: the seed's 2022 volumes (Caf de la Vienne, rapport 2022) as the year's target.
PLAN_TARGETS = {
    2022: {ControlKind.AUTOMATED: 155_047, ControlKind.DOCUMENTS: 14_977, ControlKind.ON_SITE: 901}
}
SORTS = {
    "ouverture": "opened_at",
    "-ouverture": "-opened_at",
    "echeance": "deadline",
    "-echeance": "-deadline",
    "foyer": "household__number",
}


def suspended_households(month: dt.date) -> set[int]:
    """Households whose payment of `month` is suspended: a control suspended it (documents not
    received) before the month's cut-off, and it was not lifted by then. The payment run reads
    this to withhold the month (wired by the cycle)."""
    cutoff = cut_off(month)
    return set(
        Control.objects.filter(suspended_at__lte=cutoff)
        .filter(Q(suspension_lifted_at__isnull=True) | Q(suspension_lifted_at__gt=cutoff))
        .values_list("household_id", flat=True)
    )


def automated_control_adjustments(month: dt.date) -> QuerySet[Adjustment]:
    """The rappels and indus the automated controls of cycle month `month` settled."""
    return Adjustment.objects.filter(
        controladjustment__control__kind=ControlKind.AUTOMATED,
        controladjustment__control__month=month,
    )


def worklist(*, kind: str = "", status: str = "", controller=None, sort: str = "echeance"):
    """Controls for the controllers' worklist: open ones by default (`status` = "clos" for the
    closed ones, or one status), of one kind, assigned to one controller."""
    controls = Control.objects.exclude(kind=ControlKind.AUTOMATED).select_related(
        "household", "controller"
    )
    if kind:
        controls = controls.filter(kind=kind)
    if status == ControlStatus.CLOSED:
        controls = controls.filter(status=ControlStatus.CLOSED)
    elif status:
        controls = controls.filter(status=status)
    else:
        controls = controls.exclude(status=ControlStatus.CLOSED)
    if controller is not None:
        controls = controls.filter(controller=controller)
    return controls.order_by(SORTS.get(sort, "deadline"), "pk")


def control_by_pk(pk) -> Control | None:
    return Control.objects.select_related("household", "controller").filter(pk=pk).first()


def control_file(control: Control) -> dict:
    """Everything a controller reads on the control file."""
    return {
        "events": list(control.events.select_related("actor")),
        "requests": list(control.requests.prefetch_related("received__document")),
        "visits": list(control.visits.select_related("controller")),
        "reports": list(control.visit_reports.select_related("controller")),
        "responses": list(control.responses.all()),
        "adjustments": list(control.adjustments.order_by("month", "benefit")),
        "facts": list(control.facts.select_related("person").order_by("kind", "valid_from")),
    }


def household_controls(household_id: int):
    return (
        Control.objects.filter(household_id=household_id)
        .prefetch_related("events")
        .order_by("-opened_at")
    )


def household_requests(household: Household):
    """The document requests and findings addressed to the allocataire, open controls first."""
    return (
        DocumentRequest.objects.filter(control__household=household)
        .select_related("control")
        .prefetch_related("received__document")
        .order_by("-sent_at")
    )


def awaiting_response(household: Household):
    """Open controls whose findings wait for the allocataire's observations."""
    return Control.objects.filter(household=household, status=ControlStatus.AWAITING_RESPONSE)


def _year(year: int):
    return (dt.datetime(year, 1, 1, tzinfo=PARIS), dt.datetime(year + 1, 1, 1, tzinfo=PARIS))


def volumes(year: int) -> dict[str, int]:
    """Controls per kind in the year: automated ones by cycle month, the others by opening."""
    start, end = _year(year)
    rows = (
        Control.objects.filter(
            Q(kind=ControlKind.AUTOMATED, month__year=year)
            | (~Q(kind=ControlKind.AUTOMATED) & Q(opened_at__gte=start, opened_at__lt=end))
        )
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {kind: 0 for kind in ControlKind.values} | dict(rows)


def impacts(year: int) -> dict[str, Decimal | int]:
    """Rappels and indus of the controls closed in the year, and their count by outcome."""
    start, end = _year(year)
    closed = Control.objects.filter(closed_at__gte=start, closed_at__lt=end)
    totals = closed.aggregate(arrears=Sum("arrears"), overpayment=Sum("overpayment"))
    return {
        "arrears": totals["arrears"] or Decimal(0),
        "overpayment": totals["overpayment"] or Decimal(0),
        **{
            outcome: n
            for outcome, n in closed.values("outcome")
            .annotate(n=Count("id"))
            .values_list("outcome", "n")
        },
    }


def plan(year: int) -> list[dict]:
    """The year's control plan: volumes per kind against the target, with the open ones."""
    done = volumes(year)
    targets = PLAN_TARGETS.get(year, {})
    still_open = dict(
        Control.objects.exclude(status=ControlStatus.CLOSED)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    rows = []
    for kind in ControlKind:
        target = targets.get(kind)
        rows.append(
            {
                "kind": kind.label,
                "done": done[kind],
                "target": target,
                "share": round(100 * done[kind] / target, 1) if target else None,
                "open": still_open.get(kind, 0),
            }
        )
    return rows

"""Reads of the control domain: worklists, control files, the year's plan, suspensions."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from justedroit.controls.features import feature_rows
from justedroit.controls.models import (
    Control,
    ControlAdjustment,
    ControlKind,
    ControlOutcome,
    ControlStatus,
    DocumentRequest,
    RandomSample,
    TargetingDecision,
    TargetingModel,
    TargetingScore,
)
from justedroit.controls.targeting import MATERIAL_INDU_EUROS, MATERIAL_INDU_MONTHS
from justedroit.core.clock import PARIS, add_months
from justedroit.entitlements.models import Adjustment, AdjustmentKind
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


def automated_indu_within(household_ids, month: dt.date, months: int) -> set[int]:
    """The households among `household_ids` of which an automated control of the `months`
    before `month` settled an indu (a repeat: the referral rule, the prevention letters)."""
    return set(
        Control.objects.filter(
            household_id__in=household_ids,
            kind=ControlKind.AUTOMATED,
            outcome=ControlOutcome.OVERPAYMENT,
            month__gte=add_months(month, -months),
            month__lt=month,
        ).values_list("household_id", flat=True)
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
        "targeting": TargetingDecision.objects.filter(control=control)
        .select_related("model")
        .first(),
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


# The date that places a control in a year: automated ones by cycle month, others by opening.
COUNTED_ON = {ControlKind.AUTOMATED: "month"}


def counted_in(year: int) -> QuerySet[Control]:
    """The controls the year counts, each by the date of `COUNTED_ON` (or its opening)."""
    start, end = _year(year)
    return Control.objects.filter(
        Q(kind=ControlKind.AUTOMATED, month__year=year)
        | (~Q(kind=ControlKind.AUTOMATED) & Q(opened_at__gte=start, opened_at__lt=end))
    )


def closed_in(year: int) -> QuerySet[Control]:
    start, end = _year(year)
    return Control.objects.filter(closed_at__gte=start, closed_at__lt=end)


def volumes(year: int) -> dict[str, int]:
    """Controls per kind in the year: automated ones by cycle month, the others by opening."""
    rows = counted_in(year).values("kind").annotate(n=Count("id")).values_list("kind", "n")
    return {kind: 0 for kind in ControlKind.values} | dict(rows)


def impacts(year: int) -> dict[str, Decimal | int]:
    """Rappels and indus of the controls closed in the year, and their count by outcome."""
    closed = closed_in(year)
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


# ---- targeting ---------------------------------------------------------------------------------


def material_indu_controls(control_ids) -> set[int]:
    """The controls that found a material indu: at least 600 € of indus over at least 6 distinct
    months, among the Adjustments the control produced (the label the model predicts)."""
    rows = (
        ControlAdjustment.objects.filter(
            control_id__in=list(control_ids), adjustment__kind=AdjustmentKind.OVERPAYMENT
        )
        .values("control_id")
        .annotate(total=Sum("adjustment__amount"), months=Count("adjustment__month", distinct=True))
        .filter(total__gte=MATERIAL_INDU_EUROS, months__gte=MATERIAL_INDU_MONTHS)
    )
    return {row["control_id"] for row in rows}


def training_set(sample: RandomSample):
    """The sample's closed controls: the households, their variables as known when the sample
    was drawn (nothing the control found leaks in), and the label « indu important »."""
    closed = list(
        sample.controls.filter(status=ControlStatus.CLOSED).values_list("pk", "household_id")
    )
    positives = material_indu_controls([pk for pk, _ in closed])
    ids = [hid for _, hid in closed]
    rows = feature_rows(ids, sample.drawn_at)
    labels = [pk in positives for pk, _ in closed]
    return ids, rows, labels


def current_model() -> TargetingModel | None:
    """The latest trained version: the one that scores."""
    return TargetingModel.objects.select_related("sample").first()


def model_for_audit(year: int) -> TargetingModel | None:
    """The version audited on year `year`'s sample: the latest trained on an earlier sample (an
    audit out of sample), else the latest trained on that year's."""
    versions = TargetingModel.objects.select_related("sample")
    return (
        versions.filter(sample__year__lt=year).first() or versions.filter(sample__year=year).first()
    )


def targeting_list(model: TargetingModel, limit: int = 50):
    """The latest scores of `model`, best first, of households with no decision on them and no
    open document or on-site control: the list a person selects from."""
    latest = (
        TargetingScore.objects.filter(model=model)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )
    if latest is None:
        return TargetingScore.objects.none()
    decided = TargetingDecision.objects.filter(
        model=model, household=OuterRef("household"), scored_as_of=latest
    )
    busy = Control.objects.filter(
        household=OuterRef("household"), kind__in=[ControlKind.DOCUMENTS, ControlKind.ON_SITE]
    ).exclude(status=ControlStatus.CLOSED)
    return (
        TargetingScore.objects.filter(model=model, as_of=latest)
        .exclude(Exists(decided))
        .exclude(Exists(busy))
        .select_related("household")
        .order_by("-score", "household__number")[:limit]
    )


def targeting_score(pk) -> TargetingScore | None:
    return TargetingScore.objects.select_related("model", "household").filter(pk=pk).first()


def targeting_decisions(limit: int = 50):
    return TargetingDecision.objects.select_related("household", "decided_by", "control")[:limit]

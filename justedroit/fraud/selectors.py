"""Reads of the fraud domain: the worklist and its deadlines, the controls waiting for a fraud
file, a file and its letters, the director's files, the allocataire's notices, the fraud flag for
recovery, and the indicators' aggregates."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum

from justedroit.controls.models import Control, ControlOutcome
from justedroit.core.calendar import months_later
from justedroit.core.clock import PARIS
from justedroit.fraud import parameters
from justedroit.fraud.models import (
    Complaint,
    FraudAdjustment,
    FraudFile,
    FraudQualification,
    FraudSanction,
    FraudStatus,
    PreventionLetter,
    Qualification,
)
from justedroit.registry.models import Household

ZERO = Decimal("0.00")
DIRECTOR_STATUSES = (FraudStatus.QUALIFIED, FraudStatus.NOTIFIED, FraudStatus.DECISION)


def worklist(*, status: str = "", overdue_only: bool = False, today: dt.date | None = None):
    """Fraud files, open ones by default (`status` = "closed" for the closed), soonest deadline
    first; `overdue_only`: deadlines passed or within the reminder days."""
    files = FraudFile.objects.select_related("household", "opened_by")
    files = files.filter(status=status) if status else files.exclude(status=FraudStatus.CLOSED)
    if overdue_only and today is not None:
        soon = today + dt.timedelta(days=parameters.REMINDER_DAYS_BEFORE)
        files = files.filter(due__lte=soon)
    return files.annotate(
        complaint_filed=Exists(Complaint.objects.filter(file=OuterRef("pk")))
    ).order_by("due", "opened_at", "pk")


def controls_awaiting_file():
    """Controls closed on a suspected fraud on which the fraud team has not decided yet (no
    file, no reasoned decision not to open one)."""
    return (
        Control.objects.filter(
            outcome=ControlOutcome.SUSPECTED_FRAUD,
            fraud_file__isnull=True,
            fraud_file_declined__isnull=True,
        )
        .select_related("household", "controller")
        .order_by("closed_at", "pk")
    )


def control_by_pk(pk) -> Control | None:
    return controls_awaiting_file().filter(pk=pk).first()


def file_by_pk(pk) -> FraudFile | None:
    return (
        FraudFile.objects.select_related("household", "control", "opened_by", "qualified_by")
        .filter(pk=pk)
        .first()
    )


def file_detail(file: FraudFile) -> dict:
    return {
        "events": list(file.events.select_related("actor")),
        "adjustments": list(file.adjustments.order_by("month", "benefit")),
        "intent": list(file.intent.select_related("recorded_by", "document")),
        "qualifications": list(file.qualifications.select_related("decided_by")),
        "observations": list(file.observations.all()),
        "sanction": FraudSanction.objects.filter(file=file).first(),
        "complaint": Complaint.objects.filter(file=file).first(),
    }


def director_files():
    """Files waiting for the director: a sanction to choose, the commission to seize, a
    decision to take (soonest deadline first), or a mandatory complaint not filed."""
    return (
        FraudFile.objects.filter(
            Q(status__in=DIRECTOR_STATUSES) | Q(complaint_mandatory=True, complaint__isnull=True)
        )
        .select_related("household")
        .distinct()
        .order_by("due", "pk")
    )


def director_file(pk) -> FraudFile | None:
    return director_files().filter(pk=pk).first()


def household_notices(household: Household):
    """The allocataire's fraud files that have reached them: notified, decided, closed after a
    notice (never an investigation in progress)."""
    return (
        FraudFile.objects.filter(household=household, proposed_amount__isnull=False)
        .prefetch_related("observations")
        .order_by("-opened_at")
    )


def household_files(household_id: int):
    return (
        FraudFile.objects.filter(household_id=household_id)
        .prefetch_related("events")
        .order_by("-opened_at")
    )


# ---- the fraud flag, read by recovery ---------------------------------------------------------
@dataclass(frozen=True)
class FraudPeriod:
    """A household's fraudulent period as qualified by a named person: its indus carry the
    fraud flag (no remission, 5-year prescription, retention uplift, L553-2 CSS)."""

    household_id: int
    file_id: int
    first_month: dt.date
    last_month: dt.date
    qualification: str
    qualified_on: dt.date
    adjustment_ids: tuple[int, ...]


def fraud_households_and_periods(
    *, household_ids=None, qualifications=(Qualification.FRAUD,)
) -> list[FraudPeriod]:
    """The fraudulent periods of households (all, or `household_ids`), with the indus they
    cover. By default fraud only; `FRAUD_OR_FALSE_DECLARATION` for fraud or false declaration."""
    files = (
        FraudFile.objects.filter(qualification__in=qualifications)
        .annotate(qualified_at=Max("qualifications__decided_at"))
        .order_by("pk")
    )
    if household_ids is not None:
        files = files.filter(household_id__in=household_ids)
    links: dict[int, list[int]] = {}
    for file_id, adjustment_id in FraudAdjustment.objects.filter(file__in=files).values_list(
        "file_id", "adjustment_id"
    ):
        links.setdefault(file_id, []).append(adjustment_id)
    return [
        FraudPeriod(
            household_id=file.household_id,
            file_id=file.pk,
            first_month=file.first_month,
            last_month=file.last_month,
            qualification=file.qualification,
            qualified_on=file.qualified_at.astimezone(PARIS).date(),
            adjustment_ids=tuple(sorted(links.get(file.pk, []))),
        )
        for file in files
    ]


def indus_awaiting_qualification(indus, *, at: dt.datetime):
    """Those of `indus` (a queryset of adjustments) whose fraud qualification is still to come
    at `at`: linked to a fraud file under investigation, or settled by a control closed on a
    suspected fraud that no file follows yet, within the delay the fraud team has to open one
    (`parameters.file_wait`) and unless it decided not to. Their debt waits for it: a fraud or
    false declaration changes how it is recovered (no remission, 5-year prescription, retention
    uplift; L553-1, L553-2)."""
    since = months_later(at, -parameters.file_wait(at.date()).months)
    return indus.filter(
        Q(fraudadjustment__file__status=FraudStatus.INVESTIGATION)
        | Q(
            controladjustment__control__outcome=ControlOutcome.SUSPECTED_FRAUD,
            controladjustment__control__fraud_file__isnull=True,
            controladjustment__control__fraud_file_declined__isnull=True,
            controladjustment__control__closed_at__gt=since,
        )
    )


# ---- indicators -------------------------------------------------------------------------------
def _year(year: int):
    return (dt.datetime(year, 1, 1, tzinfo=PARIS), dt.datetime(year + 1, 1, 1, tzinfo=PARIS))


def qualified_in(year: int) -> QuerySet[FraudFile]:
    """Fraud files qualified « fraude » in the year, each with the date of that qualification
    (`qualified_at`, the first if it was so qualified twice in the year)."""
    start, end = _year(year)
    first = (
        FraudQualification.objects.filter(
            file=OuterRef("pk"),
            qualification=Qualification.FRAUD,
            decided_at__gte=start,
            decided_at__lt=end,
        )
        .order_by("decided_at", "pk")
        .values("decided_at")[:1]
    )
    return (
        FraudFile.objects.filter(qualification=Qualification.FRAUD)
        .annotate(qualified_at=Subquery(first))
        .filter(qualified_at__isnull=False)
    )


def fraud_totals(year: int) -> dict:
    """Fraud files qualified « fraude » in the year (by the date of that qualification): how
    many, and their prejudice."""
    totals = qualified_in(year).aggregate(n=Count("pk"), prejudice=Sum("prejudice"))
    return {"cases": totals["n"], "prejudice": totals["prejudice"] or ZERO}


def prevention_letters(year: int) -> QuerySet[PreventionLetter]:
    start, end = _year(year)
    return PreventionLetter.objects.filter(created_at__gte=start, created_at__lt=end)

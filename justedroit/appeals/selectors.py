"""Reads of the appeals domain: the 2-month clocks (R142-1, R142-6 CSS), the rapporteur's file
(debt and history from the ledger, resources and charges from the registry, the precarity test),
the sessions, the court cases' deadlines and the yearly figures of the indicators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from justedroit.appeals import parameters as law
from justedroit.appeals.models import (
    AgendaItem,
    AppealCase,
    CaseStatus,
    CourtCase,
    Decision,
    Instruction,
    Member,
    Outcome,
    RequestKind,
    Session,
)
from justedroit.core import clock
from justedroit.core.calendar import months_later
from justedroit.core.money import euros
from justedroit.entitlements import selectors as entitlements
from justedroit.recovery import retention as scale
from justedroit.recovery import selectors as ledger
from justedroit.registry import selectors as registry
from justedroit.registry.models import FactKind, Household

ZERO = Decimal("0.00")
INCOMES = (
    FactKind.SALARY,
    FactKind.SELF_EMPLOYMENT,
    FactKind.UNEMPLOYMENT_BENEFIT,
    FactKind.PENSION,
    FactKind.OTHER_INCOME,
)
OPEN = (CaseStatus.RECEIVED, CaseStatus.DOCUMENTS, CaseStatus.READY, CaseStatus.ON_AGENDA)


# ---- the clocks ---------------------------------------------------------------------------------
def rejection_date(case: AppealCase) -> dt.date:
    """When the commission's silence becomes an implicit rejection (R142-6 CSS)."""
    return law.implicit_rejection_on(case.received_on, case.documents_received_on)


def implicitly_rejected(case: AppealCase, today: dt.date) -> bool:
    """An admissible case still undecided on its R142-6 date is implicitly rejected (waiting for
    documents the Caf asked for stops the clock until they come)."""
    if case.status not in OPEN or case.status == CaseStatus.DOCUMENTS:
        return False
    return today >= rejection_date(case)


@dataclass
class CaseLine:
    case: AppealCase
    seize_by: dt.date
    reject_on: dt.date
    days_left: int
    rejected: bool


def case_lines(cases, today: dt.date) -> list[CaseLine]:
    lines = []
    for case in cases:
        reject_on = rejection_date(case)
        lines.append(
            CaseLine(
                case,
                law.seize_deadline(case.notified_on),
                reject_on,
                (reject_on - today).days,
                implicitly_rejected(case, today),
            )
        )
    return lines


def worklist(today: dt.date, limit: int = 300) -> list[CaseLine]:
    """Open cases, the nearest implicit rejection first."""
    cases = (
        AppealCase.objects.filter(status__in=OPEN)
        .select_related("household", "debt")
        .order_by("received_on", "pk")[:limit]
    )
    return sorted(case_lines(cases, today), key=lambda line: line.reject_on)


def case_by_pk(pk: int) -> AppealCase | None:
    return AppealCase.objects.select_related("household", "debt").filter(pk=pk).first()


def case_events(case: AppealCase):
    return case.events.select_related("actor").order_by("at", "id")


def latest_instruction(case: AppealCase) -> Instruction | None:
    return case.instructions.order_by("-at", "-id").first()


def decision_of(case: AppealCase) -> Decision | None:
    return Decision.objects.filter(case=case).select_related("session").first()


# ---- the rapporteur's file ----------------------------------------------------------------------
@dataclass(frozen=True)
class Precarity:
    resources: dict[str, Decimal]  # monthly resources by kind (registry facts)
    fiscal_income: Decimal | None  # annual, N-2
    benefits: Decimal  # Caf benefits of the last month paid
    housing_cost: Decimal | None
    couple: bool
    children: int
    monthly_income: Decimal | None  # R (D553-1 I)
    weighting: Decimal  # N (D553-1 II)
    weighted_income: Decimal | None  # R ÷ N
    precarious: bool | None  # None: resources unknown


def precarity(household: Household, on: dt.date) -> Precarity:
    """The household's resources and charges known on `on` (registry facts, the last month paid)
    and the Caf's precarity test on the weighted income R ÷ N of D553-1 (parameters.PRECARITY)."""
    month = on.replace(day=1)
    known = registry.facts_known(household_ids=[household.pk], month=month, as_of=clock.now())
    resources: dict[str, Decimal] = {}
    fiscal, rent = None, None
    for (_, _, kind), fact in known.items():
        if kind in INCOMES and fact.amount:
            label = FactKind(kind).label
            resources[label] = resources.get(label, ZERO) + fact.amount
        elif kind == FactKind.FISCAL_INCOME_N2:
            fiscal = fact.amount
        elif kind == FactKind.RENT:
            rent = fact.amount
    roles = [m.role for m in registry.members(household, on)]
    paid = entitlements.household_payments(household, months=1)
    benefits = sum((sum(month.values(), ZERO) for month in paid.values()), ZERO)
    if fiscal is None and resources:
        fiscal = sum(resources.values(), ZERO) * 12
    situation = scale.Situation(
        annual_resources=fiscal,
        benefits_of_month=benefits,
        housing_cost=rent,
        couple="spouse" in roles,
        children=roles.count("child"),
    )
    income = scale.monthly_income(situation)
    weighting = scale.weighting(couple=situation.couple, children=situation.children)
    weighted = euros(income / weighting) if income is not None else None
    return Precarity(
        resources=resources,
        fiscal_income=fiscal,
        benefits=euros(benefits),
        housing_cost=rent,
        couple=situation.couple,
        children=situation.children,
        monthly_income=income,
        weighting=weighting,
        weighted_income=weighted,
        precarious=None if weighted is None else weighted <= law.PRECARITY.partial,
    )


def proposal(case: AppealCase, assessment: Precarity, owed: Decimal) -> tuple[str, Decimal]:
    """The precarity rule's proposal for a remission request (docs/recours.md): fraud or no
    balance → reject; Q ≤ full threshold → full remission; Q ≤ partial threshold → remission
    of the parameter's share (of the whole balance when it is too small to share); above, or
    resources unknown → reject."""
    debt = case.debt
    q = assessment.weighted_income
    if debt is None or debt.fraud or owed <= 0 or q is None or q > law.PRECARITY.partial:
        return Outcome.REJECT, ZERO
    share = euros(owed * law.PRECARITY.share)
    # A balance too small to share (a cent) is remitted whole: a partial remission is between 0
    # and the balance, both excluded.
    if q <= law.PRECARITY.full or not ZERO < share < owed:
        return Outcome.FULL, owed
    return Outcome.PARTIAL, share


def instruction_file(case: AppealCase) -> dict:
    """What the rapporteur and the members read: the debt and its history, the household's
    resources and charges, the precarity test and the proposal, the engine's indus."""
    debt_line = ledger.debt_lines([case.debt])[0] if case.debt is not None else None
    assessment = precarity(case.household, case.received_on)
    entries = list(case.debt.entries.order_by("on", "id")) if case.debt is not None else []
    indus = list(case.debt.indus.select_related("adjustment")) if case.debt is not None else []
    return {
        "debt": debt_line,
        "entries": entries,
        "indus": [i.adjustment for i in indus],
        "precarity": assessment,
        "proposal": proposal(case, assessment, debt_line.balance if debt_line else ZERO)
        if case.kind == RequestKind.REMISSION
        else None,
        "instruction": latest_instruction(case),
    }


# ---- sessions -----------------------------------------------------------------------------------
def sessions(limit: int = 50):
    return Session.objects.annotate(items=Count("agenda")).order_by("-held_on")[:limit]


def session_by_pk(pk: int) -> Session | None:
    return Session.objects.filter(pk=pk).first()


def agenda(session: Session):
    return AgendaItem.objects.filter(session=session).select_related(
        "case", "case__household", "case__debt", "case__decision"
    )


def present_members(session: Session) -> list[Member]:
    return [a.member for a in session.attendance.select_related("member") if a.present]


def ready_cases():
    return AppealCase.objects.filter(status=CaseStatus.READY).select_related("household")


def active_members():
    return Member.objects.filter(active=True).order_by("college", "name")


def member_of(user) -> Member | None:
    return Member.objects.filter(user=user, active=True).first()


def member_sessions(member: Member):
    return member.sessions.order_by("-held_on")


def session_minutes(session: Session) -> dict:
    """Everything the procès-verbal states."""
    present = present_members(session)
    items = list(agenda(session))
    decisions = {
        d.case_id: d
        for d in Decision.objects.filter(session=session).prefetch_related("votes__member")
    }
    return {
        "session": session,
        "convened": list(session.members.order_by("college", "name")),
        "present": present,
        "quorum": int(law.in_force(law.QUORUM, session.held_on).value),  # type: ignore[call-overload]
        "items": [(item, decisions.get(item.case_id)) for item in items],
        "remitted": sum((d.amount_remitted for d in decisions.values()), ZERO),
    }


# ---- the allocataire's view ---------------------------------------------------------------------
def own_cases(household: Household, today: dt.date) -> list[tuple[CaseLine, Decision | None]]:
    cases = AppealCase.objects.filter(household=household).order_by("-received_on", "-pk")
    decisions = {d.case_id: d for d in Decision.objects.filter(case__household=household)}
    return [(line, decisions.get(line.case.pk)) for line in case_lines(cases, today)]


# ---- courts -------------------------------------------------------------------------------------
def court_case_by_pk(pk: int) -> CourtCase | None:
    return (
        CourtCase.objects.select_related("household", "appeal_case", "debt").filter(pk=pk).first()
    )


def appeal_deadline(court_case: CourtCase) -> dt.date | None:
    """Last day to appeal a judgment (parameters.APPEAL), None before the judgment or at the
    top of the courts."""
    if court_case.judged_on is None or court_case.court not in law.APPEAL:
        return None
    return months_later(court_case.judged_on, law.APPEAL[court_case.court][0])


@dataclass
class CourtLine:
    court_case: CourtCase
    next_hearing: dt.date | None
    appeal_by: dt.date | None


def court_worklist(today: dt.date) -> dict[str, list[CourtLine]]:
    """The legal department's deadlines: pleadings due, hearings to come, judgments whose time
    to appeal runs, and cases pending."""
    cases = list(
        CourtCase.objects.select_related("household", "appeal")
        .filter(Q(judged_on__isnull=True) | Q(judged_on__gte=months_later(today, -2)))
        .order_by("filed_on", "pk")[:500]
    )
    hearings: dict[int, dt.date] = {}
    for court_case in cases:
        upcoming = [h.on for h in court_case.hearings.all() if h.on >= today]
        if upcoming:
            hearings[court_case.pk] = min(upcoming)
    lines = [CourtLine(c, hearings.get(c.pk), appeal_deadline(c)) for c in cases]
    has_appeal = {c.pk for c in cases if hasattr(c, "appeal")}
    return {
        "pleadings": sorted(
            (li for li in lines if li.court_case.pleadings_due and not li.court_case.judged_on),
            key=lambda li: li.court_case.pleadings_due,  # type: ignore[arg-type,return-value]
        ),
        "hearings": sorted(
            (li for li in lines if li.next_hearing),
            key=lambda li: li.next_hearing,  # type: ignore[arg-type,return-value]
        ),
        "appeals": [
            li
            for li in lines
            if li.appeal_by and li.appeal_by >= today and li.court_case.pk not in has_appeal
        ],
        "pending": [li for li in lines if li.court_case.judged_on is None],
    }


# ---- yearly figures -----------------------------------------------------------------------------
def received_in(year: int) -> QuerySet[AppealCase]:
    return AppealCase.objects.filter(received_on__year=year)


def decided_in(year: int) -> QuerySet[Decision]:
    """The CRA's decisions of the year, by the date they were taken."""
    return Decision.objects.filter(decided_on__year=year)


def remissions_decided_in(year: int) -> QuerySet[Decision]:
    """The year's remissions, in full or partial."""
    return decided_in(year).filter(outcome__in=(Outcome.FULL, Outcome.PARTIAL))


def implicit_rejections(year: int) -> list[dt.date]:
    """The days of `year` on which an admissible claim became implicitly rejected (R142-6 CSS):
    its date came while it was undecided and not waiting for documents the Caf asked for (the
    rule of `implicitly_rejected`, applied on that date). A claim of the year before can reach
    its date in `year`."""
    since = dt.date(year - 1, 1, 1)
    rows = (
        AppealCase.objects.filter(admissible=True, received_on__lt=dt.date(year + 1, 1, 1))
        .filter(Q(received_on__gte=since) | Q(documents_received_on__gte=since))
        .exclude(documents_requested_on__isnull=False, documents_received_on__isnull=True)
        .values_list("received_on", "documents_received_on", "decision__decided_on")
    )
    days = []
    for received_on, documents_on, decided_on in rows:
        day = law.implicit_rejection_on(received_on, documents_on)
        if day.year == year and (decided_on is None or decided_on > day):
            days.append(day)
    return days


def year_figures(year: int) -> dict:
    """Requests received in the year by nature; remissions decided in the year (count, amount)."""
    received = dict(
        received_in(year).values("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    remitted = remissions_decided_in(year).aggregate(n=Count("pk"), total=Sum("amount_remitted"))
    return {
        "remission_requests": received.get(RequestKind.REMISSION, 0),
        "contestations": received.get(RequestKind.CONTEST_RIGHT, 0)
        + received.get(RequestKind.CONTEST_INDU, 0),
        "remissions": remitted["n"] or 0,
        "remitted": euros(remitted["total"] or 0),
    }


def judgments(year: int) -> dict[tuple[str, str], int]:
    """(court, judgment) → judgments given in the year."""
    return {
        (court, judgment): n
        for court, judgment, n in CourtCase.objects.filter(judged_on__year=year)
        .values("court", "judgment")
        .annotate(n=Count("pk"))
        .values_list("court", "judgment", "n")
    }


def member_reads_case(member: Member | None, case: AppealCase) -> bool:
    """A member reads a file only when it is on the agenda of a session they are convened to."""
    return (
        member is not None
        and AgendaItem.objects.filter(case=case, session__members=member).exists()
    )


def member_convened(member: Member | None, session: Session) -> bool:
    return member is not None and session.members.filter(pk=member.pk).exists()


def court_cases_of(appeal_case: AppealCase):
    return appeal_case.court_cases.order_by("filed_on", "pk")


def hearings_of(court_case: CourtCase):
    return court_case.hearings.order_by("on", "id")

"""Writes of the fraud domain. Each service is atomic, writes the file's history and its audit
row in the same transaction; bad input, a step out of order or a deadline passed raise
ValidationError with a French message (and the legal reason)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from justedroit.controls.models import Control, ControlKind, ControlOutcome
from justedroit.controls.selectors import automated_indu_within
from justedroit.controls.services import Established
from justedroit.controls.services.common import last_settled_month
from justedroit.core import clock, sending
from justedroit.core.audit import audit_record, case_event_record
from justedroit.core.calendar import months_later
from justedroit.core.models import AuditAction, User
from justedroit.core.money import format_euros
from justedroit.core.roles import Role
from justedroit.cycle.models import LetterChannel
from justedroit.entitlements.models import Adjustment, AdjustmentKind, Payment
from justedroit.entitlements.services import households_recompute
from justedroit.fraud import letters, parameters
from justedroit.fraud.models import (
    FINAL_COMPLAINT_STATUSES,
    FRAUD_OR_FALSE_DECLARATION,
    Complaint,
    ComplaintStatus,
    FileDeclined,
    FraudAdjustment,
    FraudEvent,
    FraudEventKind,
    FraudFile,
    FraudObservation,
    FraudOrigin,
    FraudOutcome,
    FraudQualification,
    FraudSanction,
    FraudStatus,
    IntentElement,
    IntentFinding,
    ObservationChannel,
    PreventionLetter,
    PreventionRule,
    Qualification,
    SanctionKind,
)
from justedroit.recovery import services as recovery
from justedroit.registry.contacts import household_email
from justedroit.registry.models import Benefit, Fact, FactKind, FactSource, Household
from justedroit.registry.services import fact_record
from justedroit.rules.situation import FIRST_SUPPORTED_MONTH

ZERO = Decimal("0.00")
INVESTIGATORS = frozenset({Role.CONTROLLER})
QUALIFIERS = frozenset({Role.CONTROLLER, Role.DIRECTOR})
NO_SANCTION = "none"  # the director's third choice, besides SanctionKind's


# ---- history ---------------------------------------------------------------------------------
def _event(
    file: FraudFile, kind: str, actor: User | None, note: str = "", detail: dict | None = None
) -> FraudEvent:
    """One line of the file's history and its audit row (inside the caller's transaction)."""
    return case_event_record(
        file,
        kind=kind,
        label=FraudEventKind(kind).label,
        opened=kind == FraudEventKind.OPENED,
        domain="fraude",
        actor=actor,
        note=note,
        detail=detail,
    )


def _locked(file: FraudFile) -> FraudFile:
    file = FraudFile.objects.select_for_update().select_related("household").get(pk=file.pk)
    if file.status == FraudStatus.CLOSED:
        raise ValidationError("Ce dossier de fraude est clos.")
    return file


def _require(user: User | None, roles: frozenset, what: str) -> User:
    if user is None or not user.is_active or user.role not in roles:
        raise ValidationError(what)
    return user


def _director(user: User | None) -> User:
    return _require(
        user,
        frozenset({Role.DIRECTOR}),
        "Seul le directeur (ou la directrice) de la Caf prononce une sanction (art. L114-17 CSS).",
    )


def _status(file: FraudFile, *allowed: str) -> None:
    if file.status not in allowed:
        raise ValidationError(
            f"Étape impossible : le dossier est à l'état « {file.get_status_display()} »."
        )


def _close(file: FraudFile, outcome: str, actor: User | None, note: str = "") -> FraudFile:
    file.status, file.outcome, file.closed_at, file.due = (
        FraudStatus.CLOSED,
        outcome,
        clock.now(),
        None,
    )
    file.save(update_fields=["status", "outcome", "closed_at", "due"])
    _event(file, FraudEventKind.CLOSED, actor, note=note, detail={"outcome": outcome})
    return file


# ---- opening -----------------------------------------------------------------------------------
def fraud_file_open(
    *,
    household: Household,
    facts: str,
    first_month: dt.date,
    last_month: dt.date,
    acting_user: User,
    control: Control | None = None,
    report: str = "",
    established: list[Established] | None = None,
) -> FraudFile:
    """Open a fraud file from a control closed on a suspected fraud, or from a report. The facts
    the report establishes are recorded (source « contrôle »); the engine recomputes the
    fraudulent period, and only it; the file is linked to the indus of that period (those of the
    control, and those the recomputation found)."""
    _require(acting_user, INVESTIGATORS, "Un dossier de fraude est ouvert par un contrôleur.")
    if not facts.strip():
        raise ValidationError("Décrivez les faits établis.")
    first_month, last_month = clock.month_start(first_month), clock.month_start(last_month)
    if last_month < first_month:
        raise ValidationError("La période frauduleuse finit avant de commencer.")
    if last_month > clock.month_start(clock.today()):
        raise ValidationError("La période frauduleuse ne peut pas finir dans le futur.")
    if control is not None and control.household_id != household.pk:
        raise ValidationError("Ce contrôle concerne un autre foyer.")
    if control is None and not report.strip():
        raise ValidationError("Sans contrôle d'origine, décrivez le signalement.")
    with transaction.atomic():
        if control is not None:
            _awaiting_file(control)
        file = FraudFile.objects.create(
            household=household,
            origin=FraudOrigin.CONTROL if control is not None else FraudOrigin.REPORT,
            control=control,
            report=report.strip(),
            facts=facts.strip(),
            first_month=first_month,
            last_month=last_month,
            opened_at=clock.now(),
            opened_by=acting_user,
            status=FraudStatus.INVESTIGATION,
        )
        reason = f"dossier de fraude n° {file.pk}"
        recorded = [
            fact_record(
                household=household,
                person=item.person,
                kind=item.kind,
                valid_from=item.first_month,
                valid_until=item.until,
                amount=item.amount,
                code=item.code,
                source=FactSource.CONTROL,
                acting_user=acting_user,
                reason=reason,
            )
            for item in established or []
        ]
        adjustments = _period_indus(file, acting_user, reason)
        _event(
            file,
            FraudEventKind.OPENED,
            acting_user,
            note=file.facts,
            detail={
                "origin": file.origin,
                "control": control.pk if control is not None else None,
                "period": f"{first_month:%Y-%m}..{last_month:%Y-%m}",
                "facts": [f.pk for f in recorded],
                "adjustments": [a.pk for a in adjustments],
                "prejudice": str(file.prejudice),
            },
        )
    return file


def _awaiting_file(control: Control) -> Control:
    """`control`, locked, as long as the fraud team has still to decide on it: closed on a
    suspected fraud, with neither a file nor a decision not to open one (the lock serialises
    the two decisions)."""
    control = Control.objects.select_for_update().get(pk=control.pk)
    if control.outcome != ControlOutcome.SUSPECTED_FRAUD:
        raise ValidationError("Ce contrôle n'a pas conclu à une suspicion de fraude.")
    if FraudFile.objects.filter(control=control).exists():
        raise ValidationError("Un dossier de fraude est déjà ouvert pour ce contrôle.")
    if FileDeclined.objects.filter(control=control).exists():
        raise ValidationError(
            "L'équipe fraude a décidé de ne pas ouvrir de dossier pour ce contrôle ; "
            "des éléments nouveaux s'instruisent sur signalement."
        )
    return control


def fraud_file_decline(*, control: Control, reason: str, acting_user: User) -> FileDeclined:
    """Decide, with a reason, not to open a fraud file on a control closed on a suspected fraud:
    its indus no longer wait for a qualification (`selectors.indus_awaiting_qualification`)."""
    _require(acting_user, INVESTIGATORS, "Seul un contrôleur décide des suites d'une suspicion.")
    if not reason.strip():
        raise ValidationError("Motivez la décision de ne pas ouvrir de dossier.")
    with transaction.atomic():
        control = _awaiting_file(control)
        declined = FileDeclined.objects.create(
            control=control, decided_at=clock.now(), decided_by=acting_user, reason=reason.strip()
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=control.household.number,
            obj=declined,
            reason="fraude : pas de dossier ouvert sur une suspicion",
            detail={"control": control.pk},
        )
    return declined


def _period_indus(file: FraudFile, acting_user: User, reason: str) -> list[Adjustment]:
    """Recompute the settled months of the period and link its indus: the control's and the
    recomputation's, never a month outside the period nor a rappel."""
    household = file.household
    first = max(file.first_month, FIRST_SUPPORTED_MONTH)
    last = last_settled_month(household, file.last_month)
    created = []
    if last is not None and first <= last:
        created = households_recompute(
            household_ids=[household.pk],
            first_month=first,
            last_month=min(last, file.last_month),
            acting_user=acting_user,
            reason=reason,
        )
    in_period = Q(
        household=household,
        kind=AdjustmentKind.OVERPAYMENT,
        month__gte=file.first_month,
        month__lte=file.last_month,
    )
    sources = Q(pk__in=[a.pk for a in created])
    if file.control_id is not None:
        sources |= Q(controladjustment__control_id=file.control_id)
    linked = list(
        Adjustment.objects.filter(in_period & sources)
        .exclude(fraudadjustment__isnull=False)
        .distinct()
        .order_by("month", "benefit")
    )
    FraudAdjustment.objects.bulk_create(FraudAdjustment(file=file, adjustment=a) for a in linked)
    file.prejudice = sum((a.amount for a in linked), ZERO)
    file.save(update_fields=["prejudice"])
    return linked


# ---- intent and qualification --------------------------------------------------------------
def intent_record(
    *,
    file: FraudFile,
    element: str,
    established: bool,
    evidence: str,
    acting_user: User,
    document=None,
) -> IntentFinding:
    """One line of the intent checklist, with its evidence (a text, and a piece of the
    household's file if any)."""
    _require(acting_user, INVESTIGATORS, "L'élément intentionnel est instruit par un contrôleur.")
    if element not in IntentElement.values:
        raise ValidationError("Élément intentionnel inconnu.")
    if not evidence.strip():
        raise ValidationError("Indiquez la preuve ou le motif de cette réponse.")
    with transaction.atomic():
        file = _locked(file)
        _status(file, FraudStatus.INVESTIGATION)
        if document is not None and document.household_id != file.household_id:
            raise ValidationError("Cette pièce n'appartient pas au dossier du foyer.")
        finding = IntentFinding.objects.create(
            file=file,
            element=element,
            established=established,
            evidence=evidence.strip()[:5000],
            document=document,
            recorded_at=clock.now(),
            recorded_by=acting_user,
        )
        _event(
            file,
            FraudEventKind.INTENT,
            acting_user,
            note=f"{IntentElement(element).label} : {'établi' if established else 'non établi'}",
            detail={"element": element, "established": established, "finding": finding.pk},
        )
    return finding


def intent_checklist(file: FraudFile) -> dict[str, IntentFinding]:
    """The latest answer per element of the checklist."""
    latest: dict[str, IntentFinding] = {}
    for finding in file.intent.order_by("recorded_at", "id"):
        latest[finding.element] = finding
    return latest


def first_error(household: Household, *, before: FraudFile) -> bool:
    """Whether the household has no earlier error on record: no earlier fraud file qualified
    (good faith, fault or fraud). The household's history decides, not the agent."""
    return (
        not FraudFile.objects.filter(household=household, opened_at__lt=before.opened_at)
        .exclude(pk=before.pk)
        .exclude(qualification="")
        .exists()
    )


def is_repeat(file: FraudFile, on: dt.date) -> bool:
    """A penalty pronounced against the household in the 3 years before `on` (L114-17 I)."""
    since = months_later(on, -parameters.REPEAT_MONTHS)
    return (
        FraudSanction.objects.filter(
            file__household_id=file.household_id,
            kind=SanctionKind.PENALTY,
            decided_at__date__gte=since,
        )
        .exclude(file=file)
        .exists()
    )


def fraud_qualify(
    *,
    file: FraudFile,
    qualification: str,
    reasons: str,
    acting_user: User,
    regularised: bool = False,
    organised: bool = False,
) -> FraudFile:
    """The qualification, decided by a named person (a controller of the fraud team or the
    director) and logged. A first good-faith error, regularised, closes the file without
    sanction (droit à l'erreur, L123-1 CRPA): the indu stays due. Fraud needs at least one
    element of intent established with its evidence."""
    _require(
        acting_user,
        QUALIFIERS,
        "La qualification est décidée par une personne nommée : contrôleur ou directeur.",
    )
    if qualification not in Qualification.values:
        raise ValidationError("Qualification inconnue.")
    if not reasons.strip():
        raise ValidationError("Motivez la qualification.")
    with transaction.atomic():
        file = _locked(file)
        _status(file, FraudStatus.INVESTIGATION)
        checklist = intent_checklist(file)
        intent = [f for f in checklist.values() if f.established]
        if qualification == Qualification.FRAUD and not intent:
            raise ValidationError(
                "La fraude suppose l'intention de frauder : établissez au moins un élément "
                "intentionnel, avec sa preuve."
            )
        organised = organised or any(f.element == IntentElement.ORGANISED for f in intent)
        if organised and qualification != Qualification.FRAUD:
            raise ValidationError("La bande organisée ne se retient qu'avec la fraude.")
        first = first_error(file.household, before=file)
        now = clock.now()
        FraudQualification.objects.create(
            file=file,
            qualification=qualification,
            organised=organised,
            regularised=regularised,
            first_error=first,
            reasons=reasons.strip(),
            decided_at=now,
            decided_by=acting_user,
        )
        threshold = parameters.complaint_threshold(now.year)
        file.qualification, file.qualified_by = qualification, acting_user
        file.complaint_mandatory = (
            qualification == Qualification.FRAUD and file.prejudice >= threshold
        )
        file.status = FraudStatus.QUALIFIED
        file.save(update_fields=["qualification", "qualified_by", "complaint_mandatory", "status"])
        _event(
            file,
            FraudEventKind.QUALIFIED,
            acting_user,
            note=reasons.strip(),
            detail={
                "qualification": qualification,
                "organised": organised,
                "regularised": regularised,
                "first_error": first,
                "complaint_mandatory": file.complaint_mandatory,
            },
        )
        if qualification in FRAUD_OR_FALSE_DECLARATION:
            _notified_indus_found_fraudulent(file, now, acting_user)
        if right_to_error(file):
            _close(file, FraudOutcome.RIGHT_TO_ERROR, acting_user, note=parameters.RIGHT_TO_ERROR)
    return file


def _notified_indus_found_fraudulent(file: FraudFile, now: dt.datetime, actor: User) -> None:
    """Indus of the file already notified as ordinary debts (a file opened after the fraud
    team's delay, or on indus a recomputation notified) make those debts fraud debts from the
    qualification on; the others wait for the cycle, which notifies them as fraud debts."""
    recovery.debts_fraud_found(
        adjustment_ids=file.adjustments.values_list("pk", flat=True),
        discovered_on=now.astimezone(clock.PARIS).date(),
        reason=f"dossier de fraude n° {file.pk} : {file.get_qualification_display()}",
        acting_user=actor,
    )


def right_to_error(file: FraudFile) -> bool:
    """L123-1 CRPA: a first error, in good faith, regularised: no sanction."""
    last = file.qualifications.order_by("-decided_at", "-id").first()
    return bool(
        last is not None
        and last.qualification == Qualification.GOOD_FAITH
        and last.first_error
        and last.regularised
    )


def _no_sanction_if_right_to_error(file: FraudFile) -> None:
    if right_to_error(file):
        raise ValidationError(
            "Droit à l'erreur : une première erreur de bonne foi, régularisée, ne peut être "
            "sanctionnée (art. L123-1 CRPA) ; l'indu reste dû."
        )


# ---- the sanction procedure (R114-11 CSS) ----------------------------------------------------
def _bounds(file: FraudFile, on: dt.date) -> parameters.Bounds:
    last = file.qualifications.order_by("-decided_at", "-id").first()
    assert last is not None  # a file past investigation is qualified (database check)
    return parameters.penalty_bounds(
        year=on.year,
        intent=last.qualification == Qualification.FRAUD,
        organised=last.organised,
        repeat=is_repeat(file, on),
    )


def proposal(file: FraudFile, on: dt.date) -> Decimal:
    """The penalty the Caf's scale proposes for this file on `on`, within the legal bounds."""
    last = file.qualifications.order_by("-decided_at", "-id").first()
    assert last is not None
    return parameters.scale_proposal(
        on=on,
        prejudice=file.prejudice,
        intent=last.qualification == Qualification.FRAUD,
        organised=last.organised,
        repeat=is_repeat(file, on),
    )


def _check_amount(file: FraudFile, amount: Decimal, on: dt.date) -> parameters.Bounds:
    bounds = _bounds(file, on)
    if not bounds.floor <= amount <= bounds.ceiling or amount <= 0:
        raise ValidationError(
            f"Montant hors des bornes légales de {on.year} ({bounds.article}) : entre "
            f"{format_euros(bounds.floor)} et {format_euros(bounds.ceiling)} "
            f"({bounds.ceiling_multiple} × PMSS de {format_euros(bounds.pmss)})."
        )
    return bounds


def notice_send(*, file: FraudFile, amount: Decimal | None, acting_user: User) -> FraudFile:
    """Notify the allocataire of the facts and of the penalty envisaged (the scale's proposal
    when no amount is given), and open one month for observations or a hearing."""
    _require(acting_user, QUALIFIERS, "L'avis est notifié par le service fraude ou le directeur.")
    with transaction.atomic():
        file = _locked(file)
        _status(file, FraudStatus.QUALIFIED)
        _no_sanction_if_right_to_error(file)
        today = clock.today()
        amount = proposal(file, today) if amount is None else amount
        _check_amount(file, amount, today)
        file.proposed_amount = amount
        file.status = FraudStatus.NOTIFIED
        file.due = months_later(today, parameters.OBSERVATIONS_MONTHS)
        file.save(update_fields=["proposed_amount", "status", "due"])
        _event(
            file,
            FraudEventKind.NOTICE,
            acting_user,
            note=parameters.NOTICE_RIGHTS,
            detail={"amount": str(amount), "due": file.due.isoformat()},
        )
    return file


def observations_record(
    *, file: FraudFile, text: str, channel: str, hearing: bool, acting_user: User | None
) -> FraudObservation:
    """The allocataire's observations (from « Mon dossier », a letter, or heard), while the
    month to answer runs."""
    if channel not in ObservationChannel.values:
        raise ValidationError("Canal inconnu.")
    if not text.strip() and not hearing:
        raise ValidationError("Écrivez vos observations ou demandez à être entendu(e).")
    with transaction.atomic():
        file = _locked(file)
        _status(file, FraudStatus.NOTIFIED)
        if file.due is not None and clock.today() > file.due:
            raise ValidationError(
                f"Le délai d'un mois pour présenter des observations a expiré le "
                f"{file.due:%d/%m/%Y} (art. R114-11 CSS)."
            )
        observation = FraudObservation.objects.create(
            file=file,
            received_at=clock.now(),
            channel=channel,
            text=text.strip()[:5000],
            hearing_requested=hearing,
            recorded_by=acting_user,
        )
        _event(
            file,
            FraudEventKind.HEARING if hearing else FraudEventKind.OBSERVATIONS,
            acting_user,
            note=observation.text,
            detail={"observation": observation.pk, "channel": channel},
        )
    return observation


def _observations_time_over(file: FraudFile) -> None:
    if file.due is not None and clock.today() <= file.due and not file.observations.exists():
        raise ValidationError(
            f"L'allocataire peut présenter ses observations jusqu'au {file.due:%d/%m/%Y} "
            "(art. R114-11 CSS) : attendez-les ou la fin du délai."
        )


def commission_refer(*, file: FraudFile, acting_user: User) -> FraudFile:
    """The director pursues the penalty after the observations: the commission of penalties
    (board members) gives its opinion within one month, else it is deemed given."""
    _director(acting_user)
    with transaction.atomic():
        file = _locked(file)
        _status(file, FraudStatus.NOTIFIED)
        _observations_time_over(file)
        file.status = FraudStatus.COMMISSION
        file.due = months_later(clock.today(), parameters.COMMISSION_MONTHS)
        file.save(update_fields=["status", "due"])
        _event(file, FraudEventKind.COMMISSION, acting_user, detail={"due": file.due.isoformat()})
    return file


def commission_opinion_record(
    *, file: FraudFile, opinion: str, amount: Decimal | None, acting_user: User
) -> FraudFile:
    """The commission's opinion (and the amount it advises); the director then has one month
    to decide, else the procedure lapses."""
    _require(acting_user, QUALIFIERS, "L'avis de la commission est saisi par le service fraude.")
    if not opinion.strip():
        raise ValidationError("Saisissez l'avis de la commission.")
    with transaction.atomic():
        file = _locked(file)
        _status(file, FraudStatus.COMMISSION)
        if amount is not None:
            _check_amount(file, amount, clock.today())
        if amount is not None:
            file.proposed_amount = amount
            file.save(update_fields=["proposed_amount"])
        _to_decision(file, clock.today(), acting_user, FraudEventKind.OPINION, opinion.strip())
    return file


def _to_decision(file: FraudFile, opinion_on: dt.date, actor, kind: str, note: str) -> None:
    file.status = FraudStatus.DECISION
    file.due = months_later(opinion_on, parameters.DECISION_MONTHS)
    file.save(update_fields=["status", "due"])
    _event(file, kind, actor, note=note, detail={"due": file.due.isoformat()})


def _complaint_filed_if_mandatory(file: FraudFile) -> None:
    if file.complaint_mandatory and not Complaint.objects.filter(file=file).exists():
        raise ValidationError(
            "Plainte obligatoire : le préjudice atteint 8 fois le plafond mensuel de la sécurité "
            "sociale (art. D114-5 CSS). Déposez d'abord la plainte auprès du procureur."
        )


def sanction_decide(
    *, file: FraudFile, kind: str, amount: Decimal, reasons: str, acting_user: User
) -> FraudFile:
    """The director's decision: no sanction, a warning (since 16/12/2020), or a penalty within
    the legal bounds of the year (after the commission's opinion, within one month of it). A
    decision after the deadline is refused with its reason: the procedure has lapsed."""
    _director(acting_user)
    if not reasons.strip():
        raise ValidationError("Motivez la décision.")
    today = clock.today()
    with transaction.atomic():
        file = _locked(file)
        _no_sanction_if_right_to_error(file)
        if file.due is not None and today > file.due and file.status == FraudStatus.DECISION:
            raise ValidationError(
                f"Décision hors délai : le directeur devait statuer avant le {file.due:%d/%m/%Y}, "
                "un mois après l'avis de la commission ; la procédure est caduque (art. R114-11 "
                "CSS)."
            )
        if kind == NO_SANCTION:
            _status(file, FraudStatus.QUALIFIED, FraudStatus.NOTIFIED, FraudStatus.DECISION)
            _complaint_filed_if_mandatory(file)
            _event(file, FraudEventKind.DECIDED, acting_user, note=reasons, detail={"kind": kind})
            return _close(file, FraudOutcome.NO_SANCTION, acting_user)
        if kind not in SanctionKind.values:
            raise ValidationError("Sanction inconnue.")
        if kind == SanctionKind.WARNING:
            if today < parameters.WARNING_FROM:
                raise ValidationError(
                    "L'avertissement n'est possible qu'à partir du 16/12/2020 (art. L114-17 I "
                    "CSS, loi n° 2020-1576)."
                )
            _status(file, FraudStatus.NOTIFIED, FraudStatus.DECISION)
            if file.status == FraudStatus.NOTIFIED:
                _observations_time_over(file)
            amount = ZERO
        else:
            _status(file, FraudStatus.DECISION)
        _complaint_filed_if_mandatory(file)
        bounds = (
            _check_amount(file, amount, today)
            if kind == SanctionKind.PENALTY
            else _bounds(file, today)
        )
        payment_due = (
            months_later(today, parameters.PAYMENT_MONTHS) if kind == SanctionKind.PENALTY else None
        )
        sanction = FraudSanction.objects.create(
            file=file,
            kind=kind,
            amount=amount,
            year=bounds.year,
            pmss=bounds.pmss,
            floor=bounds.floor,
            ceiling_multiple=bounds.ceiling_multiple,
            ceiling=bounds.ceiling,
            article=bounds.article,
            reasons=reasons.strip(),
            decided_at=clock.now(),
            decided_by=acting_user,
            payment_due=payment_due,
        )
        _event(
            file,
            FraudEventKind.DECIDED,
            acting_user,
            note=reasons.strip(),
            detail={"kind": kind, "amount": str(amount), "sanction": sanction.pk},
        )
        if kind == SanctionKind.WARNING:
            return _close(file, FraudOutcome.WARNING, acting_user)
        file.status, file.due = FraudStatus.PAYMENT, payment_due
        file.save(update_fields=["status", "due"])
    return file


def payment_record(*, file: FraudFile, acting_user: User) -> FraudFile:
    """The penalty is paid (recorded by the accounting side)."""
    _require(acting_user, QUALIFIERS, "Le règlement est enregistré par le service fraude.")
    with transaction.atomic():
        file = _locked(file)
        _status(file, FraudStatus.PAYMENT)
        _event(file, FraudEventKind.PAID, acting_user)
        return _close(file, FraudOutcome.PENALTY_PAID, acting_user)


def fraud_deadlines_apply(*, today: dt.date, acting_user: User | None) -> dict[str, int]:
    """The procedure's clock, run by the Caf's monthly cycle (`justedroit cycle run`): a
    commission silent for a month is deemed to have given its opinion (the director's month
    starts then); a director silent for a month after the opinion lets the procedure lapse; a
    penalty unpaid once its two months are over becomes a debt in the recovery ledger. Each
    file changes in its own transaction, its state telling what is left: run again (after a
    kill), nothing is done twice."""
    counts = {"opinions_deemed": 0, "lapsed": 0, "penalties_to_recovery": 0, "penalties_left": 0}
    for file in FraudFile.objects.filter(status=FraudStatus.COMMISSION, due__lt=today):
        with transaction.atomic():
            file = _locked(file)
            if file.status != FraudStatus.COMMISSION or file.due is None:
                continue
            _to_decision(
                file,
                file.due,
                acting_user,
                FraudEventKind.OPINION_DEEMED,
                "Avis réputé rendu faute de réponse de la commission dans le délai d'un mois.",
            )
            counts["opinions_deemed"] += 1
    for file in FraudFile.objects.filter(status=FraudStatus.DECISION, due__lt=today):
        with transaction.atomic():
            file = _locked(file)
            if file.status != FraudStatus.DECISION:
                continue
            _event(
                file,
                FraudEventKind.LAPSED,
                acting_user,
                note="Le directeur n'a pas statué dans le mois suivant l'avis de la commission "
                "(art. R114-11 CSS).",
            )
            _close(file, FraudOutcome.LAPSED, acting_user)
            counts["lapsed"] += 1
    for file in FraudFile.objects.filter(status=FraudStatus.PAYMENT, due__lt=today):
        with transaction.atomic():
            file = _locked(file)
            if file.status != FraudStatus.PAYMENT:
                continue
            benefit = _penalty_benefit(file)
            if benefit is None:  # left in the worklist, for an agent
                counts["penalties_left"] += 1
                continue
            _penalty_to_recovery(file, benefit, acting_user)
            counts["penalties_to_recovery"] += 1
    return counts


def _penalty_benefit(file: FraudFile) -> str | None:
    """The benefit the penalty's debt is booked under: that of the file's largest indus, else
    the household's latest payment (a penalty without indus, e.g. an obstruction); None if the
    household was never paid."""
    by_benefit: dict[str, Decimal] = {}
    for adjustment in file.adjustments.all():
        by_benefit[adjustment.benefit] = (
            by_benefit.get(adjustment.benefit, ZERO) + adjustment.amount
        )
    if by_benefit:
        return max(sorted(by_benefit), key=lambda benefit: by_benefit[benefit])
    latest = Payment.objects.filter(household_id=file.household_id).order_by("-month").first()
    return latest.benefit if latest is not None else None


def _penalty_to_recovery(file: FraudFile, benefit: str, actor: User | None) -> None:
    """The penalty unpaid at its due date becomes a debt of origin « pénalité » (L114-17 I CSS:
    recovered on the benefits to come, or by formal notice and contrainte) and the file closes;
    in the caller's transaction, with the file locked."""
    sanction = file.sanction
    decided_on = sanction.decided_at.astimezone(clock.PARIS).date()
    debt = recovery.penalty_debt_notify(
        household=file.household,
        benefit=benefit,
        amount=sanction.amount,
        decided_on=decided_on,
        reason=f"Pénalité administrative du {decided_on:%d/%m/%Y} impayée "
        f"(dossier de fraude n° {file.pk}, art. L114-17 CSS)",
        acting_user=actor,
    )
    _event(
        file,
        FraudEventKind.RECOVERY,
        actor,
        note=f"Pénalité impayée au {file.due:%d/%m/%Y} : dette n° {debt.pk}.",
        detail={"debt": debt.pk, "amount": str(sanction.amount)},
    )
    _close(file, FraudOutcome.PENALTY_DEBT, actor)


# ---- complaint (L114-9, D114-5 CSS) ------------------------------------------------------------
def complaint_file(
    *, file: FraudFile, filed_on: dt.date, court: str, reference: str, acting_user: User
) -> Complaint:
    """The complaint to the public prosecutor, with civil-party claim: mandatory from 8 PMSS
    of prejudice, optional below (a fraud or a fault)."""
    _director(acting_user)
    if not court.strip():
        raise ValidationError("Indiquez le parquet saisi.")
    if filed_on > clock.today():
        raise ValidationError("La date de dépôt est dans le futur.")
    with transaction.atomic():
        file = FraudFile.objects.select_for_update().select_related("household").get(pk=file.pk)
        if file.qualification not in FRAUD_OR_FALSE_DECLARATION:
            raise ValidationError("Une plainte suppose une fraude ou une faute qualifiée.")
        if Complaint.objects.filter(file=file).exists():
            raise ValidationError("La plainte est déjà déposée : enregistrez sa suite.")
        complaint = Complaint.objects.create(
            file=file,
            filed_on=filed_on,
            court=court.strip()[:150],
            reference=reference.strip()[:60],
            mandatory=file.complaint_mandatory,
            status=ComplaintStatus.FILED,
            updated_at=clock.now(),
        )
        _event(
            file,
            FraudEventKind.COMPLAINT,
            acting_user,
            note=f"Plainte déposée le {filed_on:%d/%m/%Y} auprès du {complaint.court}.",
            detail={"mandatory": complaint.mandatory, "complaint": complaint.pk},
        )
    return complaint


def complaint_follow(
    *, complaint: Complaint, status: str, note: str, acting_user: User
) -> Complaint:
    """The complaint's follow-up: investigation, dismissal, prosecution, judgment."""
    _require(acting_user, QUALIFIERS, "La suite d'une plainte est saisie par le service fraude.")
    if status not in ComplaintStatus.values or status == ComplaintStatus.FILED:
        raise ValidationError("Suite de plainte inconnue.")
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update()
            .select_related("file__household")
            .get(pk=complaint.pk)
        )
        if complaint.status in FINAL_COMPLAINT_STATUSES:
            raise ValidationError("Cette plainte a déjà connu sa suite définitive.")
        complaint.status, complaint.updated_at = status, clock.now()
        complaint.save(update_fields=["status", "updated_at"])
        _event(
            complaint.file,
            FraudEventKind.COMPLAINT_FOLLOW_UP,
            acting_user,
            note=note.strip(),
            detail={"status": status},
        )
    return complaint


# ---- prevention letters ----------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    household_id: int
    rule: str


def _new_job_on_rsa(month: dt.date) -> set[int]:
    """Paid RSA for the month, a member with a partner-known salary covering it and no salary
    declared for it."""
    covering = Q(valid_from__lte=month) & (Q(valid_until__isnull=True) | Q(valid_until__gt=month))
    on_rsa = Payment.objects.filter(month=month, benefit=Benefit.RSA, amount__gt=0).values(
        "household_id"
    )
    partner = set(
        Fact.objects.filter(
            covering,
            household_id__in=on_rsa,
            kind=FactKind.SALARY,
            source=FactSource.PARTNER_EXCHANGE,
            amount__gt=0,
        ).values_list("household_id", flat=True)
    )
    declared = set(
        Fact.objects.filter(covering, household_id__in=partner, kind=FactKind.SALARY)
        .exclude(source=FactSource.PARTNER_EXCHANGE)
        .values_list("household_id", flat=True)
    )
    return partner - declared


def _late_after_indu(month: dt.date) -> set[int]:
    """An indu computed during the month that a declaration of the household caused (made after
    the months it concerns were paid), within `PREVENTION_REPEAT_MONTHS` after an indu an
    automated control settled."""
    start = dt.datetime.combine(month, dt.time(), tzinfo=clock.PARIS)
    end = dt.datetime.combine(clock.add_months(month, 1), dt.time(), tzinfo=clock.PARIS)
    late = Adjustment.objects.filter(
        kind=AdjustmentKind.OVERPAYMENT,
        computed_at__gte=start,
        computed_at__lt=end,
        causes__source=FactSource.DECLARATION,
    ).values("household_id")
    return automated_indu_within(late, month, parameters.PREVENTION_REPEAT_MONTHS)


def _below_referral(month: dt.date) -> set[int]:
    """An automated control of the month's cycle settled an indu: the resources the household
    declared differed from a partner's beyond the tolerance, but below the threshold that
    refers it to a person (`controls.parameters.OMISSION_EUROS`)."""
    return set(
        Control.objects.filter(
            kind=ControlKind.AUTOMATED, outcome=ControlOutcome.OVERPAYMENT, month=month
        ).values_list("household_id", flat=True)
    )


# The rules, in the order the Caf writes within its capacity (docs/fraude.md).
PREVENTION_RULES = (
    (PreventionRule.NEW_JOB_ON_RSA, _new_job_on_rsa),
    (PreventionRule.LATE_AFTER_INDU, _late_after_indu),
    (PreventionRule.BELOW_REFERRAL, _below_referral),
)


def prevention_targets(month: dt.date) -> list[Target]:
    """Households the prevention rules name for `month`, in the rules' order (then by
    household), each once (its first rule), none warned in the last 12 months."""
    since = clock.add_months(month, -parameters.PREVENTION_QUIET_MONTHS)
    seen = set(
        PreventionLetter.objects.filter(month__gt=since, month__lte=month).values_list(
            "household_id", flat=True
        )
    )
    targets = []
    for rule, named in PREVENTION_RULES:
        households = sorted(named(month) - seen)
        targets += [Target(household_id, rule) for household_id in households]
        seen.update(households)
    return targets


def prevention_letters_send(
    *, month: dt.date, acting_user: User | None, at_most: int | None = None
) -> dict[str, int]:
    """Write the month's prevention letters (queued, sent by the task queue once committed), in
    one transaction. `at_most`: the Caf's capacity for the month — the letters already written
    for it count, the first targets (in the rules' order) get one, the others stay targets for a
    later month; so a second run for the same month (after a kill) writes nothing more."""
    if at_most is not None and at_most < 0:
        raise ValidationError("Le nombre maximal de lettres ne peut pas être négatif.")
    month = clock.month_start(month)
    targets = prevention_targets(month)
    if at_most is not None:
        at_most = max(at_most - PreventionLetter.objects.filter(month=month).count(), 0)
    written = targets if at_most is None else targets[:at_most]
    households = Household.objects.in_bulk([t.household_id for t in written])
    counts = {"targets": len(targets), "letters": 0, "email": 0, "post": 0}
    with transaction.atomic():
        now = clock.now()
        for target in written:
            household = households[target.household_id]
            known = household_email(household)
            letter = PreventionLetter.objects.create(
                household=household,
                month=month,
                rule=target.rule,
                channel=LetterChannel.EMAIL if known else LetterChannel.POST,
                recipient=known.address if known else "",
                text=letters.prevention_text(household, target.rule),
                created_at=now,
                queued_at=now,
            )
            sending.send_after_commit(letter)
            counts["letters"] += 1
            counts[letter.channel] += 1
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            households=[households[t.household_id].number for t in written],
            reason=f"lettres de mise en garde du mois {month:%m/%Y}",
            detail=counts,
        )
    return counts

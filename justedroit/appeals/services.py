"""Writes of the appeals domain. Every service is atomic and audited (the case's history is a
`CaseEvent` with its audit row, `core.audit.case_event_record`); effects on the other domains go
through their services: a remission or a cancellation is a movement of the recovery ledger, a
contested indu's recovery is suspended there, a reversed decision is a recomputation of the
rights. See docs/recours.md."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.appeals import parameters as law
from justedroit.appeals import selectors
from justedroit.appeals.models import (
    CONTEST_OUTCOMES,
    REMISSION_OUTCOMES,
    AgendaItem,
    AppealCase,
    Attendance,
    CaseEventKind,
    CaseStatus,
    Choice,
    Court,
    CourtCase,
    Decision,
    Hearing,
    Instruction,
    Judgment,
    Member,
    Outcome,
    RequestKind,
    Session,
    Vote,
)
from justedroit.core import clock
from justedroit.core.audit import audit_record, case_event_record
from justedroit.core.models import AuditAction, User
from justedroit.core.money import CENT, format_euros
from justedroit.entitlements.services import household_recompute
from justedroit.recovery import selectors as ledger
from justedroit.recovery import services as recovery
from justedroit.recovery.models import Debt, DebtEntry, EntryKind
from justedroit.registry.models import Household

ZERO = Decimal("0.00")
DOMAIN = "recours amiable"


def _event(case: AppealCase, kind: str, actor: User | None, note: str = "", **detail):
    return case_event_record(
        case,
        kind=kind,
        label=CaseEventKind(kind).label,
        opened=kind == CaseEventKind.RECEIVED,
        domain=DOMAIN,
        actor=actor,
        note=note,
        detail=detail,
    )


def _locked(case: AppealCase) -> AppealCase:
    return AppealCase.objects.select_for_update().get(pk=case.pk)


def _reference(case: AppealCase) -> str:
    return f"CRA n° {case.pk}"


# ---- intake -------------------------------------------------------------------------------------
def case_receive(
    *,
    household: Household,
    kind: str,
    channel: str,
    benefit: str,
    contested_decision: str,
    notified_on: dt.date,
    received_on: dt.date,
    acting_user: User | None,
    debt: Debt | None = None,
    grounds: str = "",
) -> AppealCase:
    """Record a claim received by any channel. A contestation received more than 2 months after
    the decision's notification is inadmissible (R142-1 CSS) — recorded as such, the allocataire
    told; a remission request may be made while the debt is owed. A contested indu's recovery is
    suspended until the decision (parameters.SUSPENSION)."""
    if kind not in RequestKind.values:
        raise ValidationError("Nature de recours inconnue.")
    if received_on > clock.today():
        raise ValidationError("La date de réception ne peut pas être dans le futur.")
    if notified_on > received_on:
        raise ValidationError("La décision contestée doit avoir été notifiée avant la réclamation.")
    if debt is not None and debt.household_id != household.pk:
        raise ValidationError("Cette dette n'est pas celle du foyer.")
    if kind == RequestKind.REMISSION and debt is None:
        raise ValidationError("Une demande de remise porte sur une dette : indiquez laquelle.")
    if not contested_decision.strip():
        raise ValidationError("Indiquez la décision contestée.")
    admissible = kind == RequestKind.REMISSION or received_on <= law.seize_deadline(notified_on)
    with transaction.atomic():
        case = AppealCase.objects.create(
            household=household,
            kind=kind,
            channel=channel,
            benefit=benefit,
            debt=debt,
            contested_decision=contested_decision.strip(),
            notified_on=notified_on,
            received_on=received_on,
            grounds=grounds.strip(),
            admissible=admissible,
            status=CaseStatus.RECEIVED if admissible else CaseStatus.INADMISSIBLE,
            created_at=clock.now(),
            created_by=acting_user,
        )
        _event(case, CaseEventKind.RECEIVED, acting_user, channel=channel)
        if not admissible:
            _event(
                case,
                CaseEventKind.INADMISSIBLE,
                acting_user,
                f"Reçue après le {law.seize_deadline(notified_on):%d/%m/%Y} (R142-1 CSS).",
            )
        elif debt is not None and kind in law.in_force(law.SUSPENSION, received_on).value:  # type: ignore[operator]
            recovery.debt_suspend(
                debt=debt,
                on=received_on,
                reason="Contestation de l'indu devant la CRA",
                reference=_reference(case),
                acting_user=acting_user,
            )
    return case


def documents_request(*, case: AppealCase, on: dt.date, acting_user: User, note: str = ""):
    """Ask the allocataire for documents: the R142-6 clock restarts when they arrive."""
    with transaction.atomic():
        case = _locked(case)
        if case.status not in (CaseStatus.RECEIVED, CaseStatus.READY):
            raise ValidationError("On ne demande des pièces que sur un recours en instruction.")
        case.documents_requested_on, case.status = on, CaseStatus.DOCUMENTS
        case.save(update_fields=["documents_requested_on", "status"])
        _event(case, CaseEventKind.DOCUMENTS_REQUESTED, acting_user, note)
    return case


def documents_receive(*, case: AppealCase, on: dt.date, acting_user: User | None):
    with transaction.atomic():
        case = _locked(case)
        if case.status != CaseStatus.DOCUMENTS:
            raise ValidationError("Aucune pièce n'est attendue sur ce recours.")
        if on < (case.documents_requested_on or on) or on > clock.today():
            raise ValidationError("Date de réception des pièces invalide.")
        case.documents_received_on, case.status = on, CaseStatus.RECEIVED
        case.save(update_fields=["documents_received_on", "status"])
        _event(case, CaseEventKind.DOCUMENTS_RECEIVED, acting_user)
    return case


# ---- instruction --------------------------------------------------------------------------------
def case_instruct(
    *,
    case: AppealCase,
    acting_user: User | None,
    analysis: str = "",
    proposal: str = "",
    proposed_amount: Decimal | None = None,
) -> Instruction:
    """The rapporteur's file, frozen: the ledger's balance, the registry's resources and
    charges, the precarity test and a proposed decision (for a remission, the precarity rule's
    unless the rapporteur argues another)."""
    with transaction.atomic():
        case = _locked(case)
        if case.status not in (CaseStatus.RECEIVED, CaseStatus.READY):
            raise ValidationError("Ce recours n'est pas à instruire.")
        file = selectors.instruction_file(case)
        owed = file["debt"].balance if file["debt"] else None
        allowed = REMISSION_OUTCOMES if case.kind == RequestKind.REMISSION else CONTEST_OUTCOMES
        if not proposal and file["proposal"]:
            proposal, proposed_amount = file["proposal"]
        if proposal not in allowed:
            raise ValidationError("Proposition incompatible avec la nature du recours.")
        amount = _remission_amount(case, proposal, proposed_amount, owed)
        assessment = file["precarity"]
        instruction = Instruction.objects.create(
            case=case,
            at=clock.now(),
            rapporteur=acting_user,
            balance=owed,
            monthly_income=assessment.monthly_income,
            weighting=assessment.weighting,
            weighted_income=assessment.weighted_income,
            housing_cost=assessment.housing_cost,
            precarious=assessment.precarious,
            proposal=proposal,
            proposed_amount=amount,
            analysis=analysis.strip(),
        )
        case.status, case.rapporteur = CaseStatus.READY, acting_user
        case.save(update_fields=["status", "rapporteur"])
        _event(case, CaseEventKind.INSTRUCTED, acting_user, proposal=proposal, montant=str(amount))
    return instruction


def _remission_amount(
    case: AppealCase, outcome: str, amount: Decimal | None, owed: Decimal | None
) -> Decimal:
    """The amount a remission outcome remits, checked: never on a fraud debt (L553-2 CSS), a
    full remission is the balance, a partial one is above 0 and below it."""
    if outcome not in (Outcome.FULL, Outcome.PARTIAL):
        return ZERO
    debt = case.debt
    if debt is not None and debt.is_fraud:
        raise ValidationError(
            "Remise refusée : une dette née d'une fraude ou d'une fausse déclaration ne peut pas "
            "être remise (L553-2 CSS)."
        )
    owed = owed or ZERO
    if outcome == Outcome.FULL:
        if owed <= 0:
            raise ValidationError("La dette est soldée : rien à remettre.")
        return owed
    if amount is None or amount <= 0 or amount >= owed or amount != amount.quantize(CENT):
        raise ValidationError(
            f"Une remise partielle est comprise entre 0 et le reste dû ({format_euros(owed)})."
        )
    return amount


# ---- sessions -----------------------------------------------------------------------------------
def session_create(*, held_on: dt.date, members: Iterable[Member], acting_user: User) -> Session:
    """A session convening the commission as the law composes it (R142-2 CSS): 2 insured, 2
    employer or self-employed members and 1 other."""
    members = list(members)
    wanted = law.in_force(law.COMPOSITION, held_on).value
    got = Counter(m.college for m in members)
    if dict(got) != wanted or not all(m.active for m in members):
        raise ValidationError(
            "La commission se compose de 2 représentants des assurés, 2 des employeurs ou "
            "travailleurs indépendants et 1 autre membre en fonction (R142-2 CSS)."
        )
    with transaction.atomic():
        session = Session.objects.create(held_on=held_on)
        session.members.set(members)
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            obj=session,
            reason="CRA : séance convoquée",
            detail={"date": held_on.isoformat()},
        )
    return session


def agenda_add(*, session: Session, cases: Iterable[AppealCase], acting_user: User) -> int:
    """Put instructed cases on the session's agenda, in order."""
    with transaction.atomic():
        if session.closed_at is not None:
            raise ValidationError("Le procès-verbal de cette séance est arrêté.")
        position = session.agenda.count()
        added = 0
        for case in cases:
            case = _locked(case)
            if case.status != CaseStatus.READY:
                raise ValidationError(f"Le recours n° {case.pk} n'est pas instruit.")
            position += 1
            AgendaItem.objects.create(session=session, case=case, position=position)
            case.status = CaseStatus.ON_AGENDA
            case.save(update_fields=["status"])
            _event(case, CaseEventKind.SCHEDULED, acting_user, seance=session.held_on.isoformat())
            added += 1
    return added


def attendance_record(*, session: Session, present: Iterable[Member], acting_user: User) -> int:
    """Who attended among the members convened; returns the number present."""
    present_ids = {m.pk for m in present}
    convened = list(session.members.all())
    if not present_ids <= {m.pk for m in convened}:
        raise ValidationError("Seuls les membres convoqués peuvent être présents.")
    with transaction.atomic():
        if session.attendance.exists():
            raise ValidationError("Les présences de cette séance sont déjà enregistrées.")
        Attendance.objects.bulk_create(
            Attendance(session=session, member=m, present=m.pk in present_ids) for m in convened
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            obj=session,
            reason="CRA : présences",
            detail={"presents": len(present_ids)},
        )
    return len(present_ids)


def case_decide(
    *,
    case: AppealCase,
    outcome: str,
    reasons: str,
    acting_user: User | None,
    votes: Mapping[Member, str] | None = None,
    session: Session | None = None,
    amount: Decimal | None = None,
    delegated: bool = True,
    decided_on: dt.date | None = None,
    recompute_months: tuple[dt.date, dt.date] | None = None,
) -> Decision:
    """The decision on a case, in session (quorum of 3 present, R142-2 CSS; the votes of present
    members) or, without a session, by the board (`delegated=False`). Its effects go through the
    other domains: a remission is a « remise » movement of the ledger (refused on a fraud debt,
    L553-2 CSS); a reversed indu is cancelled in the ledger and the months recomputed by the
    rights engine; the suspension of recovery ends."""
    decided_on = decided_on or clock.today()
    if not reasons.strip():
        raise ValidationError("La décision doit être motivée.")
    with transaction.atomic():
        case = _locked(case)
        if case.status in (CaseStatus.DECIDED, CaseStatus.INADMISSIBLE):
            raise ValidationError("Ce recours est déjà décidé, ou irrecevable.")
        allowed = REMISSION_OUTCOMES if case.kind == RequestKind.REMISSION else CONTEST_OUTCOMES
        if outcome not in allowed:
            raise ValidationError("Décision incompatible avec la nature du recours.")
        if session is not None:
            _check_session(case, session, votes or {})
        elif delegated:
            raise ValidationError("Une décision de la CRA par délégation se prend en séance.")
        elif case.status not in selectors.OPEN:
            raise ValidationError("Ce recours n'attend pas de décision.")
        owed = ledger.balance(case.debt) if case.debt is not None else None
        remitted = _remission_amount(case, outcome, amount, owed)
        entry = _ledger_effect(case, outcome, remitted, owed, decided_on, acting_user)
        decision = Decision.objects.create(
            case=case,
            session=session,
            outcome=outcome,
            amount_remitted=remitted,
            reasons=reasons.strip(),
            delegated=delegated,
            decided_on=decided_on,
            debt_entry=entry,
            recorded_at=clock.now(),
            recorded_by=acting_user,
        )
        Vote.objects.bulk_create(
            Vote(decision=decision, member=member, choice=choice)
            for member, choice in (votes or {}).items()
        )
        case.status = CaseStatus.DECIDED
        case.save(update_fields=["status"])
        _event(case, CaseEventKind.DECIDED, acting_user, decision=outcome, montant=str(remitted))
        if case.debt is not None:
            recovery.debt_resume(debt=case.debt, on=decided_on, acting_user=acting_user)
        if outcome == Outcome.REVERSE:
            _recompute(case, acting_user, recompute_months)
    return decision


def _check_session(case: AppealCase, session: Session, votes: Mapping[Member, str]) -> None:
    item = AgendaItem.objects.filter(session=session, case=case).first()
    if item is None:
        raise ValidationError("Ce recours n'est pas à l'ordre du jour de la séance.")
    present = {m.pk for m in selectors.present_members(session)}
    quorum = int(law.in_force(law.QUORUM, session.held_on).value)  # type: ignore[call-overload]
    if len(present) < quorum:
        raise ValidationError(
            f"Quorum non atteint : {len(present)} membre(s) présent(s), il en faut {quorum} "
            "(R142-2 CSS)."
        )
    if any(member.pk not in present for member in votes) or any(
        choice not in Choice.values for choice in votes.values()
    ):
        raise ValidationError("Seuls les membres présents votent (pour, contre, abstention).")
    counted = Counter(votes.values())
    if counted[Choice.FOR] <= counted[Choice.AGAINST]:
        raise ValidationError("La décision n'a pas recueilli la majorité des voix exprimées.")


def _ledger_effect(
    case: AppealCase,
    outcome: str,
    remitted: Decimal,
    owed: Decimal | None,
    on: dt.date,
    actor: User | None,
) -> DebtEntry | None:
    """The decision's movement in the recovery ledger: the remission, or the cancellation of a
    reversed indu's balance (through recovery's service, which refuses a fraud remission)."""
    debt = case.debt
    if debt is None:
        return None
    day = min(on, clock.today())
    if remitted > 0:
        return recovery.debt_movement_record(
            debt=debt,
            kind=EntryKind.REMITTED,
            amount=remitted,
            on=day,
            acting_user=actor,
            reason=f"Remise accordée par la CRA ({Outcome(outcome).label.lower()})",
            reference=_reference(case),
        )
    if outcome == Outcome.REVERSE and owed:
        return recovery.debt_movement_record(
            debt=debt,
            kind=EntryKind.CANCELLED,
            amount=owed,
            on=day,
            acting_user=actor,
            reason="Indu annulé par la commission de recours amiable",
            reference=_reference(case),
        )
    return None


def _recompute(
    case: AppealCase, actor: User | None, months: tuple[dt.date, dt.date] | None
) -> None:
    """A reversed decision: the rights engine recomputes the months concerned (those of the
    contested debt unless given) from the facts as corrected."""
    debt = case.debt
    months = months or ((debt.first_month, debt.last_month) if debt is not None else None)
    if months is None:
        return
    household_recompute(
        household=case.household,
        first_month=months[0],
        last_month=months[1],
        acting_user=actor,
        reason=f"Décision de la commission de recours amiable ({_reference(case)})",
    )
    _event(
        case, CaseEventKind.EFFECT, actor, "Droits recalculés", du=str(months[0]), au=str(months[1])
    )


def session_close(*, session: Session, acting_user: User) -> Session:
    """Close the minutes (procès-verbal) once every case of the agenda is decided."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.closed_at is not None:
            raise ValidationError("Le procès-verbal est déjà arrêté.")
        if session.agenda.exclude(case__status=CaseStatus.DECIDED).exists():
            raise ValidationError("Des recours de l'ordre du jour ne sont pas encore décidés.")
        session.closed_at = clock.now()
        session.save(update_fields=["closed_at"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=session,
            reason="CRA : procès-verbal arrêté",
        )
    return session


# ---- courts -------------------------------------------------------------------------------------
def court_case_file(
    *,
    household: Household,
    nature: str,
    filed_on: dt.date,
    acting_user: User | None,
    benefit: str | None = None,
    appeal_case: AppealCase | None = None,
    debt: Debt | None = None,
    reference: str = "",
    pleadings_due: dt.date | None = None,
) -> CourtCase:
    """A case brought before the competent court: `nature` « contest » (a decision on a
    benefit, after the mandatory prior appeal to the CRA — or the RAPO for housing aid —
    decided or implicitly rejected), « penalty » (directly, L142-4 CSS) or « opposition » (to a
    contrainte). The court follows from the subject (parameters.ROUTES)."""
    if filed_on > clock.today():
        raise ValidationError("La date de saisine ne peut pas être dans le futur.")
    if appeal_case is not None:
        appeal_case = AppealCase.objects.get(pk=appeal_case.pk)  # its current status
        benefit = benefit or appeal_case.benefit
        debt = debt or appeal_case.debt
    try:
        subject = law.subject_of(benefit, nature)
    except ValueError as error:
        raise ValidationError("Matière inconnue : indiquez la prestation concernée.") from error
    route = law.route(subject, filed_on)
    if route.prior_appeal:
        decided = appeal_case is not None and (
            appeal_case.status == CaseStatus.DECIDED
            or selectors.implicitly_rejected(appeal_case, filed_on)
        )
        if not decided:
            raise ValidationError(
                "Recours préalable obligatoire : la commission de recours amiable doit avoir "
                f"statué ou rejeté implicitement la réclamation ({route.article})."
            )
    with transaction.atomic():
        court_case = CourtCase.objects.create(
            household=household,
            subject=subject,
            court=route.court,
            article=route.article,
            appeal_case=appeal_case,
            debt=debt,
            reference=reference,
            filed_on=filed_on,
            pleadings_due=pleadings_due,
            created_at=clock.now(),
        )
        if debt is not None and nature != "penalty":
            recovery.debt_suspend(
                debt=debt,
                on=filed_on,
                reason=f"Recours devant le {Court(route.court).label.lower()}",
                reference=f"affaire n° {court_case.pk}",
                acting_user=acting_user,
            )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=household.number,
            obj=court_case,
            reason=f"Contentieux : saisine du {Court(route.court).label.lower()}",
            detail={"matiere": subject, "texte": route.article},
        )
    return court_case


def hearing_record(
    *,
    court_case: CourtCase,
    on: dt.date,
    acting_user: User,
    note: str = "",
    pleadings_due: dt.date | None = None,
) -> Hearing:
    """A hearing set by the court, and the date the Caf's pleadings are due."""
    if pleadings_due is not None and pleadings_due > on:
        raise ValidationError("Les conclusions se remettent avant l'audience.")
    with transaction.atomic():
        hearing = Hearing.objects.create(
            court_case=court_case, on=on, note=note, recorded_at=clock.now()
        )
        if pleadings_due is not None:
            CourtCase.objects.filter(pk=court_case.pk).update(pleadings_due=pleadings_due)
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=court_case.household.number,
            obj=court_case,
            reason="Contentieux : audience",
            detail={"audience": on.isoformat()},
        )
    return hearing


def judgment_record(
    *,
    court_case: CourtCase,
    judgment: str,
    judged_on: dt.date,
    acting_user: User | None,
    amount_cancelled: Decimal = ZERO,
) -> CourtCase:
    """The judgment and its effects through the ledger: what the court cancels of the debt is a
    cancellation movement (all of its balance when the Caf loses outright); the debt's recovery
    resumes for what remains."""
    if judgment not in Judgment.values:
        raise ValidationError("Issue du jugement inconnue.")
    if judged_on > clock.today() or judged_on < court_case.filed_on:
        raise ValidationError("Date du jugement invalide.")
    with transaction.atomic():
        court_case = CourtCase.objects.select_for_update().get(pk=court_case.pk)
        if court_case.judgment:
            raise ValidationError("Le jugement de cette affaire est déjà enregistré.")
        debt = court_case.debt
        if judgment == Judgment.FAVOURABLE:
            amount_cancelled = ZERO
        elif debt is not None:
            owed = ledger.balance(debt)
            if judgment == Judgment.UNFAVOURABLE:
                amount_cancelled = owed
            elif not ZERO < amount_cancelled <= owed:
                raise ValidationError(
                    f"Indiquez ce que le jugement annule (au plus {format_euros(owed)})."
                )
            if amount_cancelled > 0:
                recovery.debt_movement_record(
                    debt=debt,
                    kind=EntryKind.CANCELLED,
                    amount=amount_cancelled,
                    on=judged_on,
                    acting_user=acting_user,
                    reason=f"Jugement du {judged_on:%d/%m/%Y} ({court_case.get_court_display()})",
                    reference=court_case.reference or f"affaire n° {court_case.pk}",
                )
        court_case.judgment, court_case.judged_on = judgment, judged_on
        court_case.amount_cancelled = amount_cancelled
        court_case.save(update_fields=["judgment", "judged_on", "amount_cancelled"])
        if debt is not None:
            recovery.debt_resume(debt=debt, on=judged_on, acting_user=acting_user)
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=court_case.household.number,
            obj=court_case,
            reason="Contentieux : jugement",
            detail={"jugement": judgment, "annule": str(amount_cancelled)},
        )
    return court_case


def appeal_file(
    *, court_case: CourtCase, filed_on: dt.date, by_caf: bool, acting_user: User | None
) -> CourtCase:
    """An appeal (or a pourvoi) against a judgment, within its time (parameters.APPEAL)."""
    deadline = selectors.appeal_deadline(court_case)
    if deadline is None:
        raise ValidationError("Pas de jugement susceptible d'appel dans cette affaire.")
    if filed_on > deadline:
        raise ValidationError(
            f"Appel tardif : le délai courait jusqu'au {deadline:%d/%m/%Y} "
            f"({law.APPEAL[court_case.court][2]})."
        )
    with transaction.atomic():
        upper = CourtCase.objects.create(
            household=court_case.household,
            subject=court_case.subject,
            court=law.APPEAL[court_case.court][1],
            article=law.APPEAL[court_case.court][2],
            appeal_case=court_case.appeal_case,
            debt=court_case.debt,
            appeal_of=court_case,
            by_caf=by_caf,
            filed_on=filed_on,
            created_at=clock.now(),
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=court_case.household.number,
            obj=upper,
            reason=f"Contentieux : appel devant la {upper.get_court_display().lower()}",
        )
    return upper

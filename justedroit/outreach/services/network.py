"""The partners' monthly information meetings (planning, invitations, attendance) and the
collective actions (sessions, people received, the rights they led to)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.outreach.models import (
    ActionOutcome,
    ActionOutcomeKind,
    ActionSession,
    CollectiveAction,
    InformationMeeting,
    MeetingInvitation,
    Partner,
)
from justedroit.outreach.services import _text
from justedroit.registry.models import Benefit, Commune, Household


def partners_under_agreement(day: dt.date):
    return Partner.objects.filter(
        Q(agreement_start__isnull=True) | Q(agreement_start__lte=day),
        Q(agreement_end__isnull=True) | Q(agreement_end__gte=day),
    )


def meeting_plan(
    *, held_on: dt.date, title: str, agenda: str, acting_user: User | None
) -> InformationMeeting:
    """Plan a meeting and invite every partner whose agreement runs on that day."""
    title = _text(title, field="Titre", max_length=200)
    agenda = agenda.strip()
    if not agenda:
        raise ValidationError("Ordre du jour : obligatoire.")
    with transaction.atomic():
        meeting = InformationMeeting.objects.create(
            held_on=held_on, title=title, agenda=agenda, planned_at=clock.now()
        )
        MeetingInvitation.objects.bulk_create(
            MeetingInvitation(meeting=meeting, partner=partner)
            for partner in partners_under_agreement(held_on)
        )
        audit_record(actor=acting_user, action=AuditAction.CREATE, obj=meeting)
    return meeting


def attendance_record(
    *, meeting: InformationMeeting, present: set[int], acting_user: User | None
) -> int:
    """Record who came (partner ids in `present`); every other invited partner was absent."""
    invited = set(meeting.invitations.values_list("partner_id", flat=True))
    if not present <= invited:
        raise ValidationError("Un partenaire présent n'était pas invité à cette réunion.")
    with transaction.atomic():
        meeting.invitations.filter(partner_id__in=present).update(attended=True)
        meeting.invitations.exclude(partner_id__in=present).update(attended=False)
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=meeting,
            reason="Présences à la réunion d'information",
            detail={"present": len(present), "invited": len(invited)},
        )
    return len(present)


def action_create(
    *,
    title: str,
    requested_by: str,
    audience: str,
    place: str,
    commune: Commune,
    first_day: dt.date,
    last_day: dt.date,
    co_organisers: str = "",
    acting_user: User | None,
) -> CollectiveAction:
    if last_day < first_day:
        raise ValidationError("La fin de l'action précède son début.")
    with transaction.atomic():
        action = CollectiveAction.objects.create(
            title=_text(title, field="Intitulé", max_length=200),
            requested_by=_text(requested_by, field="Demandeur", max_length=200),
            audience=_text(audience, field="Public", max_length=300),
            place=_text(place, field="Lieu", max_length=300),
            commune=commune,
            co_organisers=_text(co_organisers, field="Avec", max_length=300, required=False),
            first_day=first_day,
            last_day=last_day,
            created_at=clock.now(),
        )
        audit_record(actor=acting_user, action=AuditAction.CREATE, obj=action)
    return action


def session_record(
    *, action: CollectiveAction, held_on: dt.date, people_received: int, acting_user: User | None
) -> ActionSession:
    if not action.first_day <= held_on <= action.last_day:
        raise ValidationError("La séance doit avoir lieu pendant l'action.")
    if people_received < 0:
        raise ValidationError("Personnes reçues : un nombre positif ou nul.")
    if action.sessions.filter(held_on=held_on).exists():
        raise ValidationError("Une séance est déjà enregistrée ce jour-là.")
    with transaction.atomic():
        session = ActionSession.objects.create(
            action=action, held_on=held_on, people_received=people_received
        )
        audit_record(actor=acting_user, action=AuditAction.CREATE, obj=session)
    return session


def outcome_record(
    *,
    session: ActionSession,
    kind: str,
    acting_user: User,
    benefit: str = "",
    household: Household | None = None,
    consent: bool = False,
) -> ActionOutcome:
    """A right the action led to; linked to the household only if the person consented."""
    if kind not in ActionOutcomeKind.values:
        raise ValidationError("Nature du résultat inconnue.")
    if benefit and benefit not in Benefit.values:
        raise ValidationError("Prestation inconnue.")
    if household is not None and not consent:
        raise ValidationError(
            "Sans le consentement de la personne, le résultat n'est pas rattaché à son dossier."
        )
    with transaction.atomic():
        outcome = ActionOutcome.objects.create(
            session=session,
            kind=kind,
            benefit=benefit,
            household=household,
            consent_recorded_at=clock.now() if household is not None else None,
            recorded_at=clock.now(),
            recorded_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=household.number if household is not None else "",
            obj=outcome,
            reason=f"Résultat de l'action collective « {session.action.title} »",
        )
    return outcome

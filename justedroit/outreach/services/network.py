"""The partners' monthly information meetings (planning, invitations, attendance) and the
collective actions (sessions, people received, the rights they led to, the report); the
meetings' information material, versioned, that the partners download."""

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from justedroit.channels import storage
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.outreach.models import (
    ActionOutcome,
    ActionOutcomeKind,
    ActionSession,
    CollectiveAction,
    InformationMaterial,
    InformationMeeting,
    MaterialDownload,
    MeetingInvitation,
    Partner,
)
from justedroit.outreach.services import _text
from justedroit.registry.models import Benefit, Commune, Household

AGENDA_MAX = 5000
REPORT_MAX = 5000


def partners_under_agreement(day: dt.date):
    return Partner.objects.filter(
        Q(agreement_start__isnull=True) | Q(agreement_start__lte=day),
        Q(agreement_end__isnull=True) | Q(agreement_end__gte=day),
    )


@dataclass(frozen=True)
class Upload:
    """A file as received: its name on the sender's computer and its bytes."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class _Kept:
    upload: Upload
    checked: storage.CheckedFile
    stored_name: str


@contextlib.contextmanager
def _kept(upload: Upload) -> Iterator[_Kept]:
    """Check the file by its content, scan it, store it; removed again if the block fails, so
    that a refused or rolled-back upload leaves nothing behind."""
    checked = storage.check_upload(upload.content)
    storage.virus_scanner().scan(checked.content)
    name = storage.store(checked.content)
    try:
        yield _Kept(upload, checked, name)
    except BaseException:
        storage.remove(name)
        raise


def _material_create(
    kept: _Kept, *, title: str, meeting: InformationMeeting | None, acting_user: User
) -> InformationMaterial:
    latest = InformationMaterial.objects.aggregate(latest=Max("version"))["latest"] or 0
    try:
        with transaction.atomic():
            material = InformationMaterial.objects.create(
                version=latest + 1,
                title=title,
                meeting=meeting,
                original_name=kept.upload.filename.strip()[:255] or "support",
                stored_name=kept.stored_name,
                content_type=kept.checked.content_type,
                size=len(kept.checked.content),
                sha256=kept.checked.sha256,
                uploaded_at=clock.now(),
                uploaded_by=acting_user,
            )
    except IntegrityError as error:  # another version was uploaded at the same moment
        raise ValidationError("Un autre support vient d'être déposé : réessayez.") from error
    audit_record(
        actor=acting_user,
        action=AuditAction.CREATE,
        obj=material,
        reason="Support des réunions d'information déposé",
        detail={"version": material.version, "size": material.size},
    )
    return material


def material_upload(
    *,
    title: str,
    upload: Upload,
    acting_user: User,
    meeting: InformationMeeting | None = None,
) -> InformationMaterial:
    """A new version of the information material: from now on the partners download this one."""
    title = _text(title, field="Titre du support", max_length=200)
    with _kept(upload) as kept, transaction.atomic():
        return _material_create(kept, title=title, meeting=meeting, acting_user=acting_user)


def material_download_record(
    *, material: InformationMaterial, partner: Partner
) -> MaterialDownload:
    """Count a partner's download of the material."""
    return MaterialDownload.objects.create(
        material=material, partner=partner, downloaded_at=clock.now()
    )


def meeting_plan(
    *,
    held_on: dt.date,
    title: str,
    agenda: str,
    acting_user: User | None,
    material: Upload | None = None,
) -> InformationMeeting:
    """Plan a meeting and invite every partner whose agreement runs on that day; its material,
    when given, becomes the current version."""
    title = _text(title, field="Titre", max_length=200)
    agenda = agenda.strip()
    if not agenda:
        raise ValidationError("Ordre du jour : obligatoire.")
    if len(agenda) > AGENDA_MAX:
        raise ValidationError(f"Ordre du jour : {AGENDA_MAX} caractères au plus.")
    if material is not None and acting_user is None:
        raise ValidationError("Un support est déposé par un agent.")
    kept_material = _kept(material) if material is not None else contextlib.nullcontext()
    with kept_material as kept, transaction.atomic():
        meeting = InformationMeeting.objects.create(
            held_on=held_on, title=title, agenda=agenda, planned_at=clock.now()
        )
        MeetingInvitation.objects.bulk_create(
            MeetingInvitation(meeting=meeting, partner=partner)
            for partner in partners_under_agreement(held_on)
        )
        audit_record(actor=acting_user, action=AuditAction.CREATE, obj=meeting)
        if kept is not None and acting_user is not None:
            _material_create(
                kept, title=f"Support — {title}", meeting=meeting, acting_user=acting_user
            )
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
    try:
        with transaction.atomic():
            session = ActionSession.objects.create(
                action=action, held_on=held_on, people_received=people_received
            )
            audit_record(actor=acting_user, action=AuditAction.CREATE, obj=session)
    except IntegrityError:
        # The unique (action, day) constraint decides, also between two agents saving at once.
        raise ValidationError("Une séance est déjà enregistrée ce jour-là.") from None
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


def action_report_write(*, action: CollectiveAction, report: str, acting_user: User) -> None:
    """The action's written report (bilan), next to the figures the sessions give."""
    report = report.strip()
    if len(report) > REPORT_MAX or "\x00" in report:
        raise ValidationError(f"Bilan : {REPORT_MAX} caractères au plus.")
    with transaction.atomic():
        CollectiveAction.objects.filter(pk=action.pk).update(report=report)
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=action,
            reason="Bilan de l'action collective",
        )
    action.report = report

"""Booking, moving, cancelling and marking appointments.

No double booking: the booking locks the site row (serialising bookings of one place, which
guards its capacity), re-computes the free slots under that lock, and the database refuses any
overlap for the agent, the accessibility resource and the household (exclusion constraints /
triggers): two bookings of one household at two sites lock two different rows, so only the
database sees them collide. A concurrent loser gets a French message, nothing is written.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.core.phones import phone_normalize
from justedroit.reception.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    BookedVia,
    Channel,
    MessageKind,
    ResourceKind,
    Site,
)
from justedroit.reception.notifications import notifications_queue
from justedroit.reception.slots import free_slots, why_not_bookable
from justedroit.reception.visio import meeting_link
from justedroit.registry.models import Household

TAKEN = "Ce créneau vient d'être réservé par quelqu'un d'autre : choisissez-en un autre."
HOUSEHOLD_BUSY = (
    "Ce foyer a déjà un rendez-vous à cette heure : annulez-le ou choisissez un autre créneau."
)
# The database constraint (or SQLite trigger) named in the error says which overlap it refused.
HOUSEHOLD_OVERLAP_CONSTRAINT = "appt_household_no_overlap"


def _refusal(error: IntegrityError) -> ValidationError:
    if HOUSEHOLD_OVERLAP_CONSTRAINT in str(error):
        return ValidationError(HOUSEHOLD_BUSY)
    return ValidationError(TAKEN)


def _check_contact(phone: str) -> str:
    return phone_normalize(phone) if phone else ""


def _find_slot(*, appointment_type, site, starts_at, agent_id, need, exclude_id=None):
    local_day = starts_at.astimezone(clock.PARIS).date()
    for slot in free_slots(
        appointment_type=appointment_type,
        first_day=local_day,
        last_day=local_day,
        site=site,
        agent_id=agent_id,
        accessibility_need=need,
        exclude_appointment_id=exclude_id,
    ):
        if slot.starts_at == starts_at:
            return slot
    reason = why_not_bookable(appointment_type=appointment_type, site=site, starts_at=starts_at)
    if reason:
        raise ValidationError(reason)
    if need and any(
        slot.starts_at == starts_at
        for slot in free_slots(
            appointment_type=appointment_type,
            first_day=local_day,
            last_day=local_day,
            site=site,
            agent_id=agent_id,
            exclude_appointment_id=exclude_id,
        )
    ):
        label = ResourceKind(need).label.lower()
        raise ValidationError(
            f"Aucun créneau avec {label} n'est libre à cette heure : "
            "choisissez un créneau proposé pour ce besoin."
        )
    raise ValidationError(
        "Ce créneau n'est pas disponible (hors des plages d'ouverture ou déjà réservé) : "
        "choisissez un créneau proposé."
    )


def appointment_book(
    *,
    household: Household | None,
    appointment_type: AppointmentType,
    site: Site,
    starts_at: dt.datetime,
    booked_via: str,
    acting_user: User | None,
    agent_id: int | None = None,
    accessibility_need: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    note: str = "",
    partner=None,
) -> Appointment:
    """`partner` (an outreach Partner) is the organisation booking, for `booked_via=partner`."""
    if household is None:
        raise ValidationError("Foyer inconnu : vérifiez le numéro allocataire.")
    if booked_via not in BookedVia.values:
        raise ValidationError("Origine de réservation inconnue.")
    if (booked_via == BookedVia.PARTNER) != (partner is not None):
        raise ValidationError("Un rendez-vous pris par un partenaire nomme son organisation.")
    if booked_via == BookedVia.CLAIMANT and not appointment_type.claimant_may_book:
        raise ValidationError("Ce motif se réserve auprès d'un agent de la Caf.")
    if booked_via == BookedVia.PARTNER and not appointment_type.partner_may_book:
        raise ValidationError("Ce motif ne peut pas être réservé par un partenaire.")
    if accessibility_need and accessibility_need not in ResourceKind.values:
        raise ValidationError("Besoin d'accessibilité inconnu.")
    if accessibility_need and appointment_type.channel != Channel.IN_PERSON:
        raise ValidationError(
            "Les ressources d'accessibilité concernent les rendez-vous sur place."
        )
    contact_phone = _check_contact(contact_phone)
    try:
        with transaction.atomic():
            Site.objects.select_for_update().get(pk=site.pk)
            # The household too: two bookings of one household at two sites would otherwise both
            # pass the check below and deadlock in the database's overlap constraint.
            Household.objects.select_for_update().get(pk=household.pk)
            slot = _find_slot(
                appointment_type=appointment_type,
                site=site,
                starts_at=starts_at,
                agent_id=agent_id,
                need=accessibility_need,
            )
            if Appointment.objects.filter(
                household=household,
                status__in=ACTIVE_STATUSES,
                starts_at__lt=slot.ends_at,
                ends_at__gt=slot.starts_at,
            ).exists():
                raise ValidationError(HOUSEHOLD_BUSY)
            appointment = Appointment.objects.create(
                household=household,
                type=appointment_type,
                channel=appointment_type.channel,
                agent_id=slot.agent_id,
                site=site,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                accessibility_need=accessibility_need,
                resource_id=slot.resource_id if accessibility_need else None,
                booked_via=booked_via,
                booked_by=acting_user,
                partner=partner,
                partner_organisation=partner.name if partner is not None else "",
                meeting_url=meeting_link(
                    starts_at=slot.starts_at, minutes=appointment_type.duration_minutes
                )
                if appointment_type.channel == Channel.VISIO
                else "",
                contact_phone=contact_phone,
                contact_email=contact_email,
                note=note[:500],
                created_at=clock.now(),
            )
            audit_record(
                actor=acting_user,
                action=AuditAction.CREATE,
                household_number=household.number,
                obj=appointment,
                reason=f"Rendez-vous {appointment_type.code}",
                detail={"via": booked_via, "starts_at": slot.starts_at.isoformat()},
            )
            notifications_queue(appointment=appointment, kind=MessageKind.CONFIRMATION)
    except IntegrityError as error:
        raise _refusal(error) from error
    return appointment


def _claimant_deadline(appointment: Appointment, hours: int | None, verb: str) -> None:
    if hours is None:
        raise ValidationError(
            f"Ce rendez-vous ne peut pas être {verb} en ligne : contactez la Caf."
        )
    if clock.now() > appointment.starts_at - dt.timedelta(hours=hours):
        raise ValidationError(
            f"Ce rendez-vous ne peut plus être {verb} en ligne (au plus tard {hours} h avant) : "
            "contactez la Caf."
        )


def appointment_cancel(
    *, appointment: Appointment, by_caf: bool, acting_user: User | None, reason: str = ""
) -> Appointment:
    """Cancelled by the Caf → revoked; by the allocataire (or on their behalf) → excused."""
    if appointment.status != AppointmentStatus.BOOKED:
        raise ValidationError("Ce rendez-vous n'est plus à venir : il ne peut pas être annulé.")
    if not by_caf:
        _claimant_deadline(appointment, appointment.type.cancel_until_hours, "annulé")
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status != AppointmentStatus.BOOKED:
            raise ValidationError("Ce rendez-vous vient déjà d'être modifié.")
        locked.status = AppointmentStatus.REVOKED if by_caf else AppointmentStatus.EXCUSED
        locked.status_changed_at = clock.now()
        locked.save(update_fields=["status", "status_changed_at"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=locked.household.number,
            obj=locked,
            reason=reason or "Annulation du rendez-vous",
            detail={"status": locked.status},
        )
        notifications_queue(appointment=locked, kind=MessageKind.CANCELLATION)
    return locked


def appointment_move(
    *,
    appointment: Appointment,
    starts_at: dt.datetime,
    by_caf: bool,
    acting_user: User | None,
) -> Appointment:
    if appointment.status != AppointmentStatus.BOOKED:
        raise ValidationError("Ce rendez-vous n'est plus à venir : il ne peut pas être déplacé.")
    if not by_caf:
        _claimant_deadline(appointment, appointment.type.move_until_hours, "déplacé")
    try:
        with transaction.atomic():
            Site.objects.select_for_update().get(pk=appointment.site_id)
            Household.objects.select_for_update().get(pk=appointment.household_id)
            locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
            slot = _find_slot(
                appointment_type=locked.type,
                site=locked.site,
                starts_at=starts_at,
                agent_id=None,
                need=locked.accessibility_need,
                exclude_id=locked.pk,
            )
            previous = locked.starts_at
            locked.starts_at, locked.ends_at = slot.starts_at, slot.ends_at
            locked.agent_id = slot.agent_id
            if locked.accessibility_need:
                locked.resource_id = slot.resource_id
            locked.save(update_fields=["starts_at", "ends_at", "agent", "resource"])
            audit_record(
                actor=acting_user,
                action=AuditAction.UPDATE,
                household_number=locked.household.number,
                obj=locked,
                reason="Rendez-vous déplacé",
                detail={"from": previous.isoformat(), "to": slot.starts_at.isoformat()},
            )
            notifications_queue(appointment=locked, kind=MessageKind.CHANGE)
    except IntegrityError as error:
        raise _refusal(error) from error
    return locked


def appointment_check_in(*, appointment: Appointment, acting_user: User) -> Appointment:
    if appointment.status != AppointmentStatus.BOOKED or appointment.checked_in_at:
        raise ValidationError("Arrivée déjà enregistrée ou rendez-vous annulé.")
    if appointment.starts_at.astimezone(clock.PARIS).date() != clock.today():
        raise ValidationError("On n'enregistre l'arrivée que le jour du rendez-vous.")
    with transaction.atomic():
        appointment.checked_in_at = clock.now()
        appointment.save(update_fields=["checked_in_at"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=appointment.household.number,
            obj=appointment,
            reason="Arrivée à l'accueil",
        )
    return appointment


MARKABLE = {AppointmentStatus.SEEN, AppointmentStatus.NO_SHOW}


def appointment_mark(*, appointment: Appointment, status: str, acting_user: User) -> Appointment:
    """Record that the allocataire was seen or did not come (once the appointment has started)."""
    if status not in MARKABLE:
        raise ValidationError("Statut à renseigner : reçu ou absent.")
    if appointment.status not in (AppointmentStatus.BOOKED, *MARKABLE):
        raise ValidationError("Ce rendez-vous a été annulé : son statut ne se renseigne pas.")
    if appointment.starts_at > clock.now():
        raise ValidationError("Ce rendez-vous n'a pas encore commencé.")
    with transaction.atomic():
        appointment.status = status
        appointment.status_changed_at = clock.now()
        appointment.save(update_fields=["status", "status_changed_at"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=appointment.household.number,
            obj=appointment,
            reason="Statut du rendez-vous",
            detail={"status": status},
        )
    return appointment

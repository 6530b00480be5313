"""Writes of the access-to-rights domain: partners, their accounts, the allocataires' mandates,
and what a partner does for a household under a mandate (book, cancel).

A partner without a mandate in force for a household gets the same refusal as for a household
that does not exist: `NOT_FOUND_OR_NO_MANDATE`, so that nobody learns which numbers exist.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.core.roles import Role
from justedroit.outreach import selectors
from justedroit.outreach.models import Mandate, MandateSource, Partner, PartnerKind, PartnerMember
from justedroit.reception import services as reception
from justedroit.reception.models import Appointment, AppointmentType, BookedVia, Site
from justedroit.registry.models import Commune, Household

# The durations an allocataire may choose in the portal; a paper mandate lasts at most a year.
PORTAL_DURATIONS_DAYS = (30, 90, 180, 365)
MAX_MANDATE_DAYS = 366
ROLE_OF_KIND = {
    PartnerKind.FRANCE_SERVICES: Role.PARTNER_EFS,
    PartnerKind.RELAY: Role.PARTNER_RELAY,
}
NOT_FOUND_OR_NO_MANDATE = (
    "Foyer inconnu, ou sans mandat en cours pour votre organisation : vérifiez le numéro "
    "allocataire, et que l'allocataire vous a donné mandat (dans Mon dossier ou à la Caf)."
)


class NotFoundOrNoMandate(ValidationError):
    """Unknown household or appointment, or no mandate in force: deliberately indistinguishable."""


def _text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError(f"{field} : obligatoire.")
    if len(value) > max_length or not value.isprintable():
        raise ValidationError(f"{field} : {max_length} caractères imprimables au plus.")
    return value


def partner_create(*, kind: str, name: str, commune: Commune, acting_user: User | None) -> Partner:
    if kind not in PartnerKind.values:
        raise ValidationError("Nature de partenaire inconnue.")
    name = _text(name, field="Nom du partenaire", max_length=200)
    if Partner.objects.filter(name=name).exists():
        raise ValidationError(f"Le partenaire « {name} » existe déjà.")
    with transaction.atomic():
        partner = Partner.objects.create(kind=kind, name=name, commune=commune)
        audit_record(actor=acting_user, action=AuditAction.CREATE, obj=partner)
    return partner


def partner_member_link(*, user: User, partner: Partner, acting_user: User | None) -> PartnerMember:
    """Attach a partner account to its organisation (the role must match the kind of partner)."""
    if not user.is_partner or user.role != ROLE_OF_KIND[PartnerKind(partner.kind)]:
        raise ValidationError(
            f"Le compte {user.username} n'a pas le rôle d'un {partner.get_kind_display()}."
        )
    with transaction.atomic():
        member, _ = PartnerMember.objects.update_or_create(user=user, defaults={"partner": partner})
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            obj=member,
            reason="Compte rattaché à un partenaire",
            detail={"user": user.username, "partner": partner.name},
        )
    return member


def _create_mandate(
    *,
    household: Household,
    partner: Partner,
    source: MandateSource,
    expires_at: dt.datetime,
    evidence: str,
    acting_user: User | None,
) -> Mandate:
    with transaction.atomic():
        # One writer per household at a time, so that two grants cannot both pass the check.
        Household.objects.select_for_update().get(pk=household.pk)
        current = selectors.household_mandates(household).filter(partner=partner)
        for mandate in current:
            if mandate.in_force:
                raise ValidationError(
                    f"Un mandat à {partner.name} est déjà en cours jusqu'au "
                    f"{mandate.expires_at.astimezone(clock.PARIS):%d/%m/%Y} : "
                    "retirez-le d'abord pour en donner un nouveau."
                )
        mandate = Mandate.objects.create(
            household=household,
            partner=partner,
            source=source,
            granted_at=clock.now(),
            granted_by=acting_user,
            evidence=evidence,
            expires_at=expires_at,
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=household.number,
            obj=mandate,
            reason=f"Mandat donné à {partner.name}",
            detail={"source": source, "expires_at": expires_at.isoformat()},
        )
    return mandate


def mandate_grant(
    *, household: Household, partner: Partner, days: int, acting_user: User
) -> Mandate:
    """The allocataire, in the portal, gives `partner` a mandate for `days` days."""
    account = getattr(acting_user, "household_account", None)
    if account is None or account.household_id != household.pk:
        raise ValidationError("Seul l'allocataire du foyer donne un mandat depuis Mon dossier.")
    if days not in PORTAL_DURATIONS_DAYS:
        raise ValidationError("Durée du mandat : 30, 90, 180 ou 365 jours.")
    return _create_mandate(
        household=household,
        partner=partner,
        source=MandateSource.PORTAL,
        expires_at=clock.now() + dt.timedelta(days=days),
        evidence="",
        acting_user=acting_user,
    )


def mandate_record(
    *,
    household: Household,
    partner: Partner,
    evidence: str,
    valid_until: dt.date,
    acting_user: User,
) -> Mandate:
    """An agent records a mandate the allocataire signed on paper, valid until `valid_until`
    inclusive (a year at most), naming the evidence kept."""
    if not acting_user.is_agent:
        raise ValidationError("Seul un agent de la Caf enregistre un mandat sur pièce.")
    evidence = _text(evidence, field="Pièce justificative", max_length=300)
    today = clock.today()
    if not today <= valid_until < today + dt.timedelta(days=MAX_MANDATE_DAYS):
        raise ValidationError("Fin du mandat : entre aujourd'hui et dans un an au plus.")
    end = dt.datetime.combine(valid_until + dt.timedelta(days=1), dt.time.min, tzinfo=clock.PARIS)
    return _create_mandate(
        household=household,
        partner=partner,
        source=MandateSource.AGENT,
        expires_at=end,
        evidence=evidence,
        acting_user=acting_user,
    )


def mandate_revoke(*, mandate: Mandate, acting_user: User) -> Mandate:
    """The allocataire (portal) or an agent withdraws a mandate: from now on the partner can no
    longer act for the household nor see its appointments."""
    with transaction.atomic():
        locked = Mandate.objects.select_for_update().select_related("household").get(pk=mandate.pk)
        if locked.revoked_at is not None:
            raise ValidationError("Ce mandat est déjà retiré.")
        locked.revoked_at = clock.now()
        locked.revoked_by = acting_user
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=locked.household.number,
            obj=locked,
            reason=f"Mandat à {locked.partner.name} retiré",
        )
    return locked


def partner_appointment_book(
    *,
    partner: Partner,
    household_number: str,
    appointment_type: AppointmentType,
    site: Site,
    starts_at: dt.datetime,
    acting_user: User,
    accessibility_need: str = "",
    contact_phone: str = "",
    contact_email: str = "",
) -> Appointment:
    """Book for a household that gave `partner` a mandate in force."""
    household = selectors.mandated_household(partner=partner, number=household_number)
    if household is None:
        raise NotFoundOrNoMandate(NOT_FOUND_OR_NO_MANDATE)
    return reception.appointment_book(
        household=household,
        appointment_type=appointment_type,
        site=site,
        starts_at=starts_at,
        accessibility_need=accessibility_need,
        contact_phone=contact_phone,
        contact_email=contact_email,
        booked_via=BookedVia.PARTNER,
        partner=partner,
        acting_user=acting_user,
    )


def partner_appointment_cancel(
    *, partner: Partner, appointment_id: int, acting_user: User
) -> Appointment:
    """Cancel an appointment this partner booked, for a household still under its mandate."""
    appointment = selectors.partner_appointment(partner, appointment_id)
    if appointment is None:
        raise NotFoundOrNoMandate("Rendez-vous inconnu pour votre organisation.")
    return reception.appointment_cancel(
        appointment=appointment, by_caf=False, acting_user=acting_user
    )


def partner_reads_record(
    *, partner: Partner, appointments: list[Appointment], acting_user: User
) -> None:
    """Audit what a partner was shown: one row per household, like an agent's consultation."""
    with transaction.atomic():
        for number in sorted({a.household.number for a in appointments}):
            audit_record(
                actor=acting_user,
                action=AuditAction.VIEW,
                household_number=number,
                reason="Rendez-vous consultés par un partenaire (API)",
                detail={"partner": partner.name},
            )

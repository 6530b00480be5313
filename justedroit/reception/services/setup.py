"""Configuring reception: permanences, opening slots, edited occurrences, absences, closures."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify

from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.reception.models import (
    Absence,
    AccessibilityResource,
    AppointmentType,
    Channel,
    Closure,
    OpeningHours,
    OpeningSlot,
    Site,
    SiteKind,
    SlotOverride,
)
from justedroit.registry.models import Commune


def _hours_incoherent(starts: dt.time | None, ends: dt.time | None) -> bool:
    """Hours come both or neither, the end after the start."""
    if starts is None or ends is None:
        return (starts is None) != (ends is None)
    return ends <= starts


def opening_slot_create(
    *,
    agent: User,
    site: Site,
    types: list[AppointmentType],
    weekday: int,
    starts: dt.time,
    ends: dt.time,
    first_day: dt.date,
    acting_user: User | None,
    last_day: dt.date | None = None,
    every_weeks: int = 1,
    resource: AccessibilityResource | None = None,
) -> OpeningSlot:
    if not agent.is_agent:
        raise ValidationError("Une plage d'ouverture appartient à un agent de la Caf.")
    if not types:
        raise ValidationError("Choisissez au moins un motif.")
    if ends <= starts:
        raise ValidationError("La fin de la plage doit suivre son début.")
    if resource is not None and resource.site_id != site.pk:
        raise ValidationError("La ressource d'accessibilité appartient à un autre lieu.")
    if any(t.channel == Channel.IN_PERSON for t in types) and not any(
        h.opens <= starts and ends <= h.closes
        for h in OpeningHours.objects.filter(site=site, weekday=weekday)
    ):
        raise ValidationError(
            f"Cette plage sort des horaires d'ouverture au public de {site.name} ce jour-là."
        )
    with transaction.atomic():
        slot = OpeningSlot.objects.create(
            agent=agent,
            site=site,
            weekday=weekday,
            starts=starts,
            ends=ends,
            first_day=first_day,
            last_day=last_day,
            every_weeks=every_weeks,
            resource=resource,
        )
        slot.types.set(types)
        audit_record(actor=acting_user, action=AuditAction.CREATE, obj=slot)
    return slot


def slot_override_set(
    *,
    opening_slot: OpeningSlot,
    day: dt.date,
    starts: dt.time | None,
    ends: dt.time | None,
    acting_user: User | None,
) -> SlotOverride:
    """Edit one occurrence: other hours, or cancel it (starts and ends empty)."""
    if day.weekday() != opening_slot.weekday:
        raise ValidationError("Ce jour ne correspond pas à la plage d'ouverture.")
    if _hours_incoherent(starts, ends):
        raise ValidationError("Donnez un début et une fin cohérents, ou aucun pour annuler.")
    with transaction.atomic():
        override, _ = SlotOverride.objects.update_or_create(
            opening_slot=opening_slot, day=day, defaults={"starts": starts, "ends": ends}
        )
        audit_record(actor=acting_user, action=AuditAction.UPDATE, obj=override)
    return override


def absence_create(
    *,
    agent: User,
    first_day: dt.date,
    last_day: dt.date,
    acting_user: User | None,
    starts: dt.time | None = None,
    ends: dt.time | None = None,
    weekly: bool = False,
    reason: str = "",
) -> Absence:
    if last_day < first_day:
        raise ValidationError("La fin de l'absence précède son début.")
    if _hours_incoherent(starts, ends):
        raise ValidationError("Heures d'absence incohérentes.")
    with transaction.atomic():
        absence = Absence.objects.create(
            agent=agent,
            first_day=first_day,
            last_day=last_day,
            starts=starts,
            ends=ends,
            weekly=weekly,
            reason=reason,
        )
        audit_record(actor=acting_user, action=AuditAction.CREATE, obj=absence)
    return absence


def closure_create(
    *, site: Site, first_day: dt.date, last_day: dt.date, reason: str, acting_user: User | None
) -> Closure:
    if last_day < first_day:
        raise ValidationError("La fin de la fermeture précède son début.")
    if not reason.strip():
        raise ValidationError("Indiquez le motif de la fermeture.")
    with transaction.atomic():
        closure = Closure.objects.create(
            site=site, first_day=first_day, last_day=last_day, reason=reason
        )
        audit_record(actor=acting_user, action=AuditAction.CREATE, obj=closure)
    return closure


def opening_hours_add(
    *, site: Site, weekday: int, opens: dt.time, closes: dt.time, acting_user: User | None
) -> OpeningHours:
    """One more span of public opening (a permanence's day, a site's afternoon)."""
    if not 0 <= weekday <= 6:
        raise ValidationError("Jour de la semaine inconnu.")
    if closes <= opens:
        raise ValidationError("La fermeture doit suivre l'ouverture.")
    if any(
        h.opens < closes and opens < h.closes
        for h in OpeningHours.objects.filter(site=site, weekday=weekday)
    ):
        raise ValidationError(f"{site.name} est déjà ouvert sur une partie de ces heures.")
    with transaction.atomic():
        hours = OpeningHours.objects.create(site=site, weekday=weekday, opens=opens, closes=closes)
        audit_record(actor=acting_user, action=AuditAction.CREATE, obj=hours)
    return hours


def permanence_open(
    *,
    name: str,
    commune: Commune,
    address: str,
    offers_walk_in: bool,
    offers_appointments: bool,
    acting_user: User | None,
) -> Site:
    """A new permanence (a Caf agent receiving in a partner's premises, one desk), without hours:
    they are added day by day on the opening hours page."""
    name, address = name.strip(), address.strip()
    if not name or not address:
        raise ValidationError("Indiquez le nom et l'adresse de la permanence.")
    if not (offers_walk_in or offers_appointments):
        raise ValidationError(
            "Une permanence reçoit sans rendez-vous, sur rendez-vous ou les deux."
        )
    slug = slugify(name)[:40].strip("-")
    if not slug:
        raise ValidationError("Le nom de la permanence doit contenir des lettres ou des chiffres.")
    if Site.objects.filter(Q(name__iexact=name) | Q(slug=slug)).exists():
        raise ValidationError(f"Un lieu d'accueil s'appelle déjà « {name} ».")
    try:
        with transaction.atomic():
            site = Site.objects.create(
                slug=slug,
                name=name,
                kind=SiteKind.PERMANENCE,
                commune=commune,
                address=address,
                offers_walk_in=offers_walk_in,
                offers_appointments=offers_appointments,
                offers_remote=False,
                desks=1,
            )
            audit_record(actor=acting_user, action=AuditAction.CREATE, obj=site)
    except IntegrityError:  # the slug is unique: the database settles a race of two managers
        raise ValidationError(f"Un lieu d'accueil s'appelle déjà « {name} ».") from None
    return site

"""Reads of the access-to-rights domain."""

from django.db.models import Q, QuerySet

from justedroit.core import clock
from justedroit.outreach.models import Mandate, Partner, PartnerMember
from justedroit.reception import selectors as reception
from justedroit.reception.models import Appointment
from justedroit.registry.models import Household


def partners() -> QuerySet[Partner]:
    return Partner.objects.select_related("commune")


def partner_by_name(name: str) -> Partner | None:
    return partners().filter(name=name).first()


def partner_of(user) -> Partner | None:
    """The organisation a partner account works for (None if the account is not linked)."""
    member = PartnerMember.objects.select_related("partner").filter(user=user).first()
    return member.partner if member is not None else None


def _in_force() -> Q:
    now = clock.now()
    return Q(revoked_at__isnull=True, granted_at__lte=now, expires_at__gt=now)


def mandated_household(*, partner: Partner, number: str) -> Household | None:
    """The household numbered `number` if it gave `partner` a mandate in force; None if it does
    not exist or gave none — one query either way, so callers cannot tell the two apart."""
    return mandated_households(partner).filter(number=number).select_related("commune").first()


def mandated_households(partner: Partner) -> QuerySet[Household]:
    """The households under a mandate in force for `partner` (a lazy query, usable as a filter)."""
    return Household.objects.filter(
        pk__in=Mandate.objects.filter(_in_force(), partner=partner).values("household_id")
    )


def household_mandates(household: Household) -> QuerySet[Mandate]:
    """All the household's mandates, newest first (in force, expired and revoked)."""
    return household.mandates.select_related("partner", "partner__commune")


def household_mandate(household: Household, mandate_id) -> Mandate | None:
    return household_mandates(household).filter(pk=mandate_id).first()


def partner_appointments(partner: Partner, **filters) -> QuerySet[Appointment]:
    """What `partner` booked, for the households still under its mandate only: once the
    allocataire withdraws the mandate, the partner sees nothing more of them."""
    return reception.partner_appointments(
        partner=partner, households=mandated_households(partner), **filters
    )


def partner_appointments_page(
    partner: Partner, *, offset: int, limit: int, **filters
) -> tuple[list[Appointment], int]:
    """One page of `partner_appointments`, and how many there are in all."""
    found = partner_appointments(partner, **filters)
    return list(found[offset : offset + limit]), found.count()


def partner_appointment(partner: Partner, appointment_id: int) -> Appointment | None:
    return partner_appointments(partner).filter(pk=appointment_id).first()

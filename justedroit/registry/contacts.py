"""A household's known contact points: the e-mail addresses and mobile numbers it gave the Caf.

They are what identifies the sender of an inbound message, and where answers go: an address is
known when it is the e-mail of the household's portal account, or a `ContactPoint` (declared by
the allocataire, or recorded by an agent, possibly verified). A sender's say-so never is.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.core.phones import mobile_normalize
from justedroit.registry.models import (
    ContactKind,
    ContactPoint,
    ContactSource,
    Household,
    HouseholdAccount,
    Person,
)

MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit


def email_normalize(text: str) -> str:
    """An e-mail address as stored and compared: trimmed, lower-case, at most 254 characters and
    valid; a French message otherwise. (Local parts are case-insensitive at every mail provider
    the Caf's allocataires use; comparing them case-sensitively would only miss matches.)"""
    address = (text or "").strip().lower()
    if not address or len(address) > MAX_EMAIL_LENGTH:
        raise ValidationError(
            f"Adresse électronique vide ou trop longue ({MAX_EMAIL_LENGTH} caractères au plus)."
        )
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError("Adresse électronique invalide.") from None
    return address


def contact_normalize(kind: str, value: str) -> str:
    if kind == ContactKind.EMAIL:
        return email_normalize(value)
    if kind == ContactKind.MOBILE:
        return mobile_normalize(value)
    raise ValidationError(f"Nature de coordonnée inconnue « {kind} ».")


# ---- writes ------------------------------------------------------------------------------------
def contact_point_record(
    *,
    household: Household,
    kind: str,
    value: str,
    source: str,
    acting_user: User | None,
    person: Person | None = None,
    verified: bool = False,
) -> ContactPoint:
    """Record an address or mobile number the household gave; recording it again only adds the
    agent's verification. Audited."""
    if source not in ContactSource.values:
        raise ValidationError(f"Origine inconnue « {source} ».")
    normalized = contact_normalize(kind, value)
    if person is not None and not household.memberships.filter(person=person).exists():
        raise ValidationError("Cette personne n'est pas membre du foyer.")
    with transaction.atomic():
        point, created = ContactPoint.objects.select_for_update().get_or_create(
            household=household,
            kind=kind,
            value=normalized,
            defaults={
                "person": person,
                "source": source,
                "verified": verified,
                "recorded_at": clock.now(),
                "recorded_by": acting_user,
            },
        )
        if not created and verified and not point.verified:
            point.verified = True
            point.save(update_fields=["verified"])
        elif not created:
            return point
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            household_number=household.number,
            obj=point,
            reason="coordonnée enregistrée" if created else "coordonnée vérifiée",
            detail={"kind": kind, "source": point.source, "verified": point.verified},
        )
    return point


# ---- reads -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KnownAddress:
    """An address a household gave, and how we know it (`point` is None for the e-mail of its
    portal account)."""

    household: Household
    address: str
    point: ContactPoint | None

    def describe(self) -> str:
        return self.point.describe() if self.point else "adresse du compte Mon compte"


def email_owners(address: str) -> list[KnownAddress]:
    """Every household that gave `address` (none when it is not a valid address)."""
    try:
        normalized = email_normalize(address)
    except ValidationError:
        return []
    points = ContactPoint.objects.filter(kind=ContactKind.EMAIL, value=normalized).select_related(
        "household"
    )
    accounts = HouseholdAccount.objects.filter(
        user__email__iexact=normalized, user__is_active=True
    ).select_related("household")
    return [KnownAddress(p.household, normalized, p) for p in points] + [
        KnownAddress(a.household, normalized, None) for a in accounts
    ]


def household_email(household: Household) -> KnownAddress | None:
    """Where to write to this household: a verified address first, then its portal account's,
    then the most recent one it declared."""
    points = list(
        household.contact_points.filter(kind=ContactKind.EMAIL).order_by(
            "-verified", "-recorded_at", "-pk"
        )
    )
    if points and points[0].verified:
        return KnownAddress(household, points[0].value, points[0])
    account = (
        household.accounts.filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if account is not None:
        try:
            return KnownAddress(household, email_normalize(account.user.email), None)
        except ValidationError:
            pass
    return KnownAddress(household, points[0].value, points[0]) if points else None

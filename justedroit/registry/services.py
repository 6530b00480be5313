"""Writes to the registry. Each service is atomic and writes its audit event in the same
transaction; bad input raises ValidationError with a French message and writes nothing."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.registry.facts import FACT_SPECS, value_error
from justedroit.registry.models import (
    HOUSEHOLD_NUMBER,
    Commune,
    Fact,
    FactKind,
    FactSource,
    Household,
    MemberRole,
    Membership,
    Person,
)
from justedroit.registry.nir import validate_nir


@dataclass(frozen=True)
class MemberInput:
    role: str
    nir: str
    last_name: str
    first_name: str
    birth_date: dt.date
    start_date: dt.date


def household_create(
    *,
    number: str,
    commune_code: str,
    members: list[MemberInput],
    acting_user: User | None,
    reason: str = "",
) -> Household:
    HOUSEHOLD_NUMBER(number)
    if Household.objects.filter(number=number).exists():
        raise ValidationError(f"Le numéro allocataire {number} existe déjà.")
    commune = _commune(commune_code)
    if sum(m.role == MemberRole.CLAIMANT for m in members) != 1:
        raise ValidationError("Un foyer a exactement un allocataire.")
    for member in members:
        if member.role not in MemberRole.values:
            raise ValidationError(f"Rôle inconnu « {member.role} ».")
        validate_nir(member.nir)
    with transaction.atomic():
        household = Household.objects.create(number=number, commune=commune, created_at=clock.now())
        for member in members:
            person, _ = Person.objects.get_or_create(
                nir=validate_nir(member.nir),
                defaults={
                    "last_name": member.last_name,
                    "first_name": member.first_name,
                    "birth_date": member.birth_date,
                },
            )
            Membership.objects.create(
                household=household, person=person, role=member.role, start_date=member.start_date
            )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=number,
            obj=household,
            reason=reason,
            detail={"members": len(members)},
        )
    return household


def fact_record(
    *,
    household: Household,
    kind: str,
    valid_from: dt.date,
    valid_until: dt.date | None,
    source: str,
    acting_user: User | None,
    person: Person | None = None,
    amount: Decimal | None = None,
    code: str = "",
    reason: str = "",
) -> Fact:
    """Record what the Caf learns now about months [valid_from, valid_until)."""
    if kind not in FACT_SPECS:
        raise ValidationError(f"Nature de fait inconnue « {kind} ».")
    if source not in FactSource.values:
        raise ValidationError(f"Source inconnue « {source} ».")
    spec = FACT_SPECS[kind]
    if spec.about_person and person is None:
        raise ValidationError(f"« {FactKind(kind).label} » concerne une personne : précisez-la.")
    if not spec.about_person and person is not None:
        raise ValidationError(f"« {FactKind(kind).label} » concerne le foyer, pas une personne.")
    if person is not None and not household.memberships.filter(person=person).exists():
        raise ValidationError(f"{person} n'est pas membre du foyer {household.number}.")
    if error := value_error(kind, amount, code):
        raise ValidationError(error)
    if spec.value == "commune":
        _commune(code)
    if valid_from.day != 1 or (valid_until is not None and valid_until.day != 1):
        raise ValidationError("Les périodes de validité commencent le 1er du mois.")
    if valid_until is not None and valid_until <= valid_from:
        raise ValidationError("La fin de validité doit suivre le début.")
    try:
        with transaction.atomic():
            fact = Fact.objects.create(
                household=household,
                person=person,
                kind=kind,
                valid_from=valid_from,
                valid_until=valid_until,
                recorded_at=clock.now(),
                source=source,
                amount=amount,
                code=code,
                recorded_by=acting_user,
            )
            audit_record(
                actor=acting_user,
                action=AuditAction.CREATE,
                household_number=household.number,
                obj=fact,
                reason=reason,
                detail={"kind": kind, "source": source},
            )
    except IntegrityError as error:
        raise ValidationError(
            "Ce fait chevauche un fait de même nature enregistré au même instant."
        ) from error
    return fact


def household_consult(*, household: Household, acting_user: User | None, reason: str = "") -> None:
    """Record that an agent (or a batch command's operator) viewed a household's personal data."""
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action=AuditAction.VIEW,
            household_number=household.number,
            obj=household,
            reason=reason,
        )


def households_search_audited(*, query: str, numbers: list[str], acting_user: User) -> None:
    """Record a search by an agent and the households whose names it showed."""
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action=AuditAction.SEARCH,
            reason=f"Recherche « {query} »",
            detail={"households": numbers[:100]},
        )


def _commune(code: str) -> Commune:
    try:
        return Commune.objects.get(pk=code)
    except Commune.DoesNotExist:
        raise ValidationError(f"Commune inconnue : code Insee « {code} ».") from None

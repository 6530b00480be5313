"""Reads of the registry, including the bitemporal question: what did the Caf know at instant T
about household H for month M?"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q, QuerySet

from justedroit.core.models import AuditAction, AuditEvent
from justedroit.registry.models import Claim, ClaimStatus, Fact, Household, Membership, Person
from justedroit.registry.nir import nir_display

SEARCH_LIMIT = 50


class SearchKind(models.TextChoices):
    NUMBER = "number", "numéro allocataire"
    NIR = "nir", "NIR"
    NAME = "name", "nom"


def search_kind(query: str) -> SearchKind:
    compact = "".join(query.split())
    if compact.isdigit() and len(compact) == 7:
        return SearchKind.NUMBER
    if len(compact) in (13, 15) and compact[:5].isdigit():
        return SearchKind.NIR
    return SearchKind.NAME


def households_search(query: str) -> QuerySet[Household]:
    """By numéro allocataire, NIR (exact) or member name (prefix, case-insensitive)."""
    query = query.strip()
    if not query:
        return Household.objects.none()
    compact = "".join(query.split())
    kind = search_kind(query)
    if kind == SearchKind.NUMBER:
        condition = Q(number=compact)
    elif kind == SearchKind.NIR:
        condition = Q(memberships__person__nir__startswith=compact.upper()[:13])
    else:
        words = query.split()
        condition = Q()
        for word in words:
            condition &= Q(memberships__person__last_name__istartswith=word) | Q(
                memberships__person__first_name__istartswith=word
            )
    return (
        Household.objects.filter(condition)
        .select_related("commune")
        .distinct()
        .order_by("number")[:SEARCH_LIMIT]
    )


def household_by_number(number: str) -> Household | None:
    return Household.objects.select_related("commune").filter(number=number).first()


def members(household: Household, on: dt.date | None = None) -> QuerySet[Membership]:
    memberships = household.memberships.select_related("person").order_by("start_date", "id")
    if on is not None:
        memberships = memberships.filter(
            Q(end_date__isnull=True) | Q(end_date__gt=on), start_date__lte=on
        )
    return memberships


@dataclass(frozen=True)
class MemberRow:
    """A member as the household page shows them: the NIR is already masked unless the reader
    needs it whole, so no template can show more than the role may see."""

    name: str
    role: str
    nir: str
    birth_date: dt.date | None
    start_date: dt.date
    end_date: dt.date | None


def member_rows(household: Household, *, full_nir: bool) -> list[MemberRow]:
    return [
        MemberRow(
            name=f"{m.person.first_name} {m.person.last_name}",
            role=m.get_role_display(),
            nir=nir_display(m.person.nir, full=full_nir),
            birth_date=m.person.birth_date,
            start_date=m.start_date,
            end_date=m.end_date,
        )
        for m in members(household)
    ]


def household_member(household: Household, person_id) -> Person | None:
    """A person of the household (a form's choice, checked against the household)."""
    return Person.objects.filter(pk=person_id, memberships__household=household).first()


def claims(household: Household) -> QuerySet[Claim]:
    return household.claims.order_by("benefit", "start_month")


def fact_history(household: Household) -> QuerySet[Fact]:
    return household.facts.select_related("person", "recorded_by").order_by(
        "kind", "person_id", "valid_from", "recorded_at"
    )


def facts_known(
    *, household_ids: Iterable[int], month: dt.date, as_of: dt.datetime
) -> dict[tuple[int, int | None, str], Fact]:
    """For each (household, person, kind): the fact valid for `month` with the latest
    `recorded_at` not after `as_of`. A fact recorded after `as_of` never changes the answer."""
    facts = (
        Fact.objects.filter(
            household_id__in=list(household_ids), valid_from__lte=month, recorded_at__lte=as_of
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=month))
        .order_by("recorded_at", "id")
    )
    known: dict[tuple[int, int | None, str], Fact] = {}
    for fact in facts:
        known[(fact.household_id, fact.person_id, fact.kind)] = fact  # later records win
    return known


def viewers(household: Household, limit: int = 50) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        household_number=household.number, action=AuditAction.VIEW
    ).select_related("actor")[:limit]


def households_covered_on(day: dt.date) -> QuerySet[Household]:
    """Allocataires on a day: households with a granted claim running that month."""
    month = day.replace(day=1)
    return Household.objects.filter(
        Q(claims__end_month__isnull=True) | Q(claims__end_month__gt=month),
        claims__status=ClaimStatus.GRANTED,
        claims__start_month__lte=month,
    ).distinct()


def persons_covered_on(day: dt.date) -> QuerySet[Person]:
    return Person.objects.filter(
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gt=day),
        memberships__start_date__lte=day,
        memberships__household__in=households_covered_on(day),
    ).distinct()

"""Reads of the registry, including the bitemporal question: what did the Caf know at instant T
about household H for month M?"""

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

from justedroit.core.models import AuditAction, AuditEvent
from justedroit.registry.models import (
    Claim,
    ClaimStatus,
    Fact,
    Household,
    MemberRole,
    Membership,
    Person,
)
from justedroit.registry.nir import nir_display

SEARCH_PAGE_SIZE = 20


class SearchKind(models.TextChoices):
    NUMBER = "number", "numéro allocataire"
    NIR = "nir", "NIR"
    NAME = "name", "nom"
    BIRTH_DATE = "birth_date", "date de naissance"


def search_kind(query: str) -> SearchKind:
    compact = "".join(query.split())
    if not compact:
        return SearchKind.BIRTH_DATE
    if compact.isdigit() and len(compact) == 7:
        return SearchKind.NUMBER
    if len(compact) in (13, 15) and compact[:5].isdigit():
        return SearchKind.NIR
    return SearchKind.NAME


def households_search(query: str, birth_date: dt.date | None = None) -> QuerySet[Household]:
    """By numéro allocataire, NIR (exact), member name (each word the start of the first or last
    name of one same person, case-insensitive) and/or a member's birth date; ordered by number."""
    query = query.strip()
    if not query and birth_date is None:
        return Household.objects.none()
    compact = "".join(query.split())
    kind = search_kind(query)
    households = Household.objects.select_related("commune").order_by("number")
    if kind == SearchKind.NUMBER:
        households = households.filter(number=compact)
    person = Q()
    if kind == SearchKind.NIR:
        person &= Q(nir__startswith=compact.upper()[:13])
    elif kind == SearchKind.NAME:
        for word in query.split():
            pattern = name_start_pattern(word)
            person &= Q(last_name__iregex=pattern) | Q(first_name__iregex=pattern)
    if birth_date is not None:
        person &= Q(birth_date=birth_date)
    if person:
        households = households.filter(
            Exists(
                Membership.objects.filter(
                    household=OuterRef("pk"), person__in=Person.objects.filter(person)
                )
            )
        )
    return households


_ACCENTED = {
    "a": "aàâäáã",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîïíì",
    "n": "nñ",
    "o": "oôöóò",
    "u": "uùûüú",
    "y": "yÿ",
}


# Escaped by a backslash, the same in Python's and PostgreSQL's regular expressions; any other
# character stands alone in brackets, where it means itself.
_ESCAPED = frozenset("\\[]^-")


def name_start_pattern(word: str) -> str:
    """A regular expression for names starting with `word`, whatever its accents and case
    (« lefe » finds Lefèvre, « élodie » finds ELODIE): the same on SQLite and PostgreSQL, with no
    extension. Every character but a letter is matched literally."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    parts = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        variants = _ACCENTED.get(char)
        if variants:
            upper = variants.upper()
            parts.append(f"[{variants}{upper}]")
        elif char.isalnum():
            parts.append(char)
        else:
            parts.append(f"\\{char}" if char in _ESCAPED else f"[{char}]")
    return "^" + "".join(parts)


@dataclass(frozen=True)
class PersonLine:
    """A member as a search result names them: name, place in the household, birth year only."""

    name: str
    role: str
    birth_year: int | None
    left: bool


@dataclass(frozen=True)
class SearchRow:
    """A household found: who its people are and, if the reader may see them, its claims."""

    number: str
    commune: str
    people: list[PersonLine]
    claims: list[str] | None


@dataclass(frozen=True)
class SearchResults:
    rows: list[SearchRow]
    count: int
    page: int
    num_pages: int
    first: int  # rank of the first row shown, from 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


_ROLE_ORDER = {role: rank for rank, role in enumerate(MemberRole.values)}


def households_search_page(
    query: str,
    birth_date: dt.date | None = None,
    *,
    page: int = 1,
    with_claims: bool,
    on: dt.date,
) -> SearchResults:
    """One page of a search, each household with its people (the members on `on` first, in the
    order allocataire, conjoint, enfants) and, when `with_claims`, its claims running or pending."""
    households = households_search(query, birth_date)
    count = households.count()
    num_pages = max(1, -(-count // SEARCH_PAGE_SIZE))
    page = min(max(1, page), num_pages)
    start = (page - 1) * SEARCH_PAGE_SIZE
    found = list(households[start : start + SEARCH_PAGE_SIZE])
    memberships = Membership.objects.filter(household__in=found).select_related("person")
    people: dict[int, list[tuple]] = {h.id: [] for h in found}
    for m in memberships:
        left = m.end_date is not None and m.end_date <= on
        key = (left, _ROLE_ORDER.get(m.role, 99), m.person.birth_date or dt.date.min, m.id)
        line = PersonLine(
            name=f"{m.person.first_name} {m.person.last_name}",
            role=m.get_role_display(),
            birth_year=m.person.birth_date.year if m.person.birth_date else None,
            left=left,
        )
        people[m.household_id].append((key, line))
    claims: dict[int, list[str]] = {h.id: [] for h in found}
    if with_claims:
        month = on.replace(day=1)
        for claim in (
            Claim.objects.filter(household__in=found, status__in=_SHOWN_CLAIMS)
            .filter(Q(end_month__isnull=True) | Q(end_month__gt=month))
            .order_by("benefit", "start_month")
        ):
            claims[claim.household_id].append(
                f"{claim.get_benefit_display()} ({claim.get_status_display().lower()})"
            )
    return SearchResults(
        rows=[
            SearchRow(
                number=h.number,
                commune=h.commune.name,
                people=[line for _, line in sorted(people[h.id], key=lambda pair: pair[0])],
                claims=claims[h.id] if with_claims else None,
            )
            for h in found
        ],
        count=count,
        page=page,
        num_pages=num_pages,
        first=start + 1 if found else 0,
    )


_SHOWN_CLAIMS = (ClaimStatus.GRANTED, ClaimStatus.PENDING)


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
    *,
    household_ids: Iterable[int],
    month: dt.date,
    as_of: dt.datetime,
    kinds: Iterable[str] | None = None,
) -> dict[tuple[int, int | None, str], Fact]:
    """For each (household, person, kind) — of `kinds` only, when given: the fact valid for
    `month` with the latest `recorded_at` not after `as_of`. A fact recorded after `as_of` never
    changes the answer."""
    facts = (
        Fact.objects.filter(
            household_id__in=list(household_ids), valid_from__lte=month, recorded_at__lte=as_of
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=month))
        .order_by("recorded_at", "id")
    )
    if kinds is not None:
        facts = facts.filter(kind__in=list(kinds))
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

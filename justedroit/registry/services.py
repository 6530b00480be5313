"""Writes to the registry. Each service is atomic and writes its audit event in the same
transaction; bad input raises ValidationError with a French message and writes nothing."""

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from justedroit.core import clock
from justedroit.core.audit import AuditEntry, audit_record, audit_records
from justedroit.core.models import AuditAction, User
from justedroit.registry.facts import FACT_SPECS, value_error
from justedroit.registry.models import (
    HOUSEHOLD_NUMBER,
    ActKind,
    Claim,
    ClaimStatus,
    Commune,
    Fact,
    FactKind,
    FactSource,
    Household,
    MemberRole,
    Membership,
    Person,
    ProcessingAct,
    ProcessingActFact,
)
from justedroit.registry.nir import nir_search_digest, validate_nir
from justedroit.registry.selectors import SearchKind, search_kind


@dataclass(frozen=True)
class MemberInput:
    role: str
    nir: str
    last_name: str
    first_name: str
    birth_date: dt.date
    start_date: dt.date
    # A person already in the registry joins the household only when asked explicitly, and only
    # if the identity given is hers.
    link_existing: bool = False


def household_create(
    *,
    number: str,
    commune_code: str,
    members: list[MemberInput],
    acting_user: User | None,
    reason: str = "",
) -> Household:
    """A household and its members. Every member is checked before anything is written; a NIR
    already in the registry is refused unless the member asks to link that person, whose
    identity must then be the one given."""
    HOUSEHOLD_NUMBER(number)
    if Household.objects.filter(number=number).exists():
        raise ValidationError(f"Le numéro allocataire {number} existe déjà.")
    commune = _commune(commune_code)
    if sum(m.role == MemberRole.CLAIMANT for m in members) != 1:
        raise ValidationError("Un foyer a exactement un allocataire.")
    nirs = [_member_checked(member) for member in members]
    if repeated := {nir for nir in nirs if nirs.count(nir) > 1}:
        raise ValidationError(f"Le NIR {min(repeated)} figure deux fois dans le foyer.")
    people = [_person_to_link(member, nir) for member, nir in zip(members, nirs, strict=True)]
    with transaction.atomic():
        household = Household.objects.create(number=number, commune=commune, created_at=clock.now())
        for member, nir, person in zip(members, nirs, people, strict=True):
            if person is None:
                person = Person.objects.create(
                    nir=nir,
                    last_name=member.last_name.strip(),
                    first_name=member.first_name.strip(),
                    birth_date=member.birth_date,
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
            detail={"members": len(members), "linked": sum(p is not None for p in people)},
        )
    return household


def _member_checked(member: MemberInput) -> str:
    """The member's normalised NIR, once everything about the member is plausible."""
    nir = validate_nir(member.nir)
    if member.role not in MemberRole.values:
        raise ValidationError(f"Rôle inconnu « {member.role} ».")
    if not member.last_name.strip() or not member.first_name.strip():
        raise ValidationError(f"NIR {nir} : le nom et le prénom sont obligatoires.")
    if member.birth_date > clock.today():
        raise ValidationError(f"NIR {nir} : la date de naissance est dans le futur.")
    if member.start_date < member.birth_date:
        raise ValidationError(f"NIR {nir} : l'arrivée dans le foyer précède la naissance.")
    return nir


def _person_to_link(member: MemberInput, nir: str) -> Person | None:
    """The registered person a member links to (None: a new person), refusing a silent reuse."""
    person = Person.objects.filter(nir=nir).first()
    if person is None:
        if member.link_existing:
            raise ValidationError(
                f"Aucune personne du registre n'a le NIR {nir} : rien à rattacher."
            )
        return None
    if not member.link_existing:
        raise ValidationError(
            f"Le NIR {nir} est déjà au registre : pour rattacher cette personne au foyer, "
            "demandez-le explicitement (son identité sera vérifiée)."
        )
    differing = [
        label
        for label, given, known in (
            ("nom", _name_key(member.last_name), _name_key(person.last_name)),
            ("prénom", _name_key(member.first_name), _name_key(person.first_name)),
            ("date de naissance", member.birth_date, person.birth_date),
        )
        if given != known
    ]
    if differing:
        raise ValidationError(
            f"Le NIR {nir} est au registre sous une autre identité ({', '.join(differing)} "
            "différent) : rien n'est rattaché."
        )
    return person


def _name_key(name: str) -> str:
    """Names compare without case, accents or extra spaces (Élodie = ELODIE)."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


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
    if (
        person is not None
        and FACT_SPECS[kind].about_person
        and not household.memberships.filter(person=person).exists()
    ):
        raise ValidationError(f"{person} n'est pas membre du foyer {household.number}.")
    checked = FactInput(
        household_id=household.id,
        kind=kind,
        valid_from=valid_from,
        valid_until=valid_until,
        person_id=person.id if person is not None else None,
        amount=amount,
        code=code,
    )
    members = {(household.id, person.id)} if person is not None else set()
    _fact_input_check(checked, {household.id: household.number}, members)
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
            if source == FactSource.AGENT:
                processing_act_record(
                    kind=ActKind.FACTS_RECORDED,
                    agent=acting_user,
                    household=household,
                    facts=[fact],
                    obj=fact,
                )
    except IntegrityError as error:
        raise ValidationError(
            "Ce fait chevauche un fait de même nature enregistré au même instant."
        ) from error
    return fact


def household_consult(
    *, household: Household, acting_user: User | None, reason: str = "", page: str = ""
) -> None:
    """Record that an agent (or a batch command's operator) viewed a household's personal data
    (`page`: which view of it)."""
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action=AuditAction.VIEW,
            household_number=household.number,
            obj=household,
            reason=reason,
            detail={"page": page} if page else None,
        )


def households_search_audited(
    *,
    query: str,
    numbers: list[str],
    acting_user: User,
    birth_date: dt.date | None = None,
    page: int = 1,
    found: int | None = None,
) -> None:
    """Record a search and every household its page showed. What was typed is kept only when it
    cannot be a NIR (a name, a numéro allocataire); otherwise a keyed hash stands for it. A birth
    date typed is not kept: the households found say enough."""
    kind = search_kind(query)
    label = kind.label
    if birth_date is not None and kind != SearchKind.BIRTH_DATE:
        label = f"{label} et {SearchKind.BIRTH_DATE.label}"
    detail: dict = {
        "page": f"Recherche par {label}",
        "found": len(numbers) if found is None else found,
    }
    if page > 1:
        detail["result_page"] = page
    if kind == SearchKind.NUMBER or not any(c.isdigit() for c in query):
        if query.strip():
            detail["query"] = query.strip()
    else:
        detail["query_digest"] = nir_search_digest(query)
    with transaction.atomic():
        audit_record(
            actor=acting_user, action=AuditAction.SEARCH, households=numbers, detail=detail
        )


def _commune(code: str) -> Commune:
    try:
        return Commune.objects.get(pk=code)
    except Commune.DoesNotExist:
        raise ValidationError(f"Commune inconnue : code Insee « {code} ».") from None


@dataclass(frozen=True)
class FactInput:
    """One fact of a bulk recording (see `facts_record_bulk`)."""

    household_id: int
    kind: str
    valid_from: dt.date
    valid_until: dt.date | None
    person_id: int | None = None
    amount: Decimal | None = None
    code: str = ""


def facts_record_bulk(
    *, facts: list[FactInput], source: str, acting_user: User | None, reason: str = ""
) -> list[Fact]:
    """Record many facts learnt at the same instant (a partner's file) in one insert, and one
    audit event naming every household concerned. Each fact is checked as `fact_record` checks
    one (kind, value, months, person in the household) before anything is written; the first
    bad one raises ValidationError and nothing is written."""
    if source not in FactSource.values:
        raise ValidationError(f"Source inconnue « {source} ».")
    if not facts:
        return []
    household_ids = {f.household_id for f in facts}
    numbers = dict(Household.objects.filter(id__in=household_ids).values_list("id", "number"))
    members = set(
        Membership.objects.filter(household_id__in=household_ids).values_list(
            "household_id", "person_id"
        )
    )
    for fact in facts:
        _fact_input_check(fact, numbers, members)
    now = clock.now()
    try:
        with transaction.atomic():
            stored = Fact.objects.bulk_create(
                Fact(
                    household_id=f.household_id,
                    person_id=f.person_id,
                    kind=f.kind,
                    valid_from=f.valid_from,
                    valid_until=f.valid_until,
                    recorded_at=now,
                    source=source,
                    amount=f.amount,
                    code=f.code,
                    recorded_by=acting_user,
                )
                for f in facts
            )
            audit_record(
                actor=acting_user,
                action=AuditAction.CREATE,
                households=sorted({numbers[f.household_id] for f in facts}),
                reason=reason,
                detail={"facts": len(facts), "source": source},
            )
    except IntegrityError as error:
        raise ValidationError(
            "Deux faits de même nature se chevauchent pour une même personne au même instant."
        ) from error
    return stored


@dataclass(frozen=True)
class AgentFact:
    """One fact of `agent_facts_record`: recorded by `agent` at the instant `at`."""

    fact: FactInput
    agent: User
    at: dt.datetime
    reason: str = ""


def agent_facts_record(entries: Sequence[AgentFact]) -> list[tuple[Fact, ProcessingAct | None]]:
    """`fact_record` (source « saisie d'un agent ») of many facts, each by its agent at its own
    instant — a month of the case workers' processing — in a few inserts: the same facts, their
    audit events and processing acts. Every fact is checked first; the first bad one raises
    ValidationError and nothing is written. Returns each fact with its act (None when its author
    is not an agent). Inside the caller's transaction or its own."""
    if not entries:
        return []
    household_ids = {e.fact.household_id for e in entries}
    numbers = dict(Household.objects.filter(id__in=household_ids).values_list("id", "number"))
    members = set(
        Membership.objects.filter(household_id__in=household_ids).values_list(
            "household_id", "person_id"
        )
    )
    for entry in entries:
        _fact_input_check(entry.fact, numbers, members)
    source = FactSource.AGENT
    try:
        with transaction.atomic():
            facts = Fact.objects.bulk_create(
                Fact(
                    household_id=e.fact.household_id,
                    person_id=e.fact.person_id,
                    kind=e.fact.kind,
                    valid_from=e.fact.valid_from,
                    valid_until=e.fact.valid_until,
                    recorded_at=e.at,
                    source=source,
                    amount=e.fact.amount,
                    code=e.fact.code,
                    recorded_by=e.agent,
                )
                for e in entries
            )
            audit_records(
                [
                    AuditEntry(
                        e.at,
                        e.agent,
                        AuditAction.CREATE,
                        numbers[e.fact.household_id],
                        fact,
                        e.reason,
                        {"kind": e.fact.kind, "source": source},
                    )
                    for e, fact in zip(entries, facts, strict=True)
                ]
            )
            by_agent = [
                (e, fact) for e, fact in zip(entries, facts, strict=True) if e.agent.is_agent
            ]
            acts = ProcessingAct.objects.bulk_create(
                ProcessingAct(
                    kind=ActKind.FACTS_RECORDED,
                    agent=e.agent,
                    household_id=e.fact.household_id,
                    at=e.at,
                    object_type=fact._meta.label,
                    object_id=str(fact.pk),
                )
                for e, fact in by_agent
            )
            ProcessingActFact.objects.bulk_create(
                ProcessingActFact(act=act, fact=fact)
                for act, (_, fact) in zip(acts, by_agent, strict=True)
            )
    except IntegrityError as error:
        raise ValidationError(
            "Ce fait chevauche un fait de même nature enregistré au même instant."
        ) from error
    act_of = {fact.pk: act for act, (_, fact) in zip(acts, by_agent, strict=True)}
    return [(fact, act_of.get(fact.pk)) for fact in facts]


def _fact_input_check(fact: FactInput, numbers: dict[int, str], members: set) -> None:
    if fact.kind not in FACT_SPECS:
        raise ValidationError(f"Nature de fait inconnue « {fact.kind} ».")
    if fact.household_id not in numbers:
        raise ValidationError(f"Foyer inconnu (identifiant {fact.household_id}).")
    spec = FACT_SPECS[fact.kind]
    label = FactKind(fact.kind).label
    if spec.about_person and fact.person_id is None:
        raise ValidationError(f"« {label} » concerne une personne : précisez-la.")
    if not spec.about_person and fact.person_id is not None:
        raise ValidationError(f"« {label} » concerne le foyer, pas une personne.")
    if fact.person_id is not None and (fact.household_id, fact.person_id) not in members:
        raise ValidationError(
            f"La personne {fact.person_id} n'est pas membre du foyer {numbers[fact.household_id]}."
        )
    if error := value_error(fact.kind, fact.amount, fact.code):
        raise ValidationError(error)
    if spec.value == "commune":
        _commune(fact.code)
    if fact.valid_from.day != 1 or (fact.valid_until is not None and fact.valid_until.day != 1):
        raise ValidationError("Les périodes de validité commencent le 1er du mois.")
    if fact.valid_until is not None and fact.valid_until <= fact.valid_from:
        raise ValidationError("La fin de validité doit suivre le début.")


def processing_act_record(
    *,
    kind: str,
    agent: User | None,
    household: Household,
    facts: Sequence[Fact] = (),
    benefit: str = "",
    obj=None,
) -> ProcessingAct | None:
    """Record an agent's act of case processing (see `ProcessingAct`) inside the caller's
    transaction, with the facts it wrote. Automatic processing (no agent, or a batch run by a
    non-agent account) is not an agent's act: nothing is recorded and None is returned."""
    if agent is None or not agent.is_agent:
        return None
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A processing act must be written inside the transaction it records.")
    act = ProcessingAct.objects.create(
        kind=kind,
        agent=agent,
        household=household,
        benefit=benefit,
        at=clock.now(),
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )
    ProcessingActFact.objects.bulk_create(ProcessingActFact(act=act, fact=f) for f in facts)
    return act


def claim_decide(*, claim: Claim, status: str, acting_user: User, reason: str = "") -> Claim:
    """A case worker decides a pending claim: opened (« ouverte ») or rejected. The decision is
    audited and recorded as a processing act on the claim's benefit."""
    if status not in (ClaimStatus.GRANTED, ClaimStatus.REJECTED):
        raise ValidationError("Choisissez « ouverte » ou « rejetée ».")
    if status == ClaimStatus.REJECTED and not reason.strip():
        raise ValidationError("Indiquez le motif du rejet.")
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != ClaimStatus.PENDING:
            raise ValidationError("Cette demande est déjà décidée.")
        claim.status = status
        claim.save(update_fields=["status"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=claim.household.number,
            obj=claim,
            reason=reason or "décision sur une demande",
            detail={"status": status, "benefit": claim.benefit},
        )
        processing_act_record(
            kind=ActKind.CLAIM_DECIDED,
            agent=acting_user,
            household=claim.household,
            benefit=claim.benefit,
            obj=claim,
        )
    return claim

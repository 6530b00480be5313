"""Reading everything the Caf holds about one person, for their right of access and to
portability (art. 15 and 20 RGPD).

A person's data is their identity, and for each household they belonged to, what the file holds
about them or about the whole household while they were in it: claims, facts (their own and the
household's, not another member's), rights, payments, rappels and indus, contacts, pieces,
mandates, and who accessed the file. Another member appears by first name, name and role only.
Who accessed the file is given by date, role, action and reason, not by the agent's name.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Q, QuerySet

from justedroit.channels.models import (
    Call,
    CallbackRequest,
    Document,
    EmailAttachment,
    EmailMessage,
    Procedure,
)
from justedroit.core import clock
from justedroit.core import selectors as core_selectors
from justedroit.core.models import AuditEvent
from justedroit.data_protection.retention import CONTROLLER
from justedroit.entitlements.models import Adjustment, Entitlement, Payment
from justedroit.outreach.models import Mandate
from justedroit.reception.models import Appointment, Notification, Ticket
from justedroit.registry.models import (
    Claim,
    ContactPoint,
    Fact,
    Household,
    HouseholdAccount,
    Membership,
    Person,
)


@dataclass
class Section:
    """One kind of data, as a table (HTML) and as a list of records (JSON)."""

    key: str
    title: str
    columns: list[tuple[str, str]]  # (JSON key, French header)
    rows: list[dict] = field(default_factory=list)

    def cells(self) -> list[list]:
        return [[row[key] for key, _ in self.columns] for row in self.rows]


@dataclass
class HouseholdPart:
    number: str
    role: str
    start: dt.date
    end: dt.date | None
    sections: list[Section]


@dataclass
class SubjectData:
    person: Person
    produced_at: dt.datetime
    identity: Section
    households: list[HouseholdPart]

    @property
    def household_numbers(self) -> list[str]:
        return [part.number for part in self.households]

    def as_json(self) -> dict:
        return {
            "responsable_du_traitement": CONTROLLER,
            "produit_le": _plain(self.produced_at),
            "identite": self.identity.rows[0],
            "foyers": [
                {
                    "numero_allocataire": part.number,
                    "role": part.role,
                    "arrivee": _plain(part.start),
                    "depart": _plain(part.end),
                    **{section.key: section.rows for section in part.sections},
                }
                for part in self.households
            ],
        }


def _plain(value):
    """A JSON-ready value: instants in Paris time, amounts as exact decimal text."""
    if isinstance(value, dt.datetime):
        return value.astimezone(clock.PARIS).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def _section(key: str, title: str, queryset: QuerySet, fields: list[str]) -> Section:
    meta = queryset.model._meta
    columns = [(name, str(meta.get_field(name).verbose_name)) for name in fields]
    rows = []
    for obj in queryset:
        row = {}
        for name in fields:
            value = getattr(obj, name)
            if meta.get_field(name).choices and value:
                value = getattr(obj, f"get_{name}_display")()
            row[name] = _plain(value)
        rows.append(row)
    return Section(key, title, columns, rows)


def person_by_nir(nir: str) -> Person | None:
    return Person.objects.filter(nir="".join(nir.split()).upper()).first()


def household_by_number(number: str) -> Household | None:
    return Household.objects.filter(number=number).first()


def members_of(household: Household) -> list[Membership]:
    return list(
        household.memberships.select_related("person").order_by("start_date", "person__last_name")
    )


def subject_data(person: Person) -> SubjectData:
    identity = _section(
        "identite",
        "Identité",
        Person.objects.filter(pk=person.pk),
        ["nir", "last_name", "first_name", "birth_date"],
    )
    memberships = person.memberships.select_related("household").order_by("start_date")
    return SubjectData(
        person=person,
        produced_at=clock.now(),
        identity=identity,
        households=[_household_part(person, m) for m in memberships],
    )


def _during(model, path: str, membership: Membership, *, months: bool = False) -> Q:
    """Rows of `model` dated (by `path`) while the person belonged to the household; `months`
    when the date is a month, counted from the month of arrival."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    start, end = membership.start_date, membership.end_date
    if months:
        start = clock.month_start(start)
    elif isinstance(model._meta.get_field(name), models.DateTimeField):
        start = dt.datetime.combine(start, dt.time.min, tzinfo=clock.PARIS)
        end = end and dt.datetime.combine(end, dt.time.min, tzinfo=clock.PARIS)
    condition = Q(**{f"{path}__gte": start})
    if end is not None:
        condition &= Q(**{f"{path}__lt": end})
    return condition


def _household_part(person: Person, membership: Membership) -> HouseholdPart:
    household = membership.household
    own = Q(person=person) | Q(person__isnull=True)

    def during(model, date_field: str, **kwargs) -> QuerySet:
        return model.objects.filter(_during(model, date_field, membership, **kwargs))

    sections = [
        Section(
            "membres",
            "Composition du foyer",
            [("prenom", "prénom"), ("nom", "nom"), ("role", "rôle"), ("arrivee", "arrivée")],
            [
                {
                    "prenom": m.person.first_name,
                    "nom": m.person.last_name,
                    "role": m.get_role_display(),
                    "arrivee": _plain(m.start_date),
                }
                for m in members_of(household)
            ],
        ),
        _section(
            "demandes",
            "Demandes de prestations",
            during(Claim, "recorded_at").filter(household=household).order_by("start_month"),
            ["benefit", "start_month", "end_month", "status", "recorded_at"],
        ),
        _section(
            "faits",
            "Situation enregistrée (faits)",
            during(Fact, "recorded_at")
            .filter(own, household=household)
            .order_by("kind", "valid_from", "recorded_at"),
            ["kind", "valid_from", "valid_until", "amount", "code", "source", "recorded_at"],
        ),
        _section(
            "droits",
            "Droits calculés",
            during(Entitlement, "month", months=True)
            .filter(household=household)
            .order_by("month", "benefit", "run_id"),
            ["benefit", "month", "eligible", "due"],
        ),
        _section(
            "paiements",
            "Paiements",
            during(Payment, "month", months=True)
            .filter(household=household)
            .order_by("month", "benefit"),
            ["benefit", "month", "amount", "paid_at"],
        ),
        _section(
            "rappels_et_indus",
            "Rappels et indus",
            during(Adjustment, "month", months=True)
            .filter(household=household)
            .order_by("month", "benefit"),
            [
                "benefit",
                "month",
                "kind",
                "amount",
                "due",
                "settled_before",
                "computed_at",
                "reason",
            ],
        ),
        _section(
            "coordonnees",
            "Coordonnées connues",
            ContactPoint.objects.filter(own, household=household).order_by("recorded_at"),
            ["kind", "value", "source", "verified", "recorded_at"],
        ),
        _section(
            "compte_mon_dossier",
            "Compte « Mon dossier »",
            HouseholdAccount.objects.filter(household=household).select_related("user"),
            ["user"],
        ),
        _section(
            "mandats",
            "Mandats aux partenaires",
            during(Mandate, "granted_at").filter(household=household).select_related("partner"),
            ["partner", "source", "granted_at", "expires_at", "revoked_at", "evidence"],
        ),
        _section(
            "demarches",
            "Démarches",
            during(Procedure, "submitted_at").filter(household=household).order_by("submitted_at"),
            ["kind", "channel", "benefit", "submitted_at"],
        ),
        _section(
            "rendez_vous",
            "Rendez-vous",
            during(Appointment, "starts_at")
            .filter(household=household)
            .select_related("type", "site"),
            [
                "type",
                "channel",
                "site",
                "starts_at",
                "status",
                "contact_phone",
                "contact_email",
                "note",
            ],
        ),
        _section(
            "notifications",
            "Messages envoyés pour les rendez-vous",
            during(Notification, "created_at")
            .filter(appointment__household=household)
            .order_by("created_at"),
            ["kind", "channel", "recipient", "status", "created_at"],
        ),
        _section(
            "accueil_sur_flux",
            "Passages à l'accueil",
            during(Ticket, "arrived_at").filter(household=household).select_related("site"),
            ["site", "arrived_at", "reason", "status", "outcome"],
        ),
        _section(
            "appels",
            "Appels",
            during(Call, "offered_at").filter(household=household).order_by("offered_at"),
            ["offered_at", "queue", "outcome", "wait_seconds", "talk_seconds", "caller_number"],
        ),
        _section(
            "rappels_telephoniques",
            "Demandes de rappel",
            during(CallbackRequest, "requested_at")
            .filter(household=household)
            .order_by("requested_at"),
            ["requested_at", "phone", "reason", "status", "done_at", "note"],
        ),
        _section(
            "courriels",
            "Courriels",
            during(EmailMessage, "at").filter(thread__household=household).order_by("at"),
            ["at", "direction", "sender", "recipient", "subject", "body", "status"],
        ),
        _section(
            "pieces_jointes",
            "Pièces jointes des courriels (description)",
            during(EmailAttachment, "message__at").filter(message__thread__household=household),
            ["original_name", "content_type", "size"],
        ),
        _section(
            "pieces",
            "Pièces reçues (description)",
            during(Document, "received_at").filter(household=household).order_by("received_at"),
            [
                "kind",
                "channel",
                "received_at",
                "original_name",
                "content_type",
                "size",
                "processed_at",
                "outcome",
                "note",
            ],
        ),
        _accesses(household, membership),
    ]
    return HouseholdPart(
        number=household.number,
        role=membership.get_role_display(),
        start=membership.start_date,
        end=membership.end_date,
        sections=sections,
    )


def _accesses(household: Household, membership: Membership) -> Section:
    events = core_selectors.audit_events(household_number=household.number).filter(
        _during(AuditEvent, "at", membership)
    )
    lines = core_selectors.audit_lines(events[:5_000])
    columns = [("date", "date"), ("role", "rôle de l'agent"), ("action", "action")]
    columns += [("objet", "page ou objet"), ("motif", "motif")]
    return Section(
        "acces_au_dossier",
        "Accès au dossier (journal d'audit)",
        columns,
        [
            {
                "date": _plain(line.at),
                "role": line.role or "traitement automatique",
                "action": line.action,
                "objet": line.subject,
                "motif": line.reason,
            }
            for line in lines
        ],
    )

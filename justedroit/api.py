"""The versioned JSON API (`/api/v1/`, OpenAPI schema at `/api/v1/openapi.json`).

Partners (Espaces France Services, points relais) search free slots and book or cancel an
appointment on a household's behalf, authenticated by a bearer token (`ApiToken`). Errors are JSON
`{"code": ..., "message": "<français>"}`. Web layer: it composes the domains' services/selectors.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from justedroit.reception import perms, selectors, services
from justedroit.reception.models import Appointment, BookedVia, Channel, ResourceKind
from justedroit.registry.selectors import household_by_number


class PartnerToken(HttpBearer):
    def authenticate(self, request, token):
        user = selectors.api_token_user(token)
        if user is not None and perms.can_book_for_claimant(user):
            request.user = user
            return user
        return None


api = NinjaAPI(
    urls_namespace="api",
    version="1",
    title="Juste Droit — Caf de la Vienne",
    description="Créneaux libres et rendez-vous pour les partenaires (jeton d'API).",
    auth=PartnerToken(),
)


SLUG = r"^[a-z0-9-]+$"


class Error(Schema):
    code: str
    message: str


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    site: str
    site_name: str
    type: str
    agent_id: int
    accessibility: bool


class SlotQuery(Schema):
    type: str = Field(
        ..., description="Code du motif, ex. dossier-sur-place", max_length=40, pattern=SLUG
    )
    site: str | None = Field(
        None, description="Identifiant du lieu, ex. poitiers", max_length=40, pattern=SLUG
    )
    channel: Channel | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    need: ResourceKind | None = Field(None, description="Besoin d'accessibilité")


class BookIn(Schema):
    household_number: str = Field(..., pattern=r"^[0-9]{7}$")
    type: str = Field(..., max_length=40, pattern=SLUG)
    site: str = Field(..., max_length=40, pattern=SLUG)
    starts_at: dt.datetime
    need: ResourceKind | None = None
    contact_phone: str = Field("", max_length=20, pattern=r"^[0-9 +().-]*$")
    contact_email: str = Field("", max_length=254, pattern=r"^([^@\s]+@[^@\s]+)?$")


class AppointmentOut(Schema):
    id: int
    household_number: str
    type: str
    channel: str
    site: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    meeting_url: str
    booked_via: str

    @staticmethod
    def of(a: Appointment) -> "AppointmentOut":
        return AppointmentOut(
            id=a.id,
            household_number=a.household.number,
            type=a.type.code,
            channel=a.channel,
            site=a.site.slug,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            status=a.status,
            meeting_url=a.meeting_url,
            booked_via=a.booked_via,
        )


def _error(request, status: int, code: str, message: str):
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(ValidationError)
def domain_error(request, exc):
    return _error(request, 400, "invalid", " ".join(exc.messages))


@api.exception_handler(NinjaValidationError)
def schema_error(request, exc):
    fields = ", ".join(".".join(str(p) for p in e.get("loc", [])[1:]) for e in exc.errors)
    return _error(request, 422, "invalid_request", f"Requête invalide : {fields or 'corps'}.")


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return _error(request, 401, "unauthenticated", "Jeton d'API manquant, invalide ou révoqué.")


@api.exception_handler(HttpError)
def http_error(request, exc):
    messages = {400: "Corps de requête illisible : JSON attendu.", 405: "Méthode non permise."}
    message = messages.get(exc.status_code, "Requête refusée.")
    return _error(request, exc.status_code, "bad_request", message)


def _not_found(request, what: str):
    return _error(request, 404, "not_found", what)


@api.get(
    "/slots",
    response={200: list[SlotOut], 400: Error, 401: Error, 404: Error, 422: Error},
    summary="Créneaux libres",
)
def slots(request, filters: Query[SlotQuery]):
    kind = selectors.appointment_type_by_code(filters.type)
    if kind is None or not kind.partner_may_book:
        return Status(
            404, {"code": "unknown_type", "message": f"Motif inconnu : « {filters.type} »."}
        )
    if filters.channel and filters.channel != kind.channel:
        return Status(200, [])
    site = None
    if filters.site:
        site = selectors.site_by_slug(filters.site)
        if site is None:
            return Status(
                404, {"code": "unknown_site", "message": f"Lieu inconnu : « {filters.site} »."}
            )
    first = filters.date_from or dt.date.min
    last = filters.date_to or dt.date.max
    if last < first:
        return Status(
            400, {"code": "invalid", "message": "La date de fin précède la date de début."}
        )
    found = selectors.free_slots(
        appointment_type=kind,
        first_day=max(first, dt.date(2000, 1, 1)),
        last_day=min(last, dt.date(2999, 12, 31)),
        site=site,
        accessibility_need=filters.need or "",
        limit=200,
    )
    return Status(
        200,
        [
            SlotOut(
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                site=s.site_slug,
                site_name=s.site_name,
                type=s.type_code,
                agent_id=s.agent_id,
                accessibility=bool(filters.need),
            )
            for s in found
        ],
    )


@api.post(
    "/appointments",
    response={201: AppointmentOut, 400: Error, 401: Error, 404: Error, 422: Error},
    summary="Réserver un rendez-vous pour un foyer",
)
def book(request, body: BookIn):
    kind = selectors.appointment_type_by_code(body.type)
    if kind is None:
        return Status(404, {"code": "unknown_type", "message": f"Motif inconnu : « {body.type} »."})
    site = selectors.site_by_slug(body.site)
    if site is None:
        return Status(404, {"code": "unknown_site", "message": f"Lieu inconnu : « {body.site} »."})
    if body.starts_at.tzinfo is None:
        return Status(400, {"code": "invalid", "message": "Précisez le fuseau horaire de l'heure."})
    appointment = services.appointment_book(
        household=household_by_number(body.household_number),
        appointment_type=kind,
        site=site,
        starts_at=body.starts_at,
        accessibility_need=body.need or "",
        contact_phone=body.contact_phone,
        contact_email=body.contact_email,
        booked_via=BookedVia.PARTNER,
        acting_user=request.auth,
    )
    return Status(201, AppointmentOut.of(appointment))


@api.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, 400: Error, 401: Error, 404: Error, 422: Error},
    summary="Annuler un rendez-vous réservé par ce partenaire",
)
def cancel(request, appointment_id: int):
    if not 0 < appointment_id < 2**63:
        return _not_found(request, "Rendez-vous inconnu.")
    appointment = (
        Appointment.objects.filter(
            pk=appointment_id, booked_via=BookedVia.PARTNER, booked_by=request.auth
        )
        .select_related("household", "type", "site")
        .first()
    )
    if appointment is None:
        return Status(
            404, {"code": "not_found", "message": "Rendez-vous inconnu pour ce partenaire."}
        )
    cancelled = services.appointment_cancel(
        appointment=appointment, by_caf=False, acting_user=request.auth
    )
    return Status(200, AppointmentOut.of(cancelled))


def urls():
    """`api.urls` with each view marked as token-authenticated (not session-gated)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.permission = None
    return patterns, app_name, namespace

"""The versioned JSON API (`/api/v1/`, OpenAPI schema at `/api/v1/openapi.json`).

Partners (Espaces France Services, points relais Caf) search free slots, and book, list, read and
cancel appointments for the households that gave their organisation a mandate. Authenticated by a
bearer token (`core.ApiToken`), throttled per token and per client address. Web layer: it composes
the domains' services and selectors, and queries no model itself.

The published schema is the contract: a request it allows is never refused as malformed, a request
it forbids is refused before anything runs. Every error under `/api/v1/` (404 and 405 included) is
`{"code": ..., "message": "<français>"}`:

- 400 the request does not match the schema (pattern, length, range, unknown field, NUL byte…);
- 401 token missing, unknown, expired or revoked; 403 account not linked to a partner organisation;
- 404 unknown motif, place or appointment — and, in the same words, a household that does not exist
  or gave no mandate in force to the partner (nobody learns which numbers exist);
- 422 well-formed but refused by the rules (slot taken, too late to cancel…), or an
  `Idempotency-Key` reused for another request; 429 too many requests (`Retry-After`).
"""

import datetime as dt
import functools
import hashlib
import json
import logging
import math
import re
from dataclasses import dataclass
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.urls import re_path
from ninja import Field, Header, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema

from justedroit.core import clock
from justedroit.core import services as core
from justedroit.core.auth.client_ip import client_ip
from justedroit.core.models import ApiToken, User
from justedroit.outreach import selectors as outreach_selectors
from justedroit.outreach import services as outreach
from justedroit.outreach.models import Partner
from justedroit.reception import perms, selectors
from justedroit.reception.models import Appointment, AppointmentStatus, Channel, ResourceKind

logger = logging.getLogger(__name__)

# Patterns use explicit ASCII classes only (no \s, \d, \w, whose meaning differs between Python,
# the Rust engine of pydantic and the ECMA-262 engines of the schema's readers).
HOUSEHOLD_NUMBER = r"^[0-9]{7}$"
SLUG = r"^[a-z0-9-]{1,40}$"
PHONE = r"^[0-9 +().-]{0,20}$"
EMAIL_PART = r"[A-Za-z0-9_%+-]+"
EMAIL = (
    rf"^({EMAIL_PART}(\.{EMAIL_PART})*@([A-Za-z0-9]([A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63})?$"
)
IDEMPOTENCY_KEY = r"^[!-~]{1,255}$"
_DAY = r"20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
DAY = rf"^{_DAY}$"
# Years 2000-2099 and an explicit offset: no instant a partner sends can overflow a conversion.
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
INSTANT = rf"^{_DAY}T{_TIME}(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$"
MAX_ID = 2**63 - 1


def _matching(pattern: str):
    compiled = re.compile(pattern)

    def check(value):
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise ValueError("format refusé")
        return value

    return check


Day = Annotated[
    dt.date,
    BeforeValidator(_matching(DAY)),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY}),
]
Instant = Annotated[
    dt.datetime,
    BeforeValidator(_matching(INSTANT)),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": INSTANT,
            "description": "Date et heure ISO 8601 avec décalage horaire (2000 à 2099), "
            "ex. 2023-01-03T09:00:00+01:00",
        }
    ),
]


DESCRIPTION = """API des partenaires de la Caf de la Vienne (Espaces France Services, points relais
Caf) : créneaux libres ; prise, liste, consultation et annulation des rendez-vous des foyers qui
ont donné mandat à votre organisation (dans Mon dossier, ou sur papier auprès de la Caf).

Authentification : `Authorization: Bearer <jeton>` (jeton délivré par la Caf, à durée limitée).
Toute erreur est un JSON `{"code": …, "message": "<français>"}` :
400 requête non conforme à ce schéma ; 401 jeton absent, inconnu, expiré ou révoqué ; 403 compte
non rattaché à une organisation ; 404 motif, lieu ou rendez-vous inconnu — ou foyer inconnu ou sans
mandat en cours pour votre organisation (réponse identique dans les deux cas) ; 405 méthode non
permise ; 422 refus métier (créneau pris, annulation trop tardive…) ou clé d'idempotence déjà
utilisée pour une autre requête ; 429 trop de requêtes (en-tête `Retry-After`)."""


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token, its partner account and that account's organisation."""

    token: ApiToken
    user: User
    partner: Partner


class NoOrganisation(Exception):
    """A valid token whose partner account is linked to no organisation."""


class _RateFromSettings(SimpleRateThrottle):
    """A ninja rate throttle whose rate (`JUSTEDROIT_API_RATES[scope]`) is read on each request."""

    def __init__(self):  # the rate is read per request, not once
        pass

    def allow_request(self, request) -> bool:
        self.rate = settings.JUSTEDROIT_API_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class PerToken(_RateFromSettings):
    scope = "token"

    def get_cache_key(self, request):
        caller = getattr(request, "auth", None)
        return None if caller is None else f"jd_api_token_{caller.token.pk}"


class PerAddress(_RateFromSettings):
    """Counts every request from an address, authenticated or not (guessing tokens included)."""

    scope = "address"

    def get_cache_key(self, request):
        return f"jd_api_address_{client_ip(request)}"


per_address = PerAddress()


class PartnerToken(HttpBearer):
    def __call__(self, request):
        if not per_address.allow_request(request):
            raise Throttled(wait=per_address.wait())
        return super().__call__(request)

    def authenticate(self, request, token):
        if len(token) > 200:
            return None
        api_token = core.api_token_use(secret=token)
        if api_token is None or not perms.can_book_for_claimant(api_token.user):
            return None
        partner = outreach_selectors.partner_of(api_token.user)
        if partner is None:
            raise NoOrganisation
        request.user = api_token.user
        return Caller(api_token, api_token.user, partner)


api = NinjaAPI(
    urls_namespace="api",
    version="1",
    title="Juste Droit — Caf de la Vienne",
    description=DESCRIPTION,
    auth=PartnerToken(),
    throttle=[PerToken()],
)


class Error(Schema):
    code: str
    message: str


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error, 429: Error}


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
        ..., description="Code du motif", pattern=SLUG, examples=["dossier-sur-place"]
    )
    site: str | None = Field(
        None, description="Identifiant du lieu", pattern=SLUG, examples=["poitiers"]
    )
    channel: Channel | None = None
    date_from: Day | None = None
    date_to: Day | None = None
    need: ResourceKind | None = Field(None, description="Besoin d'accessibilité")


class BookIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "household_number": "7654321",
                    "type": "dossier-sur-place",
                    "site": "poitiers",
                    "starts_at": "2023-01-03T09:00:00+01:00",
                    "need": "lsf",
                    "contact_phone": "06 12 34 56 78",
                    "contact_email": "lea.martin@example.org",
                }
            ]
        },
    )

    household_number: str = Field(..., pattern=HOUSEHOLD_NUMBER)
    type: str = Field(..., pattern=SLUG)
    site: str = Field(..., pattern=SLUG)
    starts_at: Instant
    need: ResourceKind | None = None
    contact_phone: str = Field("", pattern=PHONE, description="Numéro pour les SMS")
    contact_email: str = Field("", max_length=254, pattern=EMAIL)


class AppointmentQuery(Schema):
    status: AppointmentStatus | None = None
    household_number: str | None = Field(None, pattern=HOUSEHOLD_NUMBER)
    date_from: Day | None = None
    date_to: Day | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class AppointmentOut(Schema):
    id: int
    household_number: str
    type: str
    channel: Channel
    site: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: AppointmentStatus
    need: ResourceKind | None
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
            starts_at=a.starts_at.astimezone(clock.PARIS),
            ends_at=a.ends_at.astimezone(clock.PARIS),
            status=a.status,
            need=a.accessibility_need or None,
            meeting_url=a.meeting_url,
            booked_via=a.booked_via,
        )


class AppointmentPage(Schema):
    count: int = Field(..., description="Nombre total de rendez-vous répondant aux filtres")
    limit: int
    offset: int
    items: list[AppointmentOut]


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


@api.exception_handler(outreach.NotFoundOrNoMandate)
def not_found_or_no_mandate(request, exc):
    return _error(404, "not_found", " ".join(exc.messages))


@api.exception_handler(core.IdempotencyKeyReused)
def idempotency_key_reused(request, exc):
    return _error(422, "idempotency_key_reused", " ".join(exc.messages))


@api.exception_handler(ValidationError)
def refused(request, exc):
    return _error(422, "refused", " ".join(exc.messages))


@api.exception_handler(NinjaValidationError)
def schema_error(request, exc):
    fields = sorted({".".join(str(p) for p in e.get("loc", [])[1:]) for e in exc.errors} - {""})
    where = ", ".join(fields) if fields else "corps de la requête"
    return _error(
        400,
        "invalid_request",
        f"Requête invalide ({where}) : valeur absente, de mauvais format ou hors des bornes "
        "du schéma OpenAPI (/api/v1/openapi.json).",
    )


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return _error(401, "unauthenticated", "Jeton d'API manquant, invalide, expiré ou révoqué.")


@api.exception_handler(NoOrganisation)
def no_organisation(request, exc):
    return _error(
        403, "forbidden", "Ce compte partenaire n'est rattaché à aucune organisation partenaire."
    )


@api.exception_handler(Throttled)
def throttled(request, exc):
    wait = math.ceil(exc.wait) if exc.wait else 60
    response = _error(429, "throttled", f"Trop de requêtes : réessayez dans {wait} s.")
    response["Retry-After"] = str(wait)
    return response


@api.exception_handler(HttpError)
def http_error(request, exc):
    if exc.status_code == 400:
        return _error(400, "invalid_request", "Corps de requête illisible : JSON UTF-8 attendu.")
    return _error(exc.status_code, "refused", "Requête refusée.")


@api.exception_handler(Exception)
def server_error(request, exc):
    logger.exception("Erreur interne de l'API", exc_info=exc)
    return _error(500, "server_error", "Erreur interne : l'incident est enregistré.")


def _only_known_parameters(request, schema: type[Schema] | None = None) -> None:
    """A query parameter the schema does not name (unknown, misspelt, empty) is refused, not
    silently ignored: the published schema closes the query (schemathesis checks it)."""
    known = set(schema.model_fields) if schema is not None else set()
    unknown = sorted(set(request.GET) - known)
    if unknown:
        raise NinjaValidationError(
            [{"loc": ["query", name], "msg": "paramètre inconnu"} for name in unknown]
        )


def _unknown(what: str, value: str) -> Status:
    return Status(404, {"code": f"unknown_{what}", "message": f"Inconnu : « {value} »."})


@api.get("/slots", response={200: list[SlotOut], **ERRORS}, summary="Créneaux libres")
def slots(request, filters: Query[SlotQuery]):
    _only_known_parameters(request, SlotQuery)
    kind = selectors.appointment_type_by_code(filters.type)
    if kind is None or not kind.partner_may_book:
        return _unknown("type", filters.type)
    if filters.channel and filters.channel != kind.channel:
        return Status(200, [])
    site = None
    if filters.site:
        site = selectors.site_by_slug(filters.site)
        if site is None:
            return _unknown("site", filters.site)
    first = filters.date_from or dt.date(2000, 1, 1)
    last = filters.date_to or dt.date(2099, 12, 31)
    if last < first:
        raise ValidationError("La date de fin précède la date de début.")
    found = selectors.free_slots(
        appointment_type=kind,
        first_day=first,
        last_day=last,
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


def _fingerprint(body: Schema) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@api.post(
    "/appointments",
    response={201: AppointmentOut, **ERRORS},
    summary="Réserver un rendez-vous pour un foyer qui a donné mandat",
    description="Avec l'en-tête `Idempotency-Key`, une requête répétée (même clé, même corps, "
    "pendant 24 h) renvoie le même rendez-vous et le même statut au lieu d'en réserver un autre ; "
    "la même clé avec un autre corps est refusée (422).",
)
def book(
    request,
    body: BookIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            pattern=IDEMPOTENCY_KEY,
            description="Clé choisie par le partenaire, unique par réservation (ex. un UUID)",
        ),
    ] = None,
):
    kind = selectors.appointment_type_by_code(body.type)
    if kind is None:
        return _unknown("type", body.type)
    site = selectors.site_by_slug(body.site)
    if site is None:
        return _unknown("site", body.site)

    def respond() -> tuple[int, dict]:
        appointment = outreach.partner_appointment_book(
            partner=request.auth.partner,
            household_number=body.household_number,
            appointment_type=kind,
            site=site,
            starts_at=body.starts_at,
            accessibility_need=body.need or "",
            contact_phone=body.contact_phone,
            contact_email=body.contact_email,
            acting_user=request.auth.user,
        )
        return 201, AppointmentOut.of(appointment).model_dump(mode="json")

    if idempotency_key is None:
        return Status(*respond())
    return Status(
        *core.idempotent_response(
            token=request.auth.token,
            key=idempotency_key,
            fingerprint=_fingerprint(body),
            respond=respond,
        )
    )


@api.get(
    "/appointments",
    response={200: AppointmentPage, **ERRORS},
    summary="Les rendez-vous réservés par votre organisation (foyers sous mandat en cours)",
)
def appointments(request, filters: Query[AppointmentQuery]):
    _only_known_parameters(request, AppointmentQuery)
    page, count = outreach_selectors.partner_appointments_page(
        request.auth.partner,
        offset=filters.offset,
        limit=filters.limit,
        status=filters.status or "",
        household_number=filters.household_number or "",
        first_day=filters.date_from,
        last_day=filters.date_to,
    )
    outreach.partner_reads_record(
        partner=request.auth.partner, appointments=page, acting_user=request.auth.user
    )
    return Status(
        200,
        AppointmentPage(
            count=count,
            limit=filters.limit,
            offset=filters.offset,
            items=[AppointmentOut.of(a) for a in page],
        ),
    )


AppointmentId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _partner_appointment(request, appointment_id: int) -> Appointment:
    appointment = outreach_selectors.partner_appointment(request.auth.partner, appointment_id)
    if appointment is None:
        raise outreach.NotFoundOrNoMandate("Rendez-vous inconnu pour votre organisation.")
    return appointment


@api.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **ERRORS},
    summary="Un rendez-vous réservé par votre organisation",
)
def appointment(request, appointment_id: AppointmentId):
    _only_known_parameters(request)
    found = _partner_appointment(request, appointment_id)
    outreach.partner_reads_record(
        partner=request.auth.partner, appointments=[found], acting_user=request.auth.user
    )
    return Status(200, AppointmentOut.of(found))


@api.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **ERRORS},
    summary="Annuler un rendez-vous réservé par votre organisation",
)
def cancel(request, appointment_id: AppointmentId):
    cancelled = outreach.partner_appointment_cancel(
        partner=request.auth.partner, appointment_id=appointment_id, acting_user=request.auth.user
    )
    return Status(200, AppointmentOut.of(cancelled))


def _json_errors(view):
    """ninja answers a wrong method with a bare 405, and its root path raises Django's 404: give
    them the API's JSON error body."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return unknown_path(request)
        if response.status_code != 405:
            return response
        refused = _error(405, "method_not_allowed", f"Méthode {request.method} non permise ici.")
        refused["Allow"] = response["Allow"]
        return refused

    return wrapped


def unknown_path(request, path=""):
    return _error(404, "not_found", "Adresse inconnue dans l'API (voir /api/v1/openapi.json).")


unknown_path.csrf_exempt = True  # a POST to an unknown path gets the JSON 404, not a CSRF page


def urls():
    """`api.urls` with JSON 405s, a JSON 404 for any other path under /api/v1/, and each view
    marked as token-authenticated (not session-gated)."""
    patterns, app_name, namespace = api.urls
    patterns = list(patterns)
    for pattern in patterns:
        pattern.callback = _json_errors(pattern.callback)
    patterns.append(re_path(r"^(?P<path>.+)$", unknown_path, name="unknown"))
    for pattern in patterns:
        pattern.callback.permission = None
    return patterns, app_name, namespace

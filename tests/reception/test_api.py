"""The partner API: mandates, identical answers for unknown and not allowed, tokens, throttling,
idempotency, JSON errors everywhere, and a published schema that says exactly what is accepted."""

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from justedroit.core import clock
from justedroit.core import services as core
from justedroit.core.models import ApiIdempotencyKey, ApiToken, AuditEvent
from justedroit.core.roles import Role
from justedroit.outreach import services as outreach
from justedroit.reception import services
from justedroit.reception.models import Appointment
from tests.reception.conftest import TUESDAY, at

pytestmark = pytest.mark.django_db

JSON = "application/json"
# Business refusals (422) are answers to well-formed requests; a request the schema allows is
# never refused as malformed (400).
CONTRACT = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
            }
        }
    }
)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONTRACT
)


@pytest.fixture
def keep_db_connection():
    """Like Django's test client: the WSGI app must not close the test's connection per request
    (inside the test transaction, Django would close it on `request_finished`)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(partner_user):
    return core.api_token_create(user=partner_user, acting_user=None, label="tests").secret


@pytest.fixture
def auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def body(**changes):
    return {
        "household_number": "7654321",
        "type": "dossier-sur-place",
        "site": "poitiers",
        "starts_at": at(TUESDAY, 9).isoformat(),
        "need": "lsf",
    } | changes


def post(client, auth, data, **headers):
    return client.post("/api/v1/appointments", data, content_type=JSON, **auth, **headers)


def test_api_search_book_list_read_cancel(client, auth, mandate, tuesday_morning):
    found = client.get(
        "/api/v1/slots",
        {
            "type": "dossier-sur-place",
            "site": "poitiers",
            "need": "lsf",
            "date_from": "2023-01-03",
            "date_to": "2023-01-03",
        },
        **auth,
    )
    assert found.status_code == 200 and found.json()[0]["starts_at"] == "2023-01-03T09:00:00+01:00"
    booked = post(client, auth, body())
    assert booked.status_code == 201 and booked.json()["booked_via"] == "partner"
    appointment_id = booked.json()["id"]
    twice = post(client, auth, body())
    assert twice.status_code == 422 and twice.json()["code"] == "refused"
    assert "déjà réservé" in twice.json()["message"]

    listed = client.get("/api/v1/appointments", {"date_from": "2023-01-01"}, **auth)
    assert listed.json()["count"] == 1 and listed.json()["items"][0]["id"] == appointment_id
    read = client.get(f"/api/v1/appointments/{appointment_id}", **auth)
    assert read.json() == booked.json()
    assert AuditEvent.objects.filter(action="view", household_number="7654321").count() == 2

    cancelled = client.post(f"/api/v1/appointments/{appointment_id}/cancel", **auth)
    assert cancelled.json()["status"] == "excused"
    assert Appointment.objects.get().partner_organisation == "Espace France Services de Civray"
    filtered = client.get("/api/v1/appointments", {"status": "booked"}, **auth)
    assert filtered.json() == {"count": 0, "limit": 50, "offset": 0, "items": []}


def test_unknown_household_and_household_without_mandate_get_the_same_answer(
    client, auth, household, tuesday_morning, agent
):
    """No mandate: the partner cannot tell an existing household from an unknown number, nor
    whether it already has an appointment at that time."""
    services.appointment_book(
        household=household,
        appointment_type=tuesday_morning.types.get(code="dossier-sur-place"),
        site=tuesday_morning.site,
        starts_at=at(TUESDAY, 9),
        booked_via="agent",
        acting_user=agent,
    )
    before = (Appointment.objects.count(), AuditEvent.objects.count())
    answers = [
        post(client, auth, body(household_number=number, need=None, starts_at=start))
        for number in ("7654321", "9999999")
        for start in (at(TUESDAY, 9).isoformat(), at(TUESDAY, 10).isoformat())
    ]
    assert {(a.status_code, a.content) for a in answers} == {
        (404, answers[0].content)  # one and the same answer, byte for byte
    }
    assert answers[0].json()["code"] == "not_found"
    assert (Appointment.objects.count(), AuditEvent.objects.count()) == before
    listings = [
        client.get("/api/v1/appointments", {"household_number": n}, **auth).content
        for n in ("7654321", "9999999")
    ]
    assert listings[0] == listings[1]
    own = Appointment.objects.get()
    assert client.get(f"/api/v1/appointments/{own.pk}", **auth).json()["code"] == "not_found"
    assert client.post(f"/api/v1/appointments/{own.pk}/cancel", **auth).status_code == 404
    assert Appointment.objects.get().status == "booked"


def test_a_withdrawn_mandate_closes_everything(client, auth, mandate, tuesday_morning, agent):
    booked = post(client, auth, body()).json()
    outreach.mandate_revoke(mandate=mandate, acting_user=agent)
    assert client.get("/api/v1/appointments", **auth).json()["count"] == 0
    assert client.get(f"/api/v1/appointments/{booked['id']}", **auth).status_code == 404
    assert client.post(f"/api/v1/appointments/{booked['id']}/cancel", **auth).status_code == 404
    assert post(client, auth, body(starts_at=at(TUESDAY, 10).isoformat())).status_code == 404
    assert Appointment.objects.get().status == "booked"


def test_an_expired_mandate_is_no_mandate(client, auth, mandate, tuesday_morning):
    assert client.get("/api/v1/appointments", **auth).status_code == 200
    with clock.frozen(dt.datetime(2023, 12, 31, 0, 0)):  # the day after its last day
        assert post(client, auth, body(starts_at=at(TUESDAY, 9).isoformat())).status_code == 404
    assert not Appointment.objects.exists()


def test_tokens_expire_are_revoked_record_their_last_use_and_are_stored_hashed(
    client, partner_user, make_user
):
    issued = core.api_token_create(user=partner_user, acting_user=None, valid_days=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}
    assert client.get("/api/v1/appointments", **auth).status_code == 200
    stored = ApiToken.objects.get()
    assert stored.last_used_at == clock.now()
    assert issued.secret not in str(list(ApiToken.objects.values_list()))
    with clock.frozen(dt.datetime(2023, 1, 31, 10, 0)):  # 31 days later
        expired = client.get("/api/v1/appointments", **auth)
    assert expired.status_code == 401 and "expiré" in expired.json()["message"]
    core.api_token_revoke(token=stored, acting_user=make_user(Role.MANAGER))
    assert client.get("/api/v1/appointments", **auth).status_code == 401
    with pytest.raises(Exception, match="partenaires"):
        core.api_token_create(user=make_user(Role.CLAIMANT), acting_user=None)


def test_a_partner_account_linked_to_no_organisation_is_forbidden(client, make_user):
    loose = make_user(Role.PARTNER_RELAY, username="relais-sans-organisation")
    secret = core.api_token_create(user=loose, acting_user=None).secret
    response = client.get("/api/v1/appointments", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_missing_or_bad_tokens_are_refused_in_french(client):
    response = client.get("/api/v1/slots", {"type": "dossier-sur-place"})
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    bad = client.get("/api/v1/slots", {"type": "x"}, HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 401 and "Jeton" in bad.json()["message"]


def test_throttled_per_token_with_a_json_429_in_french(client, auth, partner_user, settings):
    settings.JUSTEDROIT_API_RATES = {"token": "3/min", "address": "1000/min"}
    statuses = [client.get("/api/v1/appointments", **auth).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/appointments", **auth)
    assert refused.json()["code"] == "throttled" and "réessayez" in refused.json()["message"]
    assert int(refused["Retry-After"]) >= 1
    other = core.api_token_create(user=partner_user, acting_user=None).secret
    assert (
        client.get("/api/v1/appointments", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200
    )


def test_throttled_per_address_even_before_authentication(client, settings):
    """Guessing tokens from one address is throttled like any other request."""
    settings.JUSTEDROIT_API_RATES = {"token": "1000/min", "address": "5/min"}
    guesses = [
        client.get("/api/v1/slots", HTTP_AUTHORIZATION=f"Bearer guess{n}").status_code
        for n in range(7)
    ]
    assert guesses == [401] * 5 + [429] * 2
    elsewhere = client.get("/api/v1/slots", REMOTE_ADDR="192.0.2.7")
    assert elsewhere.status_code == 401


def test_a_retried_booking_with_the_same_idempotency_key_returns_the_same_appointment(
    client, auth, mandate, tuesday_morning, partner_user
):
    key = {"HTTP_IDEMPOTENCY_KEY": "5f0c1a9e-reservation-1"}
    first = post(client, auth, body(), **key)
    retried = post(client, auth, body(), **key)
    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json()
    assert Appointment.objects.count() == 1

    other_body = post(client, auth, body(starts_at=at(TUESDAY, 10).isoformat()), **key)
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"
    assert Appointment.objects.count() == 1

    # Keys are per token: another token's same key is another request (here refused: the
    # household already has this appointment).
    other = core.api_token_create(user=partner_user, acting_user=None).secret
    again = post(client, {"HTTP_AUTHORIZATION": f"Bearer {other}"}, body(), **key)
    assert again.status_code == 422 and again.json()["code"] == "refused"

    # Kept 24 hours.
    assert ApiIdempotencyKey.objects.get().expires_at == clock.now() + dt.timedelta(hours=24)


def test_a_refused_request_leaves_no_key_so_that_it_can_be_retried(
    client, auth, mandate, tuesday_morning, household
):
    key = {"HTTP_IDEMPOTENCY_KEY": "essai-2"}
    busy = services.appointment_book(
        household=household,
        appointment_type=tuesday_morning.types.get(code="dossier-sur-place"),
        site=tuesday_morning.site,
        starts_at=at(TUESDAY, 9),
        booked_via="agent",
        acting_user=None,
    )
    assert post(client, auth, body(), **key).status_code == 422
    assert not ApiIdempotencyKey.objects.exists()
    services.appointment_cancel(appointment=busy, by_caf=True, acting_user=None)
    assert post(client, auth, body(), **key).status_code == 201


def test_an_expired_idempotency_key_is_forgotten(client, auth, mandate, tuesday_morning):
    key = {"HTTP_IDEMPOTENCY_KEY": "essai-3"}
    first = post(client, auth, body(), **key).json()
    client.post(f"/api/v1/appointments/{first['id']}/cancel", **auth)
    with clock.frozen(dt.datetime(2022, 12, 31, 10, 0) + dt.timedelta(hours=25)):
        fresh = post(client, auth, body(), **key)
    assert fresh.status_code == 201 and fresh.json()["id"] != first["id"]
    assert ApiIdempotencyKey.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/"),
        ("get", "/api/v1/nowhere"),
        ("post", "/api/v1/nowhere/at/all"),
        ("get", "/api/v1/appointments/1/cancel"),
        ("delete", "/api/v1/appointments"),
        ("put", "/api/v1/slots"),
    ],
)
def test_every_error_under_the_api_is_the_json_error_body(client, auth, method, path):
    response = getattr(client, method)(path, **auth)
    assert response.status_code in (404, 405)
    assert response["Content-Type"].startswith(JSON)
    assert set(response.json()) == {"code", "message"}
    if response.status_code == 405:
        assert response.json()["code"] == "method_not_allowed" and "Allow" in response


@pytest.mark.parametrize(
    "bad",
    [
        {"starts_at": "9999-12-31T23:59:59+01:00"},
        {"starts_at": "9999-12-31T23:59:59-14:00"},
        {"starts_at": "0001-01-01T00:00:00+01:00"},
        {"starts_at": "2023-01-03T09:00:00"},  # no offset: which 9 o'clock?
        {"starts_at": "2023-02-30T09:00:00+01:00"},
        {"starts_at": 1672732800},
        {"type": "dossier\x00sur-place"},
        {"household_number": "765432\x00"},
        {"contact_email": "lea@example.org\x00"},
        {"contact_email": "lea@exa\u0085mple.org"},
        {"contact_phone": "06 12\x00"},
        {"surprise": "champ inconnu"},
    ],
)
def test_extreme_or_hostile_values_get_a_400_in_french_and_write_nothing(
    client, auth, mandate, tuesday_morning, bad
):
    response = post(client, auth, body() | bad)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_request"
    assert response.json()["message"].startswith("Requête invalide")
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("path", "params", "headers"),
    [
        ("/api/v1/slots", {"type": "dossier-sur-place", "date_from": "0001-01-01"}, {}),
        ("/api/v1/slots", {"type": "dossier-sur-place", "date_to": "9999-12-31"}, {}),
        ("/api/v1/slots", {"type": "dossier\x00"}, {}),
        ("/api/v1/appointments", {"date_to": "9999-12-31"}, {}),
        ("/api/v1/appointments", {"household_number": "\x00"}, {}),
        ("/api/v1/appointments", {"offset": str(10**30)}, {}),
        ("/api/v1/appointments/99999999999999999999999", {}, {}),
        ("/api/v1/appointments/1%00", {}, {}),
        # A parameter the schema does not name (empty or unknown) is refused, not ignored.
        ("/api/v1/appointments", {"": "0.0"}, {}),
        ("/api/v1/appointments", {"statut": "booked"}, {}),
        ("/api/v1/slots", {"type": "dossier-sur-place", "lieu": "poitiers"}, {}),
    ],
)
def test_extreme_or_hostile_queries_get_a_400_in_french(client, auth, path, params, headers):
    response = client.get(path, params, **auth, **headers)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_request"


def test_a_nul_byte_in_the_idempotency_key_or_a_broken_body_gets_a_400(client, auth, mandate):
    nul_key = post(client, auth, body(), HTTP_IDEMPOTENCY_KEY="cle\x00")
    broken = client.post("/api/v1/appointments", b"{\x00", content_type=JSON, **auth)
    assert (nul_key.status_code, broken.status_code) == (400, 400)
    assert "illisible" in broken.json()["message"]
    assert not Appointment.objects.exists()


def test_openapi_schema_is_versioned_and_lists_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["version"] == "1"
    assert set(document["paths"]) == {
        "/api/v1/slots",
        "/api/v1/appointments",
        "/api/v1/appointments/{appointment_id}",
        "/api/v1/appointments/{appointment_id}/cancel",
    }


STRING_FIELDS = ["household_number", "type", "site", "starts_at", "contact_phone", "contact_email"]


@pytest.mark.parametrize("name", STRING_FIELDS)
def test_the_published_schema_accepts_exactly_what_the_server_accepts(name):
    """For any string, the published field schema (read as a client would, ECMA-262 patterns,
    formats asserted) and the server agree: accepted by one iff accepted by the other."""
    import jsonschema_rs

    from justedroit.api import BookIn, api

    published = api.get_openapi_schema()["components"]["schemas"]["BookIn"]["properties"][name]
    client_side = jsonschema_rs.validator_for(published, validate_formats=True)
    pattern = published["pattern"]
    valid = body(starts_at="2023-01-03T09:00:00+01:00")

    def server_accepts(value: str) -> bool:
        try:
            BookIn.model_validate(valid | {name: value})
        except ValueError:
            return False
        return True

    # Where Python's, Rust's (pydantic) and ECMA-262's regular expressions part ways: a trailing
    # newline (Python's `$`), U+0085 and U+FEFF (whitespace for some engines and not others).
    @example("7654321\n")
    @example("lea@example.org\n")
    @example("a\x85@b.fr")
    @example("\ufeff")
    @given(st.one_of(st.text(), st.from_regex(pattern.replace("$", r"\Z"), fullmatch=True)))
    def agree(value):
        assert client_side.is_valid(value) == server_accepts(value), repr(value)

    agree()


@schema.parametrize()
@hypothesis_settings(
    max_examples=max(25, hypothesis_settings.default.max_examples // 4),
    suppress_health_check=list(HealthCheck),
)
def test_every_endpoint_conforms_to_its_schema(
    case, keep_db_connection, token, mandate, tuesday_morning, settings
):
    """Every operation, authenticated: no 5xx, responses as documented, a request the schema
    allows never refused as malformed."""
    settings.JUSTEDROIT_API_RATES = {"token": "100000/min", "address": "100000/min"}
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

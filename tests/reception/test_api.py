import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from justedroit.core.roles import Role
from justedroit.reception import services
from justedroit.reception.models import Appointment
from tests.reception.conftest import TUESDAY, at

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


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
def token(make_user):
    partner = make_user(Role.PARTNER_EFS, organisation="Espace France Services de Civray")
    return services.api_token_create(user=partner, acting_user=None)


def test_api_search_book_cancel(client, token, household, tuesday_morning):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
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
    body = {
        "household_number": "7654321",
        "type": "dossier-sur-place",
        "site": "poitiers",
        "starts_at": at(TUESDAY, 9).isoformat(),
        "need": "lsf",
    }
    booked = client.post("/api/v1/appointments", body, content_type="application/json", **auth)
    assert booked.status_code == 201 and booked.json()["booked_via"] == "partner"
    twice = client.post("/api/v1/appointments", body, content_type="application/json", **auth)
    assert twice.status_code == 400 and twice.json()["code"] == "invalid"
    assert "disponible" in twice.json()["message"] or "déjà" in twice.json()["message"]
    unknown = client.post(
        "/api/v1/appointments",
        {**body, "household_number": "9999999"},
        content_type="application/json",
        **auth,
    )
    assert unknown.json() == {
        "code": "invalid",
        "message": "Foyer inconnu : vérifiez le numéro allocataire.",
    }
    cancelled = client.post(f"/api/v1/appointments/{booked.json()['id']}/cancel", **auth)
    assert cancelled.json()["status"] == "excused"
    assert Appointment.objects.get().partner_organisation == "Espace France Services de Civray"


def test_api_refuses_missing_or_bad_tokens_in_french(client, make_user):
    response = client.get("/api/v1/slots", {"type": "dossier-sur-place"})
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    claimant = make_user(Role.CLAIMANT)
    with pytest.raises(Exception, match="partenaires"):
        services.api_token_create(user=claimant, acting_user=None)
    bad = client.get("/api/v1/slots", {"type": "x"}, HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 401 and "Jeton" in bad.json()["message"]


def test_openapi_schema_is_versioned(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["version"] == "1"
    assert {"/api/v1/slots", "/api/v1/appointments"} <= set(document["paths"])


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, keep_db_connection, token, tuesday_morning, household):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

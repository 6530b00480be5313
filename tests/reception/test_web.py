import pytest
from django.urls import reverse

from justedroit.core.roles import Role
from justedroit.reception.models import Appointment, Ticket
from justedroit.registry.models import HouseholdAccount
from tests.reception.conftest import TUESDAY, at

pytestmark = pytest.mark.django_db
R = Role
DESK = {R.RECEPTION, R.CASE_WORKER, R.MANAGER, R.ADMINISTRATOR}
# The reception URLs × roles that get a 200 (to merge into tests/test_roles_and_audit.py).
ALLOWED = {
    "reception:sites": DESK,
    "reception:site_day": DESK,
    "reception:book": DESK,
    "reception:unmarked": DESK,
    "reception:calls": DESK,
    "reception:planning": {R.MANAGER, R.ADMINISTRATOR},
    "reception:planning_slots": {R.MANAGER, R.ADMINISTRATOR},
    "reception:planning_absences": {R.MANAGER, R.ADMINISTRATOR},
    "reception:planning_closures": {R.MANAGER, R.ADMINISTRATOR},
    "reception:planning_permanences": {R.MANAGER, R.ADMINISTRATOR},
    "reception:planning_hours": {R.MANAGER, R.ADMINISTRATOR},
    "portal:reception_book": {R.CLAIMANT},
    "portal:partner_book": {R.PARTNER_EFS, R.PARTNER_RELAY},
    "portal:reception_appointments": {R.CLAIMANT},
}
ARGS = {"reception:site_day": ["poitiers"], "reception:calls": ["poitiers"]}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_reception_urls_for_every_role(client, make_user, household, role, name):
    user = make_user(role)
    if role == Role.CLAIMANT:
        HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    response = client.get(reverse(name, args=ARGS.get(name, [])))
    assert response.status_code == (200 if role in ALLOWED[name] else 403)


def test_claimant_books_a_hearing_impaired_slot_without_javascript(
    client, make_user, household, tuesday_morning
):
    user = make_user(Role.CLAIMANT)
    HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    page = client.get(
        reverse("portal:reception_book"),
        {"type": "dossier-sur-place", "site": "poitiers", "need": "lsf"},
    )
    html = page.content.decode()
    assert "<script" not in html and 'aria-label="mardi 3 janvier à 09:00, Caf de Poitiers"' in html
    assert "Numéro allocataire ou attestation" in html  # the checklist of documents
    response = client.post(
        reverse("portal:reception_confirm"),
        {
            "type": "dossier-sur-place",
            "site": "poitiers",
            "starts_at": at(TUESDAY, 9).isoformat(),
            "need": "lsf",
            "contact_phone": "",
            "contact_email": "",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.booked_via, appointment.accessibility_need) == ("claimant", "lsf")
    assert appointment.resource.kind == "lsf"
    mine = client.get(reverse("portal:reception_appointments")).content.decode()
    assert "Entretien sur votre dossier" in mine


def test_claimant_cannot_book_an_agent_only_motif(client, make_user, household, tuesday_morning):
    user = make_user(Role.CLAIMANT)
    HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    response = client.post(
        reverse("portal:reception_confirm"),
        {"type": "dette-indu", "site": "poitiers", "starts_at": at(TUESDAY, 9).isoformat()},
    )
    assert response.status_code == 400 and not Appointment.objects.exists()


def test_agent_serves_the_day_queue_from_the_day_screen(client, make_user, household):
    client.force_login(make_user(Role.RECEPTION))
    url = reverse("reception:site_day", args=["poitiers"])
    client.post(
        url, {"action": "issue", "queue": "reception", "reason": "payment", "household": "7654321"}
    )
    client.post(url, {"action": "call_next", "queue": "reception"})
    ticket = Ticket.objects.get()
    client.post(url, {"action": "serve", "id": ticket.id})
    client.post(url, {"action": "close", "id": ticket.id, "outcome": "resolved"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.outcome, ticket.household.number) == (
        "done",
        "resolved",
        "7654321",
    )
    bad = client.post(
        url,
        {"action": "issue", "queue": "reception", "reason": "payment", "household": "0000000"},
        follow=True,
    )
    assert "Foyer inconnu" in bad.content.decode() and Ticket.objects.count() == 1
    page = client.get(url).content.decode()
    assert "1 visite terminée" in page and "Rendez-vous du jour" in page


def test_agent_books_for_a_household_and_sees_unmarked(client, agent, household, tuesday_morning):
    client.force_login(agent)
    response = client.post(
        reverse("reception:book"),
        {
            "type": "dossier-sur-place",
            "site": "poitiers",
            "starts_at": at(TUESDAY, 10).isoformat(),
            "household": "7654321",
        },
    )
    assert response.status_code == 302
    assert Appointment.objects.get().booked_by == agent
    unknown = client.post(
        reverse("reception:book"),
        {
            "type": "dossier-sur-place",
            "site": "poitiers",
            "starts_at": at(TUESDAY, 11).isoformat(),
            "household": "9999999",
        },
    )
    assert "Foyer inconnu" in unknown.content.decode() and Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("type", "motif-disparu", "Motif inconnu"), ("site", "lieu-disparu", "Lieu inconnu")],
)
def test_agent_booking_with_an_unknown_choice_is_a_french_400(
    client, agent, household, tuesday_morning, field, value, message
):
    """A motif or place that no longer (or never) exists: a form error, never a server error."""
    client.force_login(agent)
    posted = {
        "type": "dossier-sur-place",
        "site": "poitiers",
        "starts_at": at(TUESDAY, 10).isoformat(),
        "household": "7654321",
    }
    response = client.post(reverse("reception:book"), posted | {field: value})
    assert response.status_code == 400
    assert message in response.content.decode() and not Appointment.objects.exists()

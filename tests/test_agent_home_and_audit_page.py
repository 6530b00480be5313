"""Issue 11, items 5 and 9: each role lands on a home page with its worklists and their counts;
the DPO's audit page speaks French (labels, not codes), filters by role and by missing reason,
and exports what it shows."""

import pytest
from django.urls import reverse

from justedroit.channels.services import calls
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(db):
    return HouseholdFactory(number="1234567")


@pytest.fixture
def callback(household):
    return calls.callback_request_create(
        phone="0549000000", reason="payment", household=household, acting_user=None
    )


def test_a_case_worker_lands_on_the_worklists_with_their_counts(client, make_user, callback):
    client.force_login(make_user(Role.CASE_WORKER))
    page = client.get(reverse("core:agent_home")).content.decode()
    assert "Mes files de travail" in page
    assert "Demandes de rappel" in page and "Mes rendez-vous à renseigner" in page
    assert "<strong>1</strong> en attente" in page
    assert "?rappels-affectation=moi#rappels" in page
    assert not AuditEvent.objects.filter(action="view").exists()  # counts only, no household


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.CONTROLLER, "Contrôles", "Demandes de rappel"),
        (Role.RECEPTION, "Demandes de rappel", "Contrôles"),
        (Role.DATA_PROTECTION_OFFICER, "Journal d&#x27;audit", "Mes files de travail"),
        (Role.DIRECTOR, "Indicateurs", "Rechercher un foyer"),
    ],
)
def test_each_role_lands_on_its_own_work(client, make_user, callback, role, shown, hidden):
    client.force_login(make_user(role))
    page = client.get(reverse("core:agent_home")).content.decode()
    assert shown in page and hidden not in page


@pytest.fixture
def trail(client, make_user, household):
    """A search without reason by a receptionist, a consultation with one by a case worker."""
    client.force_login(make_user(Role.RECEPTION, username="rita"))
    client.post(reverse("registry:household_search"), {"q": "Durand"})
    client.force_login(make_user(Role.CASE_WORKER, username="carl"))
    client.post(reverse("registry:consultation"), {"number": "1234567", "reason": "call"})
    client.get(reverse("registry:household_detail", args=["1234567"]))
    client.force_login(make_user(Role.DATA_PROTECTION_OFFICER))


def test_the_audit_page_shows_labels_not_codes(client, trail):
    page = client.get(reverse("core:audit_trail"), {"username": "rita"}).content.decode()
    assert "Accueil" in page and "Recherche" in page
    assert "recherche « Durand » ; 1 foyer trouvé" in page
    assert ">reception<" not in page and ">search<" not in page
    assert '<a href="?household_number=1234567"' in page


def test_the_dpo_filters_by_role_and_finds_consultations_without_a_reason(client, trail):
    by_role = client.get(reverse("core:audit_trail"), {"role": "case_worker"}).content.decode()
    assert "carl" in by_role and "rita" not in by_role
    with_reason = client.get(
        reverse("core:audit_trail"), {"role": "case_worker", "reason": "avec"}
    ).content.decode()
    assert "Appel de l&#x27;allocataire" in with_reason
    without = client.get(
        reverse("core:audit_trail"), {"action": "view", "reason": "sans", "username": "carl"}
    ).content.decode()
    assert "Aucun événement." in without


def test_the_export_keeps_the_filters_in_french(client, trail):
    response = client.get(reverse("core:audit_export"), {"role": "reception", "action": "search"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Détail" in text.splitlines()[0]
    assert "recherche « Durand »" in text and "carl" not in text
    export = AuditEvent.objects.filter(action="export").get()
    page = client.get(reverse("core:audit_trail"), {"action": "export"}).content.decode()
    assert export.detail["filters"] == {"role": "reception", "action": "search"}
    assert "1 ligne exportée ; filtres : action = Recherche, rôle = Accueil" in page


@pytest.mark.parametrize(
    "query", [{"role": "root"}, {"reason": "<b>"}, {"date_from": "32/13/2022"}]
)
def test_a_bad_audit_filter_is_a_french_400(client, trail, query):
    response = client.get(reverse("core:audit_trail"), query)
    assert response.status_code == 400
    assert "valide" in response.content.decode()

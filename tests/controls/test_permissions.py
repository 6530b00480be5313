"""The controls' URL × role matrix, the pages' audit rows, and the allocataire's answer by upload
from « Pièces et contrôles »."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from justedroit.controls.models import (
    Control,
    ControlKind,
    ControlOrigin,
    ControlStatus,
    EventKind,
    ReceivedDocument,
)
from justedroit.controls.services import control_open, document_request_send, findings_notify
from justedroit.core.models import AuditEvent
from justedroit.core.roles import AGENT_ROLES, Role
from justedroit.core.timeline import household_timeline
from justedroit.registry.models import HouseholdAccount
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
R = Role
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
READERS = {R.CONTROLLER, R.MANAGER}
ALLOWED = {
    "controls:worklist": READERS,
    "controls:control": READERS,
    "controls:visit_report": READERS,
    "controls:plan": {R.MANAGER, R.PROCESS_PILOT, R.DIRECTOR},
    "portal:controls_requests": {R.CLAIMANT},
    "controls:targeting": set(AGENT_ROLES),
    "controls:targeting_list": READERS,
    "controls:targeting_audit": {
        R.CONTROLLER,
        R.MANAGER,
        R.PROCESS_PILOT,
        R.DIRECTOR,
        R.DATA_PROTECTION_OFFICER,
    },
}


@pytest.fixture
def household(db):
    return HouseholdFactory(number="1234567")


@pytest.fixture
def on_site(household, make_user):
    control = control_open(
        household=household,
        kind=ControlKind.ON_SITE,
        origin=ControlOrigin.RANDOM_SAMPLE,
        acting_user=make_user(Role.CONTROLLER),
    )
    return control


def args(name, control):
    return [control.pk] if name in ("controls:control", "controls:visit_report") else []


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_every_control_url_for_every_role(client, make_user, household, on_site, role, name):
    user = make_user(role)
    if role == Role.CLAIMANT:
        HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    response = client.get(reverse(name, args=args(name, on_site)))
    assert response.status_code == (200 if role in ALLOWED[name] else 403)


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_anonymous_visitors_go_to_login(client, on_site, name):
    response = client.get(reverse(name, args=args(name, on_site)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_a_manager_reads_but_cannot_act_and_nothing_changes(client, make_user, on_site):
    client.force_login(make_user(Role.MANAGER))
    url = reverse("controls:control", args=[on_site.pk])
    response = client.post(url, {"action": "findings", "findings-findings": "x"})
    assert response.status_code == 403
    assert on_site.events.count() == 1


def test_the_worklist_filters_sorts_and_audits_what_it_shows(client, make_user, household, on_site):
    other = HouseholdFactory(number="7654321")
    control_open(
        household=other,
        kind=ControlKind.DOCUMENTS,
        origin=ControlOrigin.AGENT,
        acting_user=None,
    )
    client.force_login(make_user(Role.CONTROLLER))
    page = client.get(reverse("controls:worklist"), {"nature": "on_site", "tri": "-ouverture"})
    assert page.status_code == 200
    assert "1234567" in page.content.decode() and "7654321" not in page.content.decode()
    shown = AuditEvent.objects.filter(detail__page="Contrôles : liste de travail").get()
    assert list(shown.households.values_list("number", flat=True)) == ["1234567"]
    assert client.get(reverse("controls:worklist"), {"nature": "autre"}).status_code == 200


def test_a_controller_opens_a_control_and_its_history_is_on_the_household_page(
    client, make_user, household
):
    client.force_login(make_user(Role.CONTROLLER))
    response = client.post(
        reverse("controls:worklist"),
        {"number": "1234567", "kind": "documents", "reason": "signalement d'un gestionnaire"},
    )
    control = Control.objects.get()
    assert response.status_code == 302 and control.origin == ControlOrigin.AGENT
    entries = household_timeline(household.id, channel="contrôle")
    assert [e.title for e in entries] == [f"Contrôle sur pièces n° {control.pk} — Ouverture"]
    page = client.get(reverse("controls:control", args=[control.pk]))
    assert "signalement d&#x27;un gestionnaire" in page.content.decode()
    assert AuditEvent.objects.filter(
        household_number="1234567", detail__page="Dossier de contrôle"
    ).exists()


def test_the_allocataire_answers_a_request_by_upload_and_gives_observations(
    client, make_user, household, settings, tmp_path
):
    settings.CHANNELS_DOCUMENT_DIR = tmp_path / "documents"
    settings.CHANNELS_CLAMAV_SOCKET = ""
    settings.CHANNELS_VIRUS_SCANNER = "noop"
    control = control_open(
        household=household,
        kind=ControlKind.DOCUMENTS,
        origin=ControlOrigin.AGENT,
        acting_user=None,
    )
    request = document_request_send(
        control=control, documents=["payslip"], message="", deadline=None, acting_user=None
    )
    user = make_user(Role.CLAIMANT)
    HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    url = reverse("portal:controls_requests")
    page = client.get(url).content.decode()
    assert "Bulletin de salaire" in page and f"{request.deadline:%d/%m/%Y}" in page
    response = client.post(
        url,
        {
            "action": "piece",
            "piece-request": request.pk,
            "piece-kind": "payslip",
            "piece-file": SimpleUploadedFile("bulletin.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    received = ReceivedDocument.objects.get()
    assert received.request == request and received.document.household == household
    control.refresh_from_db()
    assert control.status == ControlStatus.DOCUMENTS_RECEIVED

    findings_notify(
        control=control, findings="Salaire non déclaré.", acting_user=make_user(Role.CONTROLLER)
    )
    assert "Salaire non déclaré." in client.get(url).content.decode()
    response = client.post(
        url,
        {"action": "observations", "observations-control": control.pk, "observations-text": "Oui."},
    )
    assert response.status_code == 302
    assert control.events.filter(kind=EventKind.RESPONSE_RECEIVED).exists()
    # Another household's control cannot be answered from this account.
    other = control_open(
        household=HouseholdFactory(number="7654321"),
        kind=ControlKind.DOCUMENTS,
        origin=ControlOrigin.AGENT,
        acting_user=None,
    )
    response = client.post(
        url,
        {"action": "observations", "observations-control": other.pk, "observations-text": "x"},
    )
    assert response.status_code == 400 and other.events.count() == 1


def test_the_plan_shows_volumes_against_the_seed_targets(client, make_user, on_site):
    client.force_login(make_user(Role.MANAGER))
    page = client.get(reverse("controls:plan"), {"annee": "2022"}).content.decode()
    assert "155047" in page.replace("\u202f", "").replace(" ", "") and "901" in page
    assert client.get(reverse("controls:plan"), {"annee": "2021"}).status_code == 200

"""The access-to-rights team's pages and the partners' material: meetings planned with their
material, attendance and its yearly rate per partner, the material's versions downloaded from the
partner portal (only the current one, each download counted), hostile files refused with nothing
stored, and the collective actions (sessions, rights linked only with consent, the report)."""

import base64
import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.outreach import services
from justedroit.outreach.models import (
    ActionOutcome,
    ActionSession,
    CollectiveAction,
    InformationMaterial,
    InformationMeeting,
    MaterialDownload,
    MeetingInvitation,
    Partner,
)
from justedroit.outreach.services import network, partners
from justedroit.registry.models import Commune
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MODELS = (
    InformationMeeting,
    MeetingInvitation,
    InformationMaterial,
    MaterialDownload,
    CollectiveAction,
    ActionSession,
    ActionOutcome,
)


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in MODELS)


@pytest.fixture
def documents(settings, tmp_path):
    settings.CHANNELS_DOCUMENT_DIR = tmp_path / "documents"
    settings.CHANNELS_VIRUS_SCANNER = "noop"  # tests only; production uses ClamAV
    return settings.CHANNELS_DOCUMENT_DIR


@pytest.fixture
def team(make_user):
    client = Client()
    client.force_login(make_user(Role.CASE_WORKER, username="acces-droits"))
    return client


@pytest.fixture
def relay(db):
    partners.partners_seed(acting_user=None)
    return Partner.objects.filter(kind="relay").order_by("name").first()


@pytest.fixture
def relay_staff(make_user, relay):
    user = make_user(Role.PARTNER_RELAY, username="relais")
    services.partner_member_link(user=user, partner=relay, acting_user=None)
    client = Client()
    client.force_login(user)
    return client


def _plan(team, **extra):
    return team.post(
        reverse("outreach:meetings"),
        {
            "held_on": "2022-03-10",
            "title": "Réunion mensuelle de mars",
            "agenda": "Revalorisation de la prime d'activité au 1er avril.",
        }
        | extra,
    )


def _files(documents) -> list:
    return sorted(documents.iterdir()) if documents.exists() else []


def test_a_meeting_is_planned_with_its_material_which_partners_download(
    team, relay_staff, relay, documents
):
    response = _plan(team, material=SimpleUploadedFile("mars.pdf", PDF, "application/pdf"))
    meeting = InformationMeeting.objects.get()
    assert response["Location"] == reverse("outreach:meeting", args=[meeting.pk])
    assert meeting.invitations.count() == Partner.objects.count() == 33
    first = InformationMaterial.objects.get()
    assert (first.version, first.meeting, first.content_type) == (1, meeting, "application/pdf")
    page = relay_staff.get(reverse("portal:outreach_partner_material")).content.decode()
    link = reverse("portal:outreach_partner_material_file", args=[1])
    assert link in page and "version 1 du" in page
    download = relay_staff.get(link)
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Disposition"] == 'attachment; filename="support-caf-v1.pdf"'
    assert MaterialDownload.objects.get().partner == relay
    # A new version from the meeting's page: the partners get it, no longer the old one.
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    team.post(
        reverse("outreach:meeting", args=[meeting.pk]),
        {"form": "material", "title": "Support corrigé", "file": SimpleUploadedFile("b.png", png)},
    )
    assert InformationMaterial.objects.order_by("-version").first().version == 2
    assert relay_staff.get(link).status_code == 404
    assert (
        relay_staff.get(reverse("portal:outreach_partner_material_file", args=[2])).content == png
    )
    assert MaterialDownload.objects.count() == 2
    listing = team.get(reverse("outreach:meetings"), {"annee": "2022"}).content.decode()
    assert "Support corrigé" in listing and "(en cours)" in listing


def test_a_partner_account_not_linked_to_a_partner_downloads_nothing(make_user, team, documents):
    _plan(team, material=SimpleUploadedFile("mars.pdf", PDF, "application/pdf"))
    client = Client()
    client.force_login(make_user(Role.PARTNER_EFS, username="efs-seul"))
    assert (
        "aucun partenaire"
        in client.get(reverse("portal:outreach_partner_material")).content.decode()
    )
    file = reverse("portal:outreach_partner_material_file", args=[1])
    assert client.get(file).status_code == 404
    assert not MaterialDownload.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 200, "ni un PDF"),  # an executable named .pdf
        (b"<html><script>alert(1)</script></html>", "ni un PDF"),
        (b"", "vide"),
        (PDF + b"\x00" * 2048, "taille maximale"),
    ],
)
def test_a_hostile_material_is_refused_in_french_and_nothing_is_stored(
    team, documents, settings, content, message
):
    settings.CHANNELS_DOCUMENT_MAX_BYTES = 1024
    before = _counts()
    response = _plan(team, material=SimpleUploadedFile("support.pdf", content, "application/pdf"))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _counts() == before and _files(documents) == []


def test_a_failed_planning_removes_the_stored_material(team, documents, monkeypatch):
    """The file is written before the rows: if the transaction fails, the file goes too."""

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(network.MeetingInvitation.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        _plan(team, material=SimpleUploadedFile("mars.pdf", PDF, "application/pdf"))
    assert _files(documents) == [] and not InformationMeeting.objects.exists()


def test_attendance_is_recorded_and_its_yearly_rate_shown_per_partner(team, relay):
    _plan(team)
    meeting = InformationMeeting.objects.get()
    invited = sorted(meeting.invitations.values_list("partner_id", flat=True))
    url = reverse("outreach:meeting", args=[meeting.pk])
    assert team.post(url, {"form": "attendance", "present": invited[:3]}).status_code == 302
    assert meeting.invitations.filter(attended=True).count() == 3
    assert meeting.invitations.filter(attended=False).count() == 30
    stranger = Partner.objects.create(
        kind="efs", name="Hors convention", commune=Commune.objects.first()
    )
    refused = team.post(url, {"form": "attendance", "present": [invited[0], stranger.pk]})
    assert refused.status_code == 400 and "pas invité" in refused.content.decode()
    assert meeting.invitations.filter(attended=True).count() == 3
    page = team.get(reverse("outreach:meetings"), {"annee": "2022"}).content.decode()
    chart = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert chart and base64.b64decode(chart.group(1)).decode().count('id="barre-') == 33
    first = escape(Partner.objects.get(pk=invited[0]).name)
    assert f'<th scope="row">{first}</th><td class="num">1</td><td class="num">1</td>' in page
    assert "100,0 %" in page and "0,0 %" in page


def test_a_collective_action_its_sessions_rights_and_report(team):
    created = team.post(
        reverse("outreach:actions"),
        {
            "title": "Permanences à la Halte-Répit",
            "requested_by": "Halte-Répit de Poitiers",
            "audience": "Aidants familiaux",
            "place": "Halte-Répit",
            "commune": "86194",
            "co_organisers": "Cpam de la Vienne",
            "first_day": "2022-04-01",
            "last_day": "2022-06-30",
        },
    )
    action = CollectiveAction.objects.get()
    url = reverse("outreach:action", args=[action.pk])
    assert created["Location"] == url
    for day, people in (("2022-04-05", 4), ("2022-04-19", 3)):
        team.post(url, {"form": "session", "held_on": day, "people_received": people})
    outside = team.post(url, {"form": "session", "held_on": "2022-07-01", "people_received": 1})
    assert outside.status_code == 400 and "pendant l&#x27;action" in outside.content.decode()
    session = action.sessions.first()
    HouseholdFactory(number="7300001")
    outcome = {"form": "outcome", "session": session.pk, "kind": "claim", "benefit": "aah"}
    refused = team.post(url, outcome | {"household_number": "7300001"})
    assert refused.status_code == 400 and "consentement" in refused.content.decode()
    assert not ActionOutcome.objects.exists()
    team.post(url, outcome | {"household_number": "7300001", "consent": "on"})
    team.post(url, outcome | {"kind": "revised"})
    assert ActionOutcome.objects.filter(household__number="7300001").count() == 1
    team.post(url, {"form": "report", "report": "Droits débloqués pour deux aidants."})
    page = team.get(url).content.decode()
    assert "Droits débloqués pour deux aidants." in page
    assert '<th scope="row">Personnes reçues</th><td class="num">7</td>' in page
    assert '<th scope="row">Demande ouverte</th><td class="num">1</td>' in page
    assert AuditEvent.objects.filter(households__number="7300001", action="view").exists()


TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "1", "-1", "86194", "7300001", "claim", "aah", "on", "material"]),
    st.sampled_from(["2022-03-10", "2022-04-05", "0001-01-01", "9999-12-31", "31/02/2022"]),
)
FIELDS = (
    "form",
    "held_on",
    "title",
    "agenda",
    "present",
    "requested_by",
    "audience",
    "place",
    "commune",
    "first_day",
    "last_day",
    "people_received",
    "session",
    "kind",
    "household_number",
    "report",
)


def test_the_network_forms_never_fail_on_hostile_input(team, relay):
    """Whatever is posted: a redirect after a write, or a 400 in French that wrote nothing."""
    _plan(team)
    action = network.action_create(
        title="Action",
        requested_by="Mairie",
        audience="Tous",
        place="Salle",
        commune=Commune.objects.get(insee_code="86194"),
        first_day=dt.date(2022, 4, 1),
        last_day=dt.date(2022, 6, 30),
        acting_user=None,
    )
    urls = [
        reverse("outreach:meetings"),
        reverse("outreach:meeting", args=[InformationMeeting.objects.get().pk]),
        reverse("outreach:actions"),
        reverse("outreach:action", args=[action.pk]),
    ]

    @hypothesis_settings(suppress_health_check=list(HealthCheck), deadline=None, max_examples=60)
    @given(url=st.sampled_from(urls), values=st.lists(TEXT, min_size=16, max_size=16))
    def post(url, values):
        data = dict(zip(FIELDS, values, strict=True))
        before = _counts()
        response = team.post(url, data)
        assert response.status_code in (302, 400), (url, data, response.status_code)
        if response.status_code == 400:
            assert _counts() == before
            assert 'role="alert"' in response.content.decode()

    post()

"""The fraud URLs × roles matrix, the audit of every read of a fraud file, the pages' forms, the
letters and the allocataire's online answer."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.fraud import services
from justedroit.fraud.models import FraudEventKind, FraudFile, FraudStatus, Qualification
from justedroit.registry.models import HouseholdAccount
from tests.documents import pdf_text
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
R = Role
READERS = {R.CONTROLLER, R.MANAGER}
ALLOWED = {
    "fraud:worklist": READERS,
    "fraud:file": READERS,
    "fraud:director": {R.DIRECTOR},
    "fraud:decision": {R.DIRECTOR},
    "fraud:letter": READERS | {R.DIRECTOR},
    "portal:fraud_notices": {R.CLAIMANT},
}
NOTICE_DAY = dt.datetime(2022, 8, 1, 9)


@pytest.fixture
def household(db):
    return HouseholdFactory(number="1234567")


@pytest.fixture
def notified(household, make_user):
    """A fault, notified on 01/08/2022 with a penalty of 300 €: in the director's list."""
    controller = make_user(Role.CONTROLLER, username="fraude")
    with clock.frozen(NOTICE_DAY):
        file = services.fraud_file_open(
            household=household,
            report="Signalement d'un bailleur.",
            facts="Vie maritale non déclarée.",
            first_month=dt.date(2022, 3, 1),
            last_month=dt.date(2022, 5, 1),
            acting_user=controller,
        )
        services.fraud_qualify(
            file=file,
            qualification=Qualification.FAULT,
            reasons="Omission répétée.",
            acting_user=controller,
        )
        return services.notice_send(file=file, amount=Decimal(300), acting_user=controller)


def args(name, file):
    if name == "fraud:letter":
        return [file.pk, "avis"]
    return [file.pk] if name in ("fraud:file", "fraud:decision") else []


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_every_fraud_url_for_every_role(client, make_user, household, notified, role, name):
    user = make_user(role)
    if role == Role.CLAIMANT:
        HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    response = client.get(reverse(name, args=args(name, notified)))
    assert response.status_code == (200 if role in ALLOWED[name] else 403)


@pytest.mark.parametrize("role", list(Role))
def test_the_letters_pdf_for_every_role(client, make_user, notified, role):
    client.force_login(make_user(role))
    url = reverse("fraud:letter", args=[notified.pk, "avis"])
    response = client.get(url, {"format": "pdf"})
    assert response.status_code == (200 if role in ALLOWED["fraud:letter"] else 403)


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_anonymous_visitors_go_to_login(client, notified, name):
    response = client.get(reverse(name, args=args(name, notified)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_every_read_of_a_fraud_file_is_audited(client, make_user, notified):
    client.force_login(make_user(Role.MANAGER))
    for _ in range(2):
        assert client.get(reverse("fraud:file", args=[notified.pk])).status_code == 200
    reads = AuditEvent.objects.filter(household_number="1234567", detail__page="Dossier de fraude")
    assert reads.count() == 2
    client.get(reverse("fraud:worklist"))
    assert AuditEvent.objects.filter(detail__page="Fraude : liste de travail").exists()
    # A manager reads but does not act.
    response = client.post(reverse("fraud:file", args=[notified.pk]), {"action": "payment"})
    assert response.status_code == 403


def test_a_controller_opens_a_file_on_a_report_from_the_worklist(client, make_user, household):
    client.force_login(make_user(Role.CONTROLLER))
    with clock.frozen(NOTICE_DAY):
        response = client.post(
            reverse("fraud:worklist"),
            {
                "number": "1234567",
                "report": "Signalement de la mairie.",
                "facts": "Domiciliation fictive.",
                "first_month": "2022-01",
                "last_month": "2022-06",
            },
        )
    file = FraudFile.objects.get()
    assert response.status_code == 302 and file.first_month == dt.date(2022, 1, 1)
    bad = client.post(reverse("fraud:worklist"), {"facts": "x"})
    assert bad.status_code == 400 and "Indiquez le contrôle" in bad.content.decode()


def test_the_notice_letter_renders_in_french_with_the_rights(client, make_user, notified):
    client.force_login(make_user(Role.CONTROLLER))
    page = client.get(reverse("fraud:letter", args=[notified.pk, "avis"])).content.decode()
    assert "300" in page and "article L114-17" in page and "R114-11" in page
    assert '<a href="?format=pdf">Télécharger la lettre en PDF</a>' in page
    assert client.get(reverse("fraud:letter", args=[notified.pk, "decision"])).status_code == 404


def test_the_notice_letter_as_pdf_is_audited_like_the_page(client, make_user, notified):
    client.force_login(make_user(Role.CONTROLLER))
    url = reverse("fraud:letter", args=[notified.pk, "avis"])
    response = client.get(url, {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="fraude-{notified.pk}-avis.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "pénalité administrative d'un montant de 300" in text
    assert "présenter vos observations écrites" in text and "R114-11" in text
    # The letter alone: no site navigation in the PDF.
    assert "Se déconnecter" not in text
    reads = AuditEvent.objects.filter(household_number="1234567", detail__page="Lettre")
    assert reads.count() == 1


def test_the_allocataire_answers_online_within_the_month(client, make_user, household, notified):
    user = make_user(Role.CLAIMANT)
    HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    url = reverse("portal:fraud_notices")
    page = client.get(url).content.decode()
    assert "Vie maritale non déclarée." in page and "01/09/2022" in page
    with clock.frozen(dt.datetime(2022, 8, 20, 9)):
        response = client.post(
            url,
            {
                "observations-file": notified.pk,
                "observations-text": "Nous sommes séparés.",
                "observations-hearing": "on",
            },
        )
    assert response.status_code == 302
    assert notified.events.filter(kind=FraudEventKind.HEARING).exists()
    other = HouseholdFactory(number="7654321")
    with clock.frozen(NOTICE_DAY):
        foreign = services.fraud_file_open(
            household=other,
            report="x",
            facts="y",
            first_month=dt.date(2022, 3, 1),
            last_month=dt.date(2022, 3, 1),
            acting_user=make_user(Role.CONTROLLER, username="autre"),
        )
    response = client.post(url, {"observations-file": foreign.pk, "observations-text": "z"})
    assert response.status_code == 400 and foreign.events.count() == 1


def test_the_director_decides_a_warning_from_the_decision_page(client, make_user, notified):
    client.force_login(make_user(Role.DIRECTOR))
    url = reverse("fraud:decision", args=[notified.pk])
    with clock.frozen(dt.datetime(2022, 9, 5, 9)):
        response = client.post(
            url,
            {"action": "decide", "decide-kind": "warning", "decide-reasons": "Premier manquement."},
        )
    assert response.status_code == 302
    notified.refresh_from_db()
    assert notified.status == FraudStatus.CLOSED
    letter = client.get(reverse("fraud:letter", args=[notified.pk, "decision"]))
    assert "Avertissement" in letter.content.decode()
    pdf = client.get(reverse("fraud:letter", args=[notified.pk, "decision"]), {"format": "pdf"})
    assert "le directeur de la Caf vous adresse un avertissement" in pdf_text(pdf.content)
    # Closed: no longer in the director's list.
    assert client.get(url).status_code == 404

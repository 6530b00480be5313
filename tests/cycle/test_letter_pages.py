"""The rappel and indu letters on the agents' pages: who reads a household's rappels and indus
reads its letters, as sent and as PDF, each read audited."""

import datetime as dt

import pytest
from django.urls import reverse

from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.cycle.letters import letter_queue
from tests.documents import pdf_text
from tests.factories import HouseholdFactory
from tests.recovery.helpers import indu
from tests.test_roles_and_audit import ALLOWED

pytestmark = pytest.mark.django_db
READERS = ALLOWED["entitlements:household_rights"]


@pytest.fixture
def letter(db):
    household = HouseholdFactory(number="7654321")
    overpaid = indu(household, "af", dt.date(2022, 3, 1), "400.00")
    return letter_queue(household=household, month=dt.date(2022, 4, 1), adjustments=[overpaid])


def urls(letter):
    return {
        "cycle:letters": reverse("cycle:letters", args=["7654321"]),
        "cycle:letter": reverse("cycle:letter", args=["7654321", letter.pk]),
        "cycle:letter (PDF)": reverse("cycle:letter", args=["7654321", letter.pk]) + "?format=pdf",
    }


@pytest.mark.parametrize("name", ["cycle:letters", "cycle:letter", "cycle:letter (PDF)"])
@pytest.mark.parametrize("role", list(Role))
def test_the_cycle_letters_for_every_role(client, make_user, letter, role, name):
    client.force_login(make_user(role))
    response = client.get(urls(letter)[name])
    assert response.status_code == (200 if role in READERS else 403)


def test_the_letter_reads_in_html_and_pdf_with_the_amount_and_the_rights(client, make_user, letter):
    client.force_login(make_user(Role.CASE_WORKER))
    rights = client.get(reverse("entitlements:household_rights", args=["7654321"]))
    assert urls(letter)["cycle:letters"] in rights.content.decode()
    listing = client.get(urls(letter)["cycle:letters"]).content.decode()
    assert "Cycle de avril 2022" in listing and urls(letter)["cycle:letter (PDF)"] in listing
    page = client.get(urls(letter)["cycle:letter"]).content.decode()
    assert "trop-perçu (indu) de 400,00 €" in page
    response = client.get(urls(letter)["cycle:letter (PDF)"])
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="rappels-indus-7654321-2022-04.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Allocations familiales, 03/2022 : trop-perçu (indu) de 400,00 €" in text
    assert "saisir la commission de recours amiable dans un délai de deux mois" in text
    pages = AuditEvent.objects.filter(household_number="7654321").values_list(
        "detail__page", flat=True
    )
    assert sorted(p for p in pages if p and "rappel" in p) == [
        "Lettre de rappel ou d'indu",
        "Lettre de rappel ou d'indu",
        "Lettres de rappel et d'indu",
    ]
    other = HouseholdFactory(number="1111111")
    assert client.get(reverse("cycle:letter", args=[other.number, letter.pk])).status_code == 404

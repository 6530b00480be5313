"""Recovery pages: a recovery agent enters a direct payment (amount typed twice), the page shows
the ledger and the audit trail records the consultation; the allocataire sees what they owe."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.recovery import selectors, services
from justedroit.recovery.models import Debt, DebtLetter, EntryKind
from justedroit.registry.models import HouseholdAccount
from tests.documents import pdf_text
from tests.factories import HouseholdFactory
from tests.recovery.helpers import indu
from tests.test_roles_and_audit import ALLOWED

pytestmark = pytest.mark.django_db


@pytest.fixture
def debt(db):
    household = HouseholdFactory(number="7654321")
    indu(household, "af", dt.date(2022, 3, 1), "400.00")
    services.debts_notify(acting_user=None)
    return Debt.objects.get()


def _movement(debt, amount, again):
    return {
        "form": "movement",
        "debt": debt.pk,
        "kind": EntryKind.REPAID,
        "amount": amount,
        "amount_again": again,
        "on": "30/12/2022",
        "reference": "VIR-42",
        "reason": "Virement reçu",
    }


def test_a_recovery_agent_records_a_direct_payment_typed_twice(client, make_user, debt):
    client.force_login(make_user(Role.RECOVERY_AGENT))
    url = reverse("recovery:household_debts", args=["7654321"])
    response = client.post(url, _movement(debt, "150.00", "105.00"))
    assert response.status_code == 400
    assert "Les deux saisies du montant diffèrent" in response.content.decode()
    assert selectors.balance(debt) == D("400.00")
    response = client.post(url, _movement(debt, "150.00", "150.00"))
    assert response.status_code == 302
    assert selectors.balance(debt) == D("250.00")
    page = client.get(url).content.decode()
    assert "Remboursement direct" in page and "VIR-42" in page and "250,00" in page
    assert AuditEvent.objects.filter(household_number="7654321", action="create").exists()


def test_a_payment_beyond_the_balance_is_refused_on_the_page(client, make_user, debt):
    client.force_login(make_user(Role.RECOVERY_AGENT))
    url = reverse("recovery:household_debts", args=["7654321"])
    response = client.post(url, _movement(debt, "400.01", "400.01"))
    assert response.status_code == 400
    assert "dépasse le solde" in response.content.decode()


def test_a_case_worker_reads_but_cannot_post(client, make_user, debt):
    client.force_login(make_user(Role.CASE_WORKER))
    url = reverse("recovery:household_debts", args=["7654321"])
    assert client.get(url).status_code == 200
    assert client.post(url, _movement(debt, "1.00", "1.00")).status_code == 403


def test_the_allocataire_sees_what_they_owe_and_how_to_ask_for_a_remission(client, make_user, debt):
    user = make_user(Role.CLAIMANT)
    HouseholdAccount.objects.create(user=user, household=debt.household)
    client.force_login(user)
    page = client.get(reverse("portal:recovery_debts")).content.decode()
    assert "400,00" in page and "commission de recours amiable" in page
    assert "remise de dette" in page


def test_the_accountant_balance_page_reconciles(client, make_user, debt):
    client.force_login(make_user(Role.ACCOUNTANT))
    page = client.get(reverse("recovery:balance") + "?annee=2022").content.decode()
    assert "Allocations familiales" in page and "écart" not in page


@pytest.mark.parametrize("pdf", [False, True])
@pytest.mark.parametrize("role", list(Role))
def test_a_debt_letter_for_every_role(client, make_user, debt, role, pdf):
    """The "recovery:letter" matrix: who reads a household's debts reads its letters."""
    client.force_login(make_user(role))
    letter = DebtLetter.objects.get()
    url = reverse("recovery:letter", args=["7654321", letter.pk])
    response = client.get(url, {"format": "pdf"} if pdf else {})
    assert response.status_code == (200 if role in ALLOWED["recovery:household_debts"] else 403)


def test_the_indu_letter_reads_as_sent_in_html_and_pdf_each_read_audited(client, make_user, debt):
    client.force_login(make_user(Role.CASE_WORKER))
    letter = DebtLetter.objects.get()
    page = client.get(reverse("recovery:household_debts", args=["7654321"])).content.decode()
    url = reverse("recovery:letter", args=["7654321", letter.pk])
    assert f'href="{url}?format=pdf"' in page
    assert client.get(url).content.decode() == letter.html
    response = client.get(url, {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Notification d'un trop-perçu" in text and "400,00" in text
    assert "commission de recours amiable de la Caf dans un délai de 2 mois" in text
    reads = AuditEvent.objects.filter(
        household_number="7654321", detail__page="Courrier de recouvrement"
    )
    assert reads.count() == 2
    # Another household's number does not open this letter.
    other = HouseholdFactory(number="1111111")
    assert client.get(reverse("recovery:letter", args=[other.number, letter.pk])).status_code == 404

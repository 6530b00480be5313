import datetime as dt

import pytest
from django.urls import reverse

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.entitlements.models import Adjustment, Payment
from justedroit.entitlements.services import month_run
from justedroit.registry.models import HouseholdAccount

pytestmark = pytest.mark.django_db
JUNE = dt.date(2022, 6, 1)


@pytest.fixture
def paid_twin(small_twin):
    month_run(month=JUNE, wet=True, workers=1)
    return Payment.objects.order_by("household__number").first().household


def test_rights_page_shows_payments_and_links_the_explanation(client, make_user, paid_twin):
    client.force_login(make_user(Role.MANAGER))
    page = client.get(reverse("entitlements:household_rights", args=[paid_twin.number]))
    assert page.status_code == 200
    assert "06/2022" in page.content.decode()
    assert "Recalculer" not in page.content.decode()  # a manager may look, not recompute
    explanation = client.get(
        reverse("entitlements:explanation", args=[paid_twin.number, "2022-06"])
    ).content.decode()
    assert "Valeurs intermédiaires" in explanation and "Faits utilisés" in explanation
    assert AuditEvent.objects.filter(household_number=paid_twin.number, action="view").count() == 2
    bad = client.get(reverse("entitlements:explanation", args=[paid_twin.number, "juin"]))
    assert bad.status_code == 400 and "format attendu AAAA-MM" in bad.content.decode()


def test_a_case_worker_recomputes_from_the_page(client, make_user, paid_twin):
    client.force_login(make_user(Role.CASE_WORKER))
    url = reverse("entitlements:household_rights", args=[paid_twin.number])
    bad = client.post(url, {"first_month": "2022-07", "last_month": "2022-06", "reason": "x"})
    assert bad.status_code == 400 and "précède" in bad.content.decode()
    with clock.frozen(dt.datetime(2023, 1, 5, 9)):
        response = client.post(
            url, {"first_month": "2022-06", "last_month": "2022-06", "reason": "vérification"}
        )
    assert response.status_code == 302
    assert not Adjustment.objects.exists()  # nothing changed since the payment


def test_the_claimant_sees_their_payments(client, make_user, paid_twin):
    user = make_user(Role.CLAIMANT)
    HouseholdAccount.objects.create(user=user, household=paid_twin)
    client.force_login(user)
    page = client.get(reverse("portal:claimant_home")).content.decode()
    assert "Mes derniers paiements" in page and "juin 2022" in page

import datetime as dt

import pytest
from django.urls import reverse

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.money import format_euros
from justedroit.core.roles import Role
from justedroit.entitlements.models import Adjustment, Payment
from justedroit.entitlements.services import month_run
from justedroit.registry.models import HouseholdAccount
from justedroit.rules.explain import LABELS

pytestmark = pytest.mark.django_db
JUNE = dt.date(2022, 6, 1)


@pytest.fixture(scope="module")
def _paid_twin(twin_module):
    """June paid once for the module (in the twin's transaction); the tests only read it, or
    write in their own savepoint."""
    month_run(month=JUNE, wet=True, workers=1)
    return Payment.objects.order_by("household__number").first().household


@pytest.fixture
def paid_twin(_paid_twin, small_twin):
    return _paid_twin


def test_rights_page_shows_payments_and_links_the_explanation(client, make_user, paid_twin):
    client.force_login(make_user(Role.MANAGER))
    page = client.get(reverse("entitlements:household_rights", args=[paid_twin.number]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "juin 2022" in html and "Dû selon les faits connus" in html
    paid = Payment.objects.filter(household=paid_twin, month=JUNE).first()
    assert f"{paid.paid_at.astimezone(clock.PARIS):%d/%m/%Y à %H:%M}" in html
    assert "Recalculer" not in html  # a manager may look, not recompute
    explanation = client.get(
        reverse("entitlements:explanation", args=[paid_twin.number, "2022-06"])
    ).content.decode()
    assert "Valeurs intermédiaires" in explanation and "Faits utilisés" in explanation
    # Labels, not the engine's variable names; euros the French way.
    assert not [name for name in LABELS if name in explanation]
    assert any(label in explanation for label, _sentence in LABELS.values())
    assert "\u202f€" in explanation or ",00 €" in explanation
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
            url,
            {"first_month": "2022-06", "last_month": "2022-06", "reason": "vérification"},
            follow=True,
        )
    assert response.redirect_chain and response.status_code == 200
    assert not Adjustment.objects.exists()  # nothing changed since the payment
    assert "Recalcul juin 2022 : aucun montant ne change" in response.content.decode()


def test_the_claimant_sees_their_payments(client, make_user, paid_twin):
    user = make_user(Role.CLAIMANT)
    HouseholdAccount.objects.create(user=user, household=paid_twin)
    client.force_login(user)
    page = client.get(reverse("portal:claimant_home")).content.decode()
    assert "Mes derniers paiements" in page and "juin 2022" in page
    payments = client.get(reverse("portal:payments")).content.decode()
    paid = Payment.objects.filter(household=paid_twin, month=JUNE)
    total = sum(p.amount for p in paid)
    assert f"Juin 2022 : {format_euros(total)}" in payments
    assert f"Versé le {paid[0].paid_at.astimezone(clock.PARIS):%d/%m/%Y}" in payments
    explained = client.get(reverse("portal:payment_explanation", args=["2022-06"]))
    text = explained.content.decode()
    assert explained.status_code == 200 and "<script" not in text
    for payment in paid:  # each amount paid is explained, in sentences without variable names
        assert f"{payment.get_benefit_display()} : {format_euros(payment.amount)}" in text
    assert "Les informations que la Caf a prises en compte" in text
    assert not [name for name in LABELS if name in text]
    # A month not paid, or not a month: not found.
    assert client.get(reverse("portal:payment_explanation", args=["2021-01"])).status_code == 404
    assert client.get(reverse("portal:payment_explanation", args=["juin"])).status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_only_the_allocataire_reads_their_month_explained(client, make_user, paid_twin, role):
    user = make_user(role)
    if role == Role.CLAIMANT:
        HouseholdAccount.objects.create(user=user, household=paid_twin)
    client.force_login(user)
    response = client.get(reverse("portal:payment_explanation", args=["2022-06"]))
    assert response.status_code == (200 if role == Role.CLAIMANT else 403)

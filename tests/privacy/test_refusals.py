"""Issue 8, §2: pages several roles read and fewer may change refuse the change through
`requires(..., post=...)`, with a 403 that changes nothing."""

import pytest
from django.urls import reverse

from justedroit.channels.models import CallbackRequest, CallbackStatus, Document
from justedroit.core.roles import Role
from justedroit.entitlements.models import Adjustment

pytestmark = pytest.mark.django_db


def test_a_manager_reads_the_rights_but_cannot_recompute(client, make_user, world):
    client.force_login(make_user(Role.MANAGER))
    url = reverse("entitlements:household_rights", args=["8610001"])
    assert client.get(url).status_code == 200
    data = {"first_month": "2022-06", "last_month": "2022-06", "reason": "essai"}
    before = Adjustment.objects.count()  # the world's indu, on the recovery pages
    assert client.post(url, data).status_code == 403
    assert Adjustment.objects.count() == before


def test_an_administrator_sees_the_queues_but_cannot_close_a_call_back(client, make_user, world):
    client.force_login(make_user(Role.ADMINISTRATOR))
    callback = CallbackRequest.objects.get()
    assert client.get(reverse("channels:home")).status_code == 200
    response = client.post(reverse("channels:home"), {"callback": callback.pk, "note": "x"})
    assert response.status_code == 403
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.OPEN and callback.done_by is None


def test_a_controller_reads_a_document_but_cannot_process_it(client, make_user, world):
    client.force_login(make_user(Role.CONTROLLER))
    url = reverse("channels:document_detail", args=[world["payslip"].pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"outcome": "accepted", "note": "x"}).status_code == 403
    assert Document.objects.get(pk=world["payslip"].pk).processed_at is None


def test_a_call_back_that_does_not_exist_is_not_found(client, make_user, world):
    client.force_login(make_user(Role.CASE_WORKER))
    for sent in ("999999", "abc", str(2**70)):
        assert client.post(reverse("channels:home"), {"callback": sent}).status_code == 404
    assert CallbackRequest.objects.get().status == CallbackStatus.OPEN


def test_an_agent_booking_with_an_unknown_motif_gets_a_french_message(client, make_user, world):
    client.force_login(make_user(Role.RECEPTION))
    response = client.post(
        reverse("reception:book"),
        {
            "type": "inconnu",
            "site": "poitiers",
            "starts_at": "2023-01-03T10:00:00+01:00",
            "household": "8610001",
        },
    )
    assert response.status_code == 400 and "Motif inconnu" in response.content.decode()

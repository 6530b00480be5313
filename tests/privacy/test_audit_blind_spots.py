"""Issue 9, item 4: every display of a household's personal data is in the audit trail with the
households it showed, the reason comes from a POSTed form, and the DPO finds it all by household."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from justedroit.core import clock, selectors
from justedroit.core.models import AuditEvent, AuditEventHousehold
from justedroit.core.roles import Role

pytestmark = pytest.mark.django_db


def last_event_pk() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def households_named_since(pk: int, world) -> set[str]:
    """The households of the world that the DPO's per-household query finds in events after
    `pk` (the query the DPO's page runs)."""
    return {
        number
        for number in world["numbers"]
        if selectors.audit_events(household_number=number).filter(pk__gt=pk).exists()
    }


def test_a_search_names_the_households_it_showed_and_the_dpo_finds_it(client, make_user, world):
    client.force_login(make_user(Role.RECEPTION, username="rita"))
    page = client.post(reverse("registry:household_search"), {"q": "Durand"})
    assert "8610001" in page.content.decode()
    search = AuditEvent.objects.get(action="search")
    assert [e.pk for e in selectors.audit_events(household_number="8610001", action="search")] == [
        search.pk
    ]
    client.force_login(make_user(Role.DATA_PROTECTION_OFFICER))
    trail = client.get(
        reverse("core:audit_trail"), {"household_number": "8610001", "action": "search"}
    ).content.decode()
    assert "rita" in trail and "Recherche par nom" in trail and "1 événement" in trail


def test_the_call_back_queue_and_the_other_channel_queues_are_audited(client, make_user, world):
    client.force_login(make_user(Role.CASE_WORKER))
    before = last_event_pk()
    page = client.get(reverse("channels:home")).content.decode()
    assert "8610004" in page  # the call-back request
    event = AuditEvent.objects.get(pk__gt=before)
    assert event.actor.username == "u-case_worker" and event.action == "view"
    assert households_named_since(before, world) == {
        "8610001",
        "8610004",
        "8610005",
        "8610006",
        "8610008",  # its e-mail (with an attachment) waits in the queue
    }


def test_the_day_screen_is_audited(client, make_user, world):
    client.force_login(make_user(Role.RECEPTION))
    before = last_event_pk()
    page = client.get(reverse("reception:site_day", args=["poitiers"])).content.decode()
    assert "8610002" in page and "8610003" in page
    event = AuditEvent.objects.get(pk__gt=before)
    assert (
        event.detail["page"].startswith("Écran du jour") and event.object_type == "reception.Site"
    )
    assert households_named_since(before, world) == {"8610002", "8610003", "8610007"}


def test_an_agents_unmarked_appointments_are_audited(client, make_user, world):
    client.force_login(make_user(Role.CASE_WORKER))
    before = last_event_pk()
    page = client.get(reverse("reception:unmarked")).content.decode()
    assert "8610007" in page and "8610003" not in page  # 14:00 has not started yet
    assert households_named_since(before, world) == {"8610007"}


def test_a_link_cannot_write_the_reason_of_a_consultation(client, make_user, world):
    client.force_login(make_user(Role.CASE_WORKER))
    url = reverse("registry:household_detail", args=["8610001"])
    assert client.get(url, {"motif": "appel de l'allocataire"}).status_code == 200
    event = AuditEvent.objects.filter(action="view", household_number="8610001").get()
    assert event.reason == ""
    assert not AuditEvent.objects.filter(reason__icontains="appel de l'allocataire").exists()


def test_the_reason_comes_from_a_posted_form_and_follows_the_consultation(make_user, world):
    user = make_user(Role.CASE_WORKER)
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(user)
    data = {"number": "8610001", "reason": "call", "precision": "rappel du 30/12"}
    assert forged.post(reverse("registry:consultation"), data).status_code == 403  # no CSRF token
    client = Client()
    client.force_login(user)
    response = client.post(reverse("registry:consultation"), data)
    assert response["Location"] == reverse("registry:household_detail", args=["8610001"])
    page = client.get(response["Location"]).content.decode()
    client.get(reverse("entitlements:household_rights", args=["8610001"]))
    reasons = list(
        AuditEvent.objects.filter(household_number="8610001", action="view")
        .order_by("pk")
        .values_list("reason", flat=True)
    )
    assert reasons == ["Appel de l'allocataire : rappel du 30/12"] * 2
    assert "Appel de l&#x27;allocataire : rappel du 30/12" in page
    with clock.frozen(clock.now() + dt.timedelta(hours=3)):  # a new consultation, a new reason
        client.get(response["Location"])
    assert AuditEvent.objects.filter(household_number="8610001").latest("pk").reason == ""
    unknown = client.post(reverse("registry:consultation"), data | {"number": "8610099"})
    assert unknown.status_code == 400 and "Aucun foyer" in unknown.content.decode()
    unchosen = client.post(reverse("registry:consultation"), data | {"reason": ""})
    assert unchosen.status_code == 400 and "Ce champ est obligatoire" in unchosen.content.decode()


def test_the_dpo_page_lists_each_display_of_a_household_with_labels(client, make_user, world):
    client.force_login(make_user(Role.RECEPTION, username="rita"))
    client.get(reverse("reception:site_day", args=["poitiers"]))
    client.force_login(make_user(Role.DATA_PROTECTION_OFFICER, username="dora"))
    page = client.get(reverse("core:audit_trail"), {"household_number": "8610002"})
    text = page.content.decode()
    assert "rita" in text and "Écran du jour — Caf de Poitiers" in text and "Accueil" in text
    assert "Ticket d&#x27;accueil" in text or "Création" in text  # the ticket's own event
    own = AuditEvent.objects.filter(actor__username="dora").get()
    assert own.detail["page"] == "Journal d'audit"
    assert set(own.households.values_list("number", flat=True)) == {"8610002", "8610003", "8610007"}


def test_the_household_rows_of_the_trail_cannot_be_changed(world):
    row = AuditEventHousehold.objects.first()
    with pytest.raises(PermissionDenied):
        row.number = "0000000"
        row.save()
    with pytest.raises(PermissionDenied):
        row.delete()
    with pytest.raises(PermissionDenied):
        AuditEventHousehold.objects.filter(pk=row.pk).update(number="0000000")
    with pytest.raises(PermissionDenied):
        AuditEventHousehold.objects.all().delete()
    with (
        pytest.raises(Exception, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE core_auditeventhousehold SET number = '0000000' WHERE id = %s", [row.pk]
        )


def test_events_written_before_the_migration_get_their_household_rows(db):
    """The migration's backfill: a consultation's household and a search's list become rows."""
    migration = importlib.import_module("justedroit.core.migrations.0005_audit_households_shown")
    at = clock.now()
    consult = AuditEvent.objects.create(at=at, action="view", household_number="8610001")
    search = AuditEvent.objects.create(
        at=at, action="search", detail={"households": ["8610002", "8610003", "bad"]}
    )
    AuditEvent.objects.create(at=at, action="login")
    # The backfill writes through the connection its migration runs on (the schema editor's).
    migration.households_of_past_events(apps, SimpleNamespace(connection=connection))
    assert set(AuditEventHousehold.objects.values_list("event_id", "number")) == {
        (consult.pk, "8610001"),
        (search.pk, "8610002"),
        (search.pk, "8610003"),
    }

"""The live walk-in queue: who waits now per queue and for how long, call-next in arrival order,
the waiting room's call screen; the twin's last day seen at the demo's morning instant."""

import datetime as dt

import pytest
from django.urls import reverse

from justedroit.core import clock
from justedroit.core.clock import PARIS
from justedroit.core.roles import Role
from justedroit.reception import services
from justedroit.reception.models import Ticket
from justedroit.twin.simulate.reception.visits import TicketRow, _in_progress

pytestmark = pytest.mark.django_db
SATURDAY = dt.date(2022, 12, 31)  # the frozen clock's day (10:00)


def _ticket(site, queue, hour, minute, household=None):
    with clock.frozen(dt.datetime.combine(SATURDAY, dt.time(hour, minute), tzinfo=PARIS)):
        return services.ticket_issue(
            site=site, queue=queue, reason="payment", household=household, acting_user=None
        )


@pytest.fixture
def morning(poitiers, household):
    """Two visitors for the front desk (9:30, with a household; 9:45), one for an adviser
    (9:50)."""
    return [
        _ticket(poitiers, "reception", 9, 30, household),
        _ticket(poitiers, "reception", 9, 45),
        _ticket(poitiers, "adviser", 9, 50),
    ]


def test_the_day_screen_counts_who_waits_per_queue_and_for_how_long(client, make_user, morning):
    client.force_login(make_user(Role.RECEPTION))
    html = client.get(reverse("reception:site_day", args=["poitiers"])).content.decode()
    assert (
        "<strong>Accueil (premier niveau)</strong> : 2 personnes en attente, la première depuis "
        "30 min (attente moyenne 22 min)"
    ) in html
    assert (
        "<strong>Conseiller (second niveau)</strong> : 1 personne en attente, la première "
        "depuis 10 min" in html
    )
    assert "Appeler le suivant (R001)" in html
    # The household is a link to its page; an anonymous visitor is said so.
    assert f'href="{reverse("registry:household_detail", args=["7654321"])}"' in html
    assert "non identifié" in html


def test_call_next_follows_arrival_and_a_ticket_sent_back_keeps_its_place(
    client, make_user, morning
):
    client.force_login(make_user(Role.RECEPTION))
    url = reverse("reception:site_day", args=["poitiers"])
    first = client.post(url, {"action": "call_next", "queue": "reception"}, follow=True)
    called = (
        "Ticket R001 appelé, file accueil (premier niveau) : son numéro s&#x27;affiche sur "
        "l&#x27;écran de la salle d&#x27;attente."
    )
    assert called in first.content.decode()
    assert "Appeler le suivant (R002)" in first.content.decode()
    client.post(url, {"action": "send_back", "id": morning[0].pk})
    again = client.post(url, {"action": "call_next", "queue": "reception"}, follow=True)
    assert called in again.content.decode()
    client.post(url, {"action": "call_next", "queue": "reception"})
    client.post(url, {"action": "call_next", "queue": "reception"})
    empty = client.post(url, {"action": "call_next", "queue": "reception"}, follow=True)
    assert "Personne n&#x27;attend dans cette file." in empty.content.decode()
    statuses = dict(Ticket.objects.values_list("number", "status"))
    assert statuses == {1: "called", 2: "called", 3: "waiting"}


def test_each_action_on_a_ticket_says_what_it_did(client, make_user, morning, household):
    client.force_login(make_user(Role.RECEPTION))
    url = reverse("reception:site_day", args=["poitiers"])
    first = morning[0].pk

    def said(data) -> str:
        return client.post(url, data, follow=True).content.decode()

    issued = said({"action": "issue", "queue": "adviser", "reason": "file", "household": "7654321"})
    assert "Ticket A004 remis : file conseiller (second niveau), foyer 7654321." in issued
    said({"action": "call_next", "queue": "reception"})
    assert "Ticket R001 : entretien commencé." in said({"action": "serve", "id": first})
    moved = said({"action": "transfer", "id": first, "queue": "adviser"})
    assert (
        "Ticket R001 : transféré à la file conseiller (second niveau), son numéro devient A001."
    ) in moved
    said({"action": "call_next", "queue": "adviser"})
    back = said({"action": "send_back", "id": first})
    assert "Ticket A001 : renvoyé en file d&#x27;attente." in back
    said({"action": "call_next", "queue": "adviser"})
    said({"action": "serve", "id": first})
    closed = said({"action": "close", "id": first, "outcome": "documents_missing"})
    assert "Ticket A001 : visite close (pièces manquantes)." in closed
    gone = said({"action": "ticket_no_show", "id": morning[1].pk})
    assert "Ticket R002 : noté absent ou parti." in gone


def test_the_call_screen_shows_the_called_ticket_and_no_household(client, make_user, morning):
    client.force_login(make_user(Role.RECEPTION))
    client.post(
        reverse("reception:site_day", args=["poitiers"]),
        {"action": "call_next", "queue": "reception"},
    )
    html = client.get(reverse("reception:calls", args=["poitiers"])).content.decode()
    assert "Ticket <strong>R001</strong> — Accueil (premier niveau)" in html
    assert "Accueil (premier niveau) : 1 en attente" in html
    assert "7654321" not in html


def _row(arrived, called, finished):
    return TicketRow(
        id=1,
        site=1,
        day=SATURDAY,
        number=1,
        reason="file",
        household=None,
        status="done",
        arrived_at=arrived,
        called_at=called,
        service_started_at=called,
        finished_at=finished,
        outcome="resolved",
    )


@pytest.mark.parametrize(
    ("called_minute", "status"),
    [(20, "waiting"), (5, "serving")],
)
def test_the_twins_last_day_stands_as_it_is_at_the_clocks_instant(called_minute, status):
    """At 10:10, a visitor who arrived at 10:00 and is called at 10:20 waits; one called at 10:05
    and received until 10:30 is being received. Neither has an end nor an outcome yet."""
    at = dt.datetime(2022, 12, 30, 10, tzinfo=PARIS)
    row = _row(at, at + dt.timedelta(minutes=called_minute), at + dt.timedelta(minutes=30))
    _in_progress(row, at + dt.timedelta(minutes=10))
    assert (row.status, row.finished_at, row.outcome) == (status, None, "")
    assert (row.called_at is None) == (status == "waiting")

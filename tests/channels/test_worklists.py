"""Issue 11, item 5: the channels' worklists (e-mails, documents, call-backs) and the reception's
appointments to mark, on the shared pattern (`core.worklists`): paging, filters, sorting, counts,
"mes tâches", and tasks taken, released or assigned, each audited."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from justedroit.channels.models import CallbackRequest
from justedroit.channels.services import calls, documents
from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.core.worklists import WORKLIST_PAGE_SIZE
from tests.channels.conftest import fuzz_examples
from tests.factories import HouseholdFactory
from tests.hostile_posts import field, post_hostile

from .conftest import PDF

pytestmark = pytest.mark.django_db
HOME = "channels:home"
ASSIGN = "channels:task_assign"
TAKERS = {Role.RECEPTION, Role.CASE_WORKER, Role.MANAGER}


@pytest.fixture
def callback(household):
    return calls.callback_request_create(
        phone="0549000000", reason="payment", household=household, acting_user=None
    )


def take(client, callback, agent: str):
    return client.post(reverse(ASSIGN), {"kind": "rappel", "task": callback.pk, "agent": agent})


def test_the_page_shows_each_list_with_its_counts(client, make_user, household, callback):
    documents.document_upload(
        household=household, kind="payslip", filename="a.pdf", content=PDF, acting_user=None
    )
    client.force_login(make_user(Role.CASE_WORKER))
    page = client.get(reverse(HOME)).content.decode()
    assert "Aucun courriel en attente." in page
    assert page.count("En attente : 1 · mes tâches : 0 · non attribuées : 1") == 2
    assert "En attente : 0 · mes tâches : 0 · non attribuées : 0" in page
    assert "Bulletin de salaire" in page and page.count("<td>1234567</td>") == 2
    assert "<caption>Personnes à rappeler</caption>" in page


def test_an_agent_takes_a_task_finds_it_in_mes_taches_and_releases_it(client, make_user, callback):
    alice = make_user(Role.CASE_WORKER, username="alice")
    client.force_login(alice)
    response = take(client, callback, "alice")
    assert response.status_code == 302 and response["Location"].endswith("#rappels")
    callback.refresh_from_db()
    assert callback.assigned_to == alice and callback.assigned_at == clock.now()
    event = AuditEvent.objects.filter(action="update").latest("pk")
    assert event.household_number == "1234567" and event.reason == "Tâche attribuée à alice"
    mine = client.get(reverse(HOME), {"rappels-affectation": "moi"}).content.decode()
    assert "mes tâches : 1" in mine and "1 tâche." in mine
    assert "Libérer" in mine
    take(client, callback, "")
    callback.refresh_from_db()
    assert callback.assigned_to is None
    assert AuditEvent.objects.filter(action="update").latest("pk").reason == "Tâche libérée"


def test_an_agent_cannot_take_a_colleagues_task_nor_give_one(client, make_user, callback):
    make_user(Role.CASE_WORKER, username="alice")
    bob = make_user(Role.CASE_WORKER, username="bob")
    client.force_login(make_user(Role.RECEPTION, username="carla"))
    take(client, callback, "carla")
    client.force_login(bob)
    page = client.get(reverse(HOME)).content.decode()
    assert "Prendre" not in page  # the call-back is carla's
    assert take(client, callback, "bob").status_code == 302
    page = client.get(reverse(HOME)).content.decode()
    assert "Cette tâche est déjà attribuée à carla." in page
    take(client, callback, "alice")
    page = client.get(reverse(HOME)).content.decode()
    assert "Seul un manager attribue une tâche à un autre agent." in page
    callback.refresh_from_db()
    assert callback.assigned_to.username == "carla"


def test_a_manager_assigns_to_an_agent_of_the_queue_only(client, make_user, callback):
    make_user(Role.CASE_WORKER, username="alice")
    make_user(Role.ACCOUNTANT, username="compta")
    client.force_login(make_user(Role.MANAGER))
    assert 'name="agent"' in client.get(reverse(HOME)).content.decode()
    take(client, callback, "alice")
    callback.refresh_from_db()
    assert callback.assigned_to.username == "alice"
    take(client, callback, "compta")
    callback.refresh_from_db()
    assert callback.assigned_to.username == "alice"
    page = client.get(reverse(HOME)).content.decode()
    assert "compta ne traite pas cette file de travail." in page
    take(client, callback, "personne-inconnue")
    assert "Aucun agent n&#x27;a l&#x27;identifiant" in client.get(reverse(HOME)).content.decode()


@pytest.mark.parametrize("role", list(Role))
def test_who_may_take_a_task(client, make_user, callback, role):
    """POST only: "channels:task_assign" for every role (a GET is refused to all)."""
    user = make_user(role)
    client.force_login(user)
    assert client.get(reverse(ASSIGN)).status_code == 405
    response = take(client, callback, user.username)
    callback.refresh_from_db()
    if role in TAKERS:
        assert response.status_code == 302 and callback.assigned_to == user
    else:
        assert response.status_code == 403 and callback.assigned_to is None


def test_a_receptionist_cannot_take_a_document(client, make_user, household):
    document = documents.document_upload(
        household=household, kind="payslip", filename="a.pdf", content=PDF, acting_user=None
    )
    client.force_login(make_user(Role.RECEPTION))
    data = {"kind": "document", "task": document.pk, "agent": "u-reception"}
    assert client.post(reverse(ASSIGN), data).status_code == 403


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "rappel", "task": "abc"},
        {"kind": "x", "task": "1"},
        {"kind": "rappel", "task": "999999"},
    ],
)
def test_a_forged_assignment_is_not_found(client, make_user, callback, data):
    client.force_login(make_user(Role.CASE_WORKER))
    assert client.post(reverse(ASSIGN), data).status_code == 404


@pytest.fixture
def many_callbacks(household):
    other = HouseholdFactory(number="7654321")
    start = clock.now() - dt.timedelta(days=40)
    rows = []
    for n in range(WORKLIST_PAGE_SIZE + 5):
        rows.append(
            CallbackRequest(
                household=household if n % 2 else other,
                phone=f"05490000{n:02d}",
                reason="debt" if n == 0 else "payment",
                requested_at=start + dt.timedelta(days=n),
            )
        )
    CallbackRequest.objects.bulk_create(rows)


def test_paging_sorting_and_filtering_a_list(client, make_user, many_callbacks):
    client.force_login(make_user(Role.CASE_WORKER))
    first = client.get(reverse(HOME)).content.decode()
    assert f"{WORKLIST_PAGE_SIZE + 5} tâches — page 1 sur 2" in first
    assert "0549000000" in first and "0549000029" not in first
    assert 'aria-sort="ascending"' in first
    second = client.get(reverse(HOME), {"rappels-page": "2"}).content.decode()
    assert "0549000029" in second and "0549000000" not in second
    newest = client.get(reverse(HOME), {"rappels-tri": "-demande"}).content.decode()
    assert newest.index("0549000029") < newest.index("0549000028")
    assert 'aria-sort="descending"' in newest
    debts = client.get(reverse(HOME), {"rappels-reason": "debt"}).content.decode()
    assert "1 tâche correspond aux filtres" in debts and "0549000001" not in debts


def test_each_page_of_a_list_audits_the_households_it_shows(client, make_user, many_callbacks):
    client.force_login(make_user(Role.CASE_WORKER))
    client.get(reverse(HOME), {"rappels-reason": "debt"})
    event = AuditEvent.objects.filter(action="view").latest("pk")
    assert sorted(h.number for h in event.households.all()) == ["7654321"]


@pytest.mark.parametrize(
    "query",
    [
        {"rappels-reason": "<script>"},
        {"rappels-tri": "-password"},
        {"rappels-affectation": "tous'--"},
        {"rappels-page": "9999999999999999999999"},
        {"courriels-team": "\x00"},
    ],
)
def test_a_hostile_filter_gets_a_french_message_never_a_500(
    client, make_user, many_callbacks, query
):
    client.force_login(make_user(Role.CASE_WORKER))
    response = client.get(reverse(HOME), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>" not in page
    if "page" not in next(iter(query)):
        assert "Sélectionnez un choix valide" in page


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.MANAGER])
def test_task_assignment_never_fails_on_hostile_input(client, make_user, household, role):
    """Whatever an agent or a manager posts: the task taken, released or given and a redirect,
    a redirect with a French refusal, or a 404 for a task that does not exist; a refusal writes
    nothing."""
    make_user(Role.CASE_WORKER, username="alice")
    make_user(Role.ACCOUNTANT, username="compta")
    client.force_login(make_user(role, username="moi"))
    free = calls.callback_request_create(
        phone="0549000000", reason="payment", household=household, acting_user=None
    )
    taken = calls.callback_request_create(
        phone="0549000001", reason="payment", household=household, acting_user=None
    )
    CallbackRequest.objects.filter(pk=taken.pk).update(
        assigned_to=make_user(Role.RECEPTION, username="carla"), assigned_at=clock.now()
    )

    @settings(max_examples=fuzz_examples(30), suppress_health_check=list(HealthCheck))
    @given(
        kind=field("rappel", "document", "courriel"),
        task=field(str(free.pk), str(taken.pk), str(taken.pk + 100)),
        agent=field("", "moi", "alice", "carla", "compta", "personne"),
    )
    def post(**data):
        post_hostile(client, reverse(ASSIGN), data)

    post()

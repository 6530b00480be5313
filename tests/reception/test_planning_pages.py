"""Managers' planning pages: opening slots (and one cancelled occurrence), absences, closures,
permanences, opening hours. A good form changes what can be booked; a bad one gets a French
message next to the form, a 400, and changes nothing (fuzzed)."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.reception import selectors
from justedroit.reception.models import (
    Absence,
    AppointmentType,
    Closure,
    OpeningHours,
    OpeningSlot,
    Site,
    SiteKind,
    SlotOverride,
)
from tests.reception.conftest import TUESDAY

pytestmark = pytest.mark.django_db
MODELS = (OpeningSlot, SlotOverride, Absence, Closure, OpeningHours, Site, AuditEvent)


@pytest.fixture
def manager(client, make_user):
    client.force_login(make_user(Role.MANAGER, username="responsable"))
    return client


def _free_on_tuesday(agent) -> int:
    return len(
        selectors.free_slots(
            appointment_type=AppointmentType.objects.get(code="dossier-sur-place"),
            first_day=TUESDAY,
            last_day=TUESDAY,
            agent_id=agent.pk,
        )
    )


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in MODELS)


def test_a_manager_opens_a_slot_and_its_times_become_bookable(manager, agent):
    assert _free_on_tuesday(agent) == 0
    response = manager.post(
        reverse("reception:planning_slots"),
        {
            "action": "create",
            "agent": agent.username,
            "site": "poitiers",
            "types": ["dossier-sur-place"],
            "weekday": "1",
            "starts": "09:00",
            "ends": "10:00",
            "first_day": "2023-01-02",
            "every_weeks": "1",
        },
        follow=True,
    )
    assert (
        "Plage d&#x27;ouverture de agent-poitiers créée à Caf de Poitiers, le mardi de 09:00 à "
        "10:00 : ses créneaux sont réservables."
    ) in response.content.decode()
    assert _free_on_tuesday(agent) == 2  # 9:00 and 9:30, 30 min each
    page = manager.get(reverse("reception:planning_slots")).content.decode()
    assert "09:00–10:00" in page and "du 02/01/2023" in page


def test_cancelling_one_occurrence_and_an_absence_take_slots_away(manager, agent, tuesday_morning):
    assert _free_on_tuesday(agent) == 6
    absent = manager.post(
        reverse("reception:planning_absences"),
        {
            "agent": agent.username,
            "first_day": "2023-01-03",
            "last_day": "2023-01-03",
            "starts": "09:00",
            "ends": "10:00",
            "reason": "Formation",
        },
        follow=True,
    )
    assert "Absence de agent-poitiers le 03/01/2023 enregistrée" in absent.content.decode()
    assert _free_on_tuesday(agent) == 4
    manager.post(
        reverse("reception:planning_slots"),
        {"action": "cancel", "slot": tuesday_morning.pk, "day": "2023-01-03"},
    )
    assert _free_on_tuesday(agent) == 0


def test_a_closure_takes_the_site_away(manager, agent, tuesday_morning):
    response = manager.post(
        reverse("reception:planning_closures"),
        {
            "site": "poitiers",
            "first_day": "2023-01-02",
            "last_day": "2023-01-06",
            "reason": "Travaux",
        },
        follow=True,
    )
    assert (
        "Fermeture de Caf de Poitiers du 02/01/2023 au 06/01/2023 enregistrée"
        in response.content.decode()
    )
    assert _free_on_tuesday(agent) == 0


def test_a_manager_opens_a_permanence_then_gives_it_its_hours(manager):
    response = manager.post(
        reverse("reception:planning_permanences"),
        {
            "name": "Permanence de Chauvigny",
            "commune": "86070",
            "address": "Maison France Services, 86300 Chauvigny",
            "offers_appointments": "on",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("reception:planning_hours")
    assert "Permanence de Chauvigny ouverte à Chauvigny" in response.content.decode()
    site = Site.objects.get(slug="permanence-de-chauvigny")
    assert site.kind == SiteKind.PERMANENCE and site.desks == 1
    assert (site.offers_walk_in, site.offers_appointments, site.offers_remote) == (
        False,
        True,
        False,
    )
    assert AuditEvent.objects.filter(object_id=str(site.pk), action="create").exists()
    page = manager.get(reverse("reception:planning_permanences")).content.decode()
    assert "aucun horaire : elle ne reçoit pas encore" in page
    hours = manager.post(
        reverse("reception:planning_hours"),
        {"site": site.slug, "weekday": "4", "opens": "09:00", "closes": "12:00"},
        follow=True,
    )
    said = "Permanence de Chauvigny ouvre désormais le vendredi de 09:00 à 12:00."
    assert said in hours.content.decode()
    page = manager.get(reverse("reception:planning_permanences")).content.decode()
    assert "vendredi 09:00–12:00" in page


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        (
            "reception:planning_slots",
            {
                "action": "create",
                "agent": "agent-poitiers",
                "site": "poitiers",
                "types": ["dossier-sur-place"],
                "weekday": "1",
                "starts": "10:00",
                "ends": "09:00",
                "first_day": "2023-01-02",
                "every_weeks": "1",
            },
            "La fin de la plage doit suivre son début.",
        ),
        (
            "reception:planning_slots",
            {
                "action": "create",
                "agent": "agent-poitiers",
                "site": "poitiers",
                "types": ["dossier-sur-place"],
                "weekday": "6",
                "starts": "09:00",
                "ends": "10:00",
                "first_day": "2023-01-02",
                "every_weeks": "1",
            },
            "Cette plage sort des horaires d&#x27;ouverture au public de Caf de Poitiers",
        ),
        (
            "reception:planning_slots",
            {"action": "cancel", "slot": "999999", "day": "2023-01-03"},
            "Plage d&#x27;ouverture inconnue.",
        ),
        (
            "reception:planning_absences",
            {"agent": "agent-poitiers", "first_day": "2023-01-06", "last_day": "2023-01-02"},
            "La fin de l&#x27;absence précède son début.",
        ),
        (
            "reception:planning_absences",
            {
                "agent": "agent-poitiers",
                "first_day": "2023-01-02",
                "last_day": "2023-01-02",
                "starts": "09:00",
            },
            "Heures d&#x27;absence incohérentes.",
        ),
        (
            "reception:planning_closures",
            {
                "site": "poitiers",
                "first_day": "0202-01-02",
                "last_day": "2023-01-02",
                "reason": "x",
            },
            "Choisissez une date entre le 01/01/2000",
        ),
        (
            "reception:planning_hours",
            {"site": "poitiers", "weekday": "1", "opens": "09:30", "closes": "11:00"},
            "Caf de Poitiers est déjà ouvert sur une partie de ces heures.",
        ),
        (
            "reception:planning_permanences",
            {
                "name": "permanence de civray ",
                "commune": "86078",
                "address": "Mairie",
                "offers_walk_in": "on",
            },
            "Un lieu d&#x27;accueil s&#x27;appelle déjà « permanence de civray ».",
        ),
        (
            "reception:planning_permanences",
            {"name": "Permanence de Lusignan", "commune": "86139", "address": "Mairie"},
            "Une permanence reçoit sans rendez-vous, sur rendez-vous ou les deux.",
        ),
        (
            "reception:planning_permanences",
            {"name": "« … »", "commune": "86139", "address": "Mairie", "offers_walk_in": "on"},
            "Le nom de la permanence doit contenir des lettres ou des chiffres.",
        ),
    ],
)
def test_bad_input_gets_a_french_message_and_changes_nothing(manager, agent, url, data, message):
    before = _counts()
    response = manager.post(reverse(url), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _counts() == before


def test_field_errors_sit_next_to_their_field_and_are_summarised(manager, agent):
    html = manager.post(reverse("reception:planning_closures"), {"site": "poitiers"}).content
    html = html.decode()
    assert '<a href="#id_reason">Motif : Ce champ est obligatoire.</a>' in html
    assert 'id="id_reason_error"' in html


TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "poitiers", "agent-poitiers", "dossier-sur-place", "1", "-1", "99"]),
    st.sampled_from(["86078", "86194", "Permanence de Civray", "on"]),
    st.sampled_from(["09:00", "25:00", "9h", "2023-01-03", "0001-01-01", "9999-12-31", "\x00"]),
)
PAGES = {
    "reception:planning_slots": [
        "action",
        "agent",
        "site",
        "types",
        "weekday",
        "starts",
        "ends",
        "first_day",
        "last_day",
        "every_weeks",
        "resource",
        "slot",
        "day",
    ],
    "reception:planning_absences": [
        "agent",
        "first_day",
        "last_day",
        "starts",
        "ends",
        "weekly",
        "reason",
    ],
    "reception:planning_closures": ["site", "first_day", "last_day", "reason"],
    "reception:planning_hours": ["site", "weekday", "opens", "closes"],
    "reception:planning_permanences": [
        "name",
        "commune",
        "address",
        "offers_walk_in",
        "offers_appointments",
    ],
}


def test_planning_forms_never_fail_on_hostile_input(manager, agent, tuesday_morning):
    """Whatever is posted: a redirect after a write, or a 400 that wrote nothing — never a 500."""

    @hypothesis_settings(suppress_health_check=list(HealthCheck), deadline=None)
    @given(
        name=st.sampled_from(sorted(PAGES)),
        values=st.lists(TEXT, min_size=13, max_size=13),
    )
    def post(name, values):
        data = {
            key: value.replace("\x00", "") if key == "action" else value
            for key, value in zip(PAGES[name], values, strict=False)
        }
        before = _counts()
        response = manager.post(reverse(name), data)
        assert response.status_code in (302, 400), (name, data, response.status_code)
        if response.status_code == 400:
            assert _counts() == before
            assert "n&#x27;a pas été enregistré" in response.content.decode() or (
                'role="alert"' in response.content.decode()
            )

    post()


def test_only_managers_plan(client, make_user):
    client.force_login(make_user(Role.RECEPTION))
    before = _counts()
    response = client.post(
        reverse("reception:planning_closures"),
        {"site": "poitiers", "first_day": "2023-01-02", "last_day": "2023-01-02", "reason": "x"},
    )
    assert response.status_code == 403 and _counts() == before
    assert dt.date(2023, 1, 2) not in Closure.objects.values_list("first_day", flat=True)

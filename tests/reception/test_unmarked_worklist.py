"""Issue 11, item 5: the agent's appointments to mark use the shared worklist pattern (count,
filter by channel, sort by date both ways), each page audited."""

import pytest
from django.urls import reverse

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from tests.reception.conftest import TUESDAY, at

pytestmark = pytest.mark.django_db


def book(client, hour: int, kind: str = "dossier-sur-place"):
    data = {"type": kind, "site": "poitiers", "starts_at": at(TUESDAY, hour).isoformat()}
    response = client.post(reverse("reception:book"), {**data, "household": "7654321"})
    assert response.status_code == 302


def test_appointments_to_mark_are_counted_filtered_and_sorted(
    client, agent, household, tuesday_morning
):
    client.force_login(agent)
    book(client, 9)
    book(client, 10)
    with clock.frozen(at(TUESDAY, 13)):
        page = client.get(reverse("reception:unmarked")).content.decode()
        assert "2 tâches." in page
        assert page.index("03/01/2023 à 10:00") < page.index("03/01/2023 à 09:00")
        oldest = client.get(reverse("reception:unmarked"), {"a-renseigner-tri": "date"})
        text = oldest.content.decode()
        assert text.index("03/01/2023 à 09:00") < text.index("03/01/2023 à 10:00")
        by_phone = client.get(reverse("reception:unmarked"), {"a-renseigner-channel": "phone"})
        assert "Aucune tâche ne correspond aux filtres." in by_phone.content.decode()
    event = AuditEvent.objects.filter(action="view").latest("pk")
    assert event.detail["page"] == "Mes rendez-vous à renseigner"


def test_nothing_to_mark_says_so(client, agent):
    client.force_login(agent)
    assert "Tout est renseigné." in client.get(reverse("reception:unmarked")).content.decode()

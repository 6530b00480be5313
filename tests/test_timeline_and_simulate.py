import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from justedroit.core import timeline
from justedroit.core.roles import Role
from justedroit.registry.models import Household
from justedroit.twin import simulate

pytestmark = pytest.mark.django_db


def test_simulate_needs_a_twin_and_a_valid_period():
    with pytest.raises(CommandError, match="Construisez d'abord le jumeau"):
        call_command("twin", "simulate", "--from", "2021-01", "--to", "2022-12")


def test_simulate_runs_each_simulator_once_per_period(small_twin, monkeypatch):
    calls = []

    def fake(**kwargs):
        calls.append(kwargs["first_month"])
        return {"visites": 3}

    monkeypatch.setattr(simulate, "available", lambda: [("essai", fake)])
    with pytest.raises(CommandError, match="fin précède"):
        call_command("twin", "simulate", "--from", "2022-12", "--to", "2021-01")
    call_command("twin", "simulate", "--from", "2021-01", "--to", "2022-12", "--no-cycle")
    call_command("twin", "simulate", "--from", "2021-01", "--to", "2022-12", "--no-cycle")
    assert calls == [dt.date(2021, 1, 1)]


def test_household_page_gathers_the_contact_timeline(small_twin, client, make_user, monkeypatch):
    household = Household.objects.order_by("number").first()
    entry = timeline.TimelineEntry(
        at=dt.datetime(2022, 3, 4, 10, tzinfo=dt.UTC), channel="téléphone", title="Appel au 3230"
    )
    monkeypatch.setattr(
        timeline,
        "_PROVIDERS",
        [lambda household_id: [entry] if household_id == household.id else []],
    )
    client.force_login(make_user(Role.CASE_WORKER))
    url = reverse("registry:household_detail", args=[household.number])
    assert "Appel au 3230" in client.get(url).content.decode()
    assert "Appel au 3230" not in client.get(url, {"canal": "courriel"}).content.decode()

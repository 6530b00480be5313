import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from justedroit.core.roles import Role

pytestmark = pytest.mark.django_db


def test_indicators_json_has_the_agreed_keys(small_twin, capsys):
    call_command("indicators", "--year", "2022", "--format", "json")
    rows = {row["code"]: row for row in json.loads(capsys.readouterr().out)}
    assert {"households", "persons_covered", "population_share"} <= set(rows)
    households = rows["households"]
    assert {"code", "label", "year", "value", "unit", "previous", "published"} <= set(households)
    assert households["year"] == 2022 and households["published"] == 94_757
    assert households["value"] == 948  # the 1 % twin: 94,757 × 0.01
    assert households["value"] - households["previous"] == 7  # +700 × 0.01
    assert abs(rows["persons_covered"]["value"] - 2_066) <= 2_066 * 0.02


def test_indicators_table_and_page(small_twin, capsys, client, make_user):
    call_command("indicators", "--year", "2022")
    assert "Foyers allocataires" in capsys.readouterr().out
    client.force_login(make_user(Role.DIRECTOR))
    page = client.get(reverse("reporting:indicators"), {"annee": "2022"}).content.decode()
    assert "Foyers allocataires" in page and "94757" in page and "948" in page


def test_shared_aggregates_are_computed_once_per_report_only():
    from justedroit.core.indicators import report_cache, shared_within_report

    calls = []

    @shared_within_report
    def aggregate(year):
        calls.append(year)
        return year * 2

    with report_cache():
        assert aggregate(2022) == aggregate(2022) == 4044
        aggregate(2021)
    assert calls == [2022, 2021]
    aggregate(2022)  # outside a report: computed afresh, never stale
    assert calls == [2022, 2021, 2022]

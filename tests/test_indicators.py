import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from justedroit.core.roles import Role
from tests.factories import HouseholdFactory

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
    # French thousands separators; the year's monthly payments drawn and tabulated.
    assert "Foyers allocataires" in page and "94\u202f757" in page and "948" in page
    assert "Paiements mois par mois en 2022" in page


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


def test_the_report_is_kept_until_the_data_changes_or_a_recomputation(db, make_user):
    from justedroit.core import audit, clock
    from justedroit.core.models import AuditAction
    from justedroit.entitlements.models import Payment, Run
    from justedroit.reception import services as reception
    from justedroit.reception.models import Site
    from justedroit.reporting import selectors

    agent = make_user(Role.RECEPTION)
    household = HouseholdFactory()
    hour = iter(range(9, 17))

    def report(**options):
        with clock.frozen(dt.datetime(2023, 1, 2, next(hour))):
            return selectors.indicator_report(2022, **options).computed_at

    first = report()
    assert report() == first  # kept
    # A consultation of a household, audited as every one is: the report is kept.
    audit.audit_record(
        actor=agent, action=AuditAction.VIEW, household_number=household.number, obj=household
    )
    assert report() == first
    # A visitor's ticket, a payment, an audited change: each makes it stale.
    with clock.frozen(dt.datetime(2023, 1, 2, 8)):
        reception.ticket_issue(
            site=Site.objects.get(slug="chatellerault"),
            queue="reception",
            reason="payment",
            acting_user=agent,
        )
    after_ticket = report()
    assert after_ticket > first
    now = clock.now()
    run = Run.objects.create(month=dt.date(2022, 12, 1), as_of=now, wet=True, started_at=now)
    Payment.objects.create(
        run=run,
        household=household,
        benefit="aide_logement",
        month=dt.date(2022, 12, 1),
        amount=Decimal("200.00"),
        paid_at=now,
    )
    after_payment = report()
    assert after_payment > after_ticket
    audit.audit_record(
        actor=agent, action=AuditAction.UPDATE, household_number=household.number, obj=household
    )
    after_change = report()
    assert after_change > after_payment
    assert report(recompute=True) > after_change  # asked for


def test_the_report_version_follows_every_table_the_report_reads(small_twin):
    """The tables `data_version` follows are those the queries of a report name, no more, no
    fewer: an indicator reading a table not listed would otherwise be shown stale."""
    from justedroit.reporting import selectors

    queries: list[str] = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        selectors.indicator_rows(2022)
        selectors.monthly_payments(2022)
    text = "\n".join(queries)
    read = {
        model._meta.label
        for model in apps.get_models()
        if re.search(rf"(?<!\w){model._meta.db_table}(?!\w)", text)
    }
    assert read == set(selectors.READ_TABLES)


@pytest.mark.parametrize(
    "better, change, trend",
    [
        ("higher", 3, "better"),
        ("higher", -3, "worse"),
        ("lower", 3, "worse"),
        ("lower", -3, "better"),
        ("", 3, "neutral"),
        ("lower", 0, "neutral"),
    ],
)
def test_a_change_is_coloured_by_better_or_worse_not_by_its_sign(better, change, trend):
    from justedroit.reporting.selectors import IndicatorRow

    row = IndicatorRow("x", "X", "", "%", 2022, 10 + change, 10, None, "", better)
    assert row.trend == trend


def test_the_indicators_export_as_csv_and_recompute_on_demand(db, client, make_user):
    client.force_login(make_user(Role.MANAGER))
    export = client.get(reverse("reporting:indicators_csv"), {"annee": "2022"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header.startswith("Indicateur;Unité;2022;2021;Évolution;Sens souhaité")
    assert any(row.startswith("Foyers allocataires;foyers;") for row in rows)
    again = client.post(reverse("reporting:indicators") + "?annee=2022")
    assert again.status_code == 302 and again.url.endswith("?annee=2022")

import datetime as dt
import io
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from justedroit.channels import calibration as cal
from justedroit.channels import indicators, selectors
from justedroit.channels.models import Call, Document, EmailMessage, Procedure
from justedroit.channels.services import calls, emails, procedures
from justedroit.core import clock, timeline
from justedroit.core.roles import Role
from justedroit.registry.models import Household
from tests.conftest import REFERENCE_INSTANT
from tests.shared_world import world_transaction

P = clock.PARIS


def _call(call_id, at, household_number, reason="payment"):
    text = (
        "identifiant;file;debut;issue;attente_s;conversation_s;numero_appelant;"
        f"numero_allocataire;motif\n{call_id};general;{at};decroche;10;60;;{household_number};"
        f"{reason}\n"
    )
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "appels.csv"
        path.write_text(text, encoding="utf-8")
        _, report = calls.calls_import(path=path, acting_user=None)
    assert report.created == 1


def test_repeat_contacts_count_same_household_same_reason_within_30_days(household):
    _call("R1", "2022-03-01 10:00:00", "1234567")
    _call("R2", "2022-03-20 10:00:00", "1234567")  # repeat of R1 (19 days)
    _call("R3", "2022-05-20 10:00:00", "1234567")  # 61 days later: not a repeat
    _call("R4", "2022-05-21 10:00:00", "1234567", reason="debt")  # other reason
    inbound = emails.InboundEmail(
        "paul@example.org", "paiement", "", "<e1@x>", dt.datetime(2022, 6, 1, 9, tzinfo=P)
    )
    emails.email_receive(
        inbound=inbound, source="portal", household=household, reason="payment", acting_user=None
    )  # 12 days after R3, same reason: a repeat across channels
    assert selectors.repeat_contacts(2022) == (5, 2)
    assert indicators.repeat_contact_rate(2022) == Decimal("40.0")


def test_online_rate_per_procedure_and_overall(household):
    for channel in ("online", "online", "online", "paper"):
        procedures.procedure_record(
            household=household, kind="situation_change", channel=channel, acting_user=None
        )
    procedures.procedure_record(
        household=household, kind="claim", benefit="rsa", channel="online", acting_user=None
    )
    rates = {row["kind"]: row["rate"] for row in selectors.online_rates(2022)}
    assert rates == {
        "claim": Decimal("100.0"),
        "situation_change": Decimal("75.0"),
        "": Decimal("80.0"),
    }


@pytest.fixture(scope="module")
def _simulated(twin_module, django_db_blocker):
    """The twin's two years of contacts, simulated once for the module's twin tests."""
    with world_transaction(django_db_blocker), clock.frozen(REFERENCE_INSTANT):
        output = io.StringIO()
        call_command(
            "twin", "simulate", "--from", "2021-01", "--to", "2022-12", "--no-cycle", stdout=output
        )
        yield output.getvalue()


@pytest.fixture
def simulated(_simulated, db):
    return _simulated


def test_the_twin_activity_matches_the_seed_shares_and_scaled_volumes(simulated):
    assert "channels" in simulated
    for year in (2021, 2022):
        assert indicators.calls_received(year) == round(cal.CALLS_RECEIVED.by_year[year] * 0.01)
        assert indicators.emails_handled(year) == round(cal.EMAILS_HANDLED.by_year[year] * 0.01)
        for compute, target in [
            (indicators.documents_paper_share, cal.PAPER_SHARE),
            (indicators.documents_auto_rate, cal.AUTO_RATE),
            (indicators.online_procedure_rate, cal.ONLINE_RATE),
        ]:
            value = compute(year)
            assert abs(value - target.by_year[year]) / target.by_year[year] <= Decimal("0.02")
    # No event after the reference instant; email delays follow the working-day clock.
    now = clock.now()
    assert not Call.objects.filter(offered_at__gt=now).exists()
    assert not Document.objects.filter(processed_at__gt=now).exists()
    assert not EmailMessage.objects.filter(answered_at__gt=now).exists()
    assert indicators.email_backlog(2022) > 0
    assert Procedure.objects.filter(kind="claim", benefit="").count() == 0
    # The household page shows the twin's contacts.
    household = Household.objects.filter(calls__isnull=False).first()
    channels = {entry.channel for entry in timeline.household_timeline(household.id)}
    assert "téléphone" in channels


def test_indicators_command_shows_the_published_figures(simulated, capsys):
    call_command("indicators", "--year", "2022")
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.startswith("calls_received"))
    # code, label…, value 2022, value 2021, published, gap: the value is the twin's 1 % of the
    # published figure, and the published figure is the seed's.
    value, _previous, published, _gap, _unit = line.split()[-5:]
    assert int(published) == 208_521
    assert int(value) == round(208_521 * 0.01)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASE_WORKER])
def test_statistics_page_is_for_managers(client, make_user, household, role):
    _call("S1", "2022-03-01 10:00:00", "1234567")
    client.force_login(make_user(role))
    response = client.get("/agents/canaux/statistiques/", {"annee": "2022"})
    assert response.status_code == (200 if role == Role.MANAGER else 403)
    if role == Role.MANAGER:
        assert "Taux de décroché" in response.content.decode()

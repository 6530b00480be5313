"""Issue 9, low items: CSV cells a spreadsheet would run as formulas are neutralised in every
export; extreme query parameters on agent pages give a French 400, never a server error."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import resolve, reverse
from hypothesis import given
from hypothesis import strategies as st

from justedroit.core.exports import FORMULA_STARTS, csv_response, spreadsheet_safe
from justedroit.core.models import AuditEvent
from justedroit.core.roles import AGENT_ROLES, Role
from tests.privacy.test_audit_walk import ARGS, agent_url_names

ROOT = Path(__file__).resolve().parent.parent.parent


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_cells_that_start_a_formula_are_neutralised():
    for dangerous in ("=1+1", "+33549000000", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert spreadsheet_safe(dangerous) == "'" + dangerous
    assert spreadsheet_safe("Durand") == "Durand"
    assert spreadsheet_safe(Decimal("-12.50")) == Decimal("-12.50")  # an amount, not a formula
    assert spreadsheet_safe(-3) == -3 and spreadsheet_safe(None) == ""


@given(st.lists(st.text(max_size=30), min_size=1, max_size=5))
def test_no_exported_text_cell_can_start_a_formula(cells):
    rows = read_csv(csv_response(filename="x.csv", header=["a"] * len(cells), rows=[cells]))
    assert len(rows) == 2
    for typed, exported in zip(cells, rows[1], strict=True):
        if typed.startswith(FORMULA_STARTS):
            assert exported.replace("\r\n", "\n") == ("'" + typed).replace("\r\n", "\n")
        else:
            assert not exported.startswith(FORMULA_STARTS)


def test_every_csv_export_goes_through_the_one_helper():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "justedroit").rglob("*.py")
        if path.name != "exports.py"
        and any(
            marker in path.read_text(encoding="utf-8")
            for marker in ("csv.writer", "csv.DictWriter", "text/csv")
        )
    ]
    assert offenders == []


@pytest.mark.django_db
def test_the_audit_export_neutralises_an_agents_formula(client, make_user, world):
    agent = make_user(Role.CASE_WORKER, username="-2+3")  # Django allows these characters
    client.force_login(agent)
    client.get(reverse("registry:household_detail", args=["8610001"]))
    client.force_login(make_user(Role.DATA_PROTECTION_OFFICER, username="dora"))
    response = client.get(reverse("core:audit_export"), {"household_number": "8610001"})
    assert response["Content-Disposition"].startswith("attachment;")
    rows = read_csv(response)
    assert rows[0][:2] == ["Date", "Agent"]
    consult = next(row for row in rows[1:] if row[1] == "'-2+3")
    assert consult[4:6] == ["Consultation", "8610001"]
    export = AuditEvent.objects.get(action="export")
    assert export.actor.username == "dora"
    assert export.detail["filters"] == {"household_number": "8610001"}
    assert export.detail["rows"] == len(rows) - 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["channels:statistics", "reporting:indicators"])
def test_an_extreme_year_is_a_french_400(client, make_user, name):
    client.force_login(make_user(Role.MANAGER))
    for year in ("999999999999", "-1", "1e309", "deux mille"):
        response = client.get(reverse(name), {"annee": year})
        assert response.status_code == 400
        assert "L&#x27;année doit être un nombre entre 2000 et 2023" in response.content.decode()


@pytest.mark.django_db
def test_a_year_in_range_is_shown(client, make_user):
    client.force_login(make_user(Role.MANAGER))
    assert client.get(reverse("channels:statistics"), {"annee": "2021"}).status_code == 200


EXTREMES = ["999999999999", "-1", "9999-12-31", "0001-01-01", "x" * 5000, "\x00", "%", "1e309"]
PARAMETERS = [
    "annee",
    "page",
    "canal",
    "q",
    "motif",
    "numero",
    "household",
    "first_day",
    "type",
    "site",
    "need",
    "household_number",
    "username",
    "action",
    "date_from",
    "date_to",
]


@pytest.mark.django_db
def test_extreme_query_parameters_never_give_a_server_error(client, make_user, world):
    """Every agent page, as a role that may open it, with every parameter the pages read set to
    values past their range. The test client re-raises a server error, which fails the test."""
    for name in agent_url_names():
        url = reverse(name, args=ARGS[name](world) if name in ARGS else [])
        gate = resolve(url).func.permission
        role = next(r for r in sorted(AGENT_ROLES) if gate(make_user(r)))
        client.force_login(make_user(role))
        for value in EXTREMES:
            response = client.get(url, dict.fromkeys(PARAMETERS, value))
            assert response.status_code in (200, 400), (name, role, value)


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2022-13"])
def test_an_extreme_month_of_explanation_is_not_a_server_error(client, make_user, world, month):
    client.force_login(make_user(Role.CASE_WORKER))
    response = client.get(reverse("entitlements:explanation", args=["8610001", month]))
    assert response.status_code in (200, 400)


@pytest.mark.django_db
def test_a_document_number_past_the_database_range_is_not_found(client, make_user, world):
    client.force_login(make_user(Role.CASE_WORKER))
    for name in ("channels:document_detail", "channels:document_file"):
        assert client.get(reverse(name, args=[2**70])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("first_day", ["9999-12-31", "0001-01-01"])
def test_searching_slots_from_an_extreme_day_is_not_a_server_error(client, make_user, first_day):
    client.force_login(make_user(Role.RECEPTION))
    response = client.get(
        reverse("reception:book"), {"type": "dossier-sur-place", "first_day": first_day}
    )
    assert response.status_code in (200, 400)

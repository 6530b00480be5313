"""Agents' pages speak French: walked with a paid household, no page shows an OpenFisca variable
name, a raw choice value where its label belongs, or a commune's Insee code."""

import html
import re

import pytest
from django.urls import reverse

from justedroit.core.roles import Role
from justedroit.registry import services as registry
from justedroit.registry.models import Activity, Benefit, FactKind, FactSource, HousingStatus
from justedroit.rules.explain import LABELS
from tests.e2e import world

pytestmark = pytest.mark.django_db
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)
TAG = re.compile(r"<[^>]+>")


def visible_text(page: str) -> str:
    """What a person reads: no tags, no attribute values, no script or style."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(TAG.sub(" ", page))


def raw_choice_values() -> set[str]:
    """The stored values of the facts, benefits, sources and roles these pages show, where they
    differ from their French label (other codes are caught as snake_case words)."""
    return {
        value
        for choices in (FactKind, Activity, HousingStatus, FactSource, Benefit, Role)
        for value, label in choices.choices
        if value != label
    }


def raw_codes(page: str, communes: set[str]) -> list[str]:
    text = visible_text(page)
    found = [name for name in LABELS if name in text]
    found += SNAKE_CASE.findall(text)
    found += [code for code in communes if re.search(rf"\b{code}\b", text)]
    values = raw_choice_values()
    found += [
        cell for cell in (visible_text(c).strip() for c in CELL.findall(page)) if cell in values
    ]
    return found


@pytest.fixture
def paid(client):
    home = world.paid_household()
    worker = world.person(Role.CASE_WORKER, "gestionnaire")
    registry.household_consult(household=home, acting_user=worker, reason="Appel", page="Foyer")
    return home


def test_the_walker_sees_codes_where_they_are():
    """The check itself: it finds each kind of code in a page that shows them."""
    page = (
        "<p>aide_logement_loyer_retenu</p><table><tr><td>tenant</td></tr></table>"
        "<p>Poitiers (86194)</p>"
    )
    assert sorted(raw_codes(page, {"86194"})) == [
        "86194",
        "aide_logement_loyer_retenu",
        "aide_logement_loyer_retenu",
        "tenant",
    ]
    assert raw_codes('<a href="/x?kind=housing_status">Statut</a>', {"86194"}) == []


@pytest.mark.parametrize(
    "role, name, args",
    [
        (Role.CASE_WORKER, "registry:household_detail", ["7654321"]),
        (Role.CASE_WORKER, "entitlements:household_rights", ["7654321"]),
        (Role.CASE_WORKER, "entitlements:explanation", ["7654321", "2022-06"]),
        (Role.DATA_PROTECTION_OFFICER, "core:audit_trail", []),
        (Role.MANAGER, "reporting:indicators", []),
        (Role.MANAGER, "channels:statistics", []),
    ],
)
def test_agents_pages_show_labels_not_codes(client, make_user, paid, role, name, args):
    client.force_login(make_user(role, username="agent-test"))  # not the role's code
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert raw_codes(response.content.decode(), {paid.commune_id}) == []

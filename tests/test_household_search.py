"""Issue 11, item 1: the household search shows who people are (names, birth years, claims),
searches by name, number, NIR (POST only) or birth date, pages with a count, stays within what
each role may see, and audits every page of results."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.registry import selectors
from justedroit.registry.models import Benefit, Claim, ClaimStatus
from justedroit.registry.selectors import SEARCH_PAGE_SIZE
from tests.channels.conftest import fuzz_examples
from tests.conftest import REFERENCE_INSTANT
from tests.factories import HouseholdFactory, claimant

pytestmark = pytest.mark.django_db
URL = "registry:household_search"
SEARCHERS = {
    Role.RECEPTION,
    Role.CASE_WORKER,
    Role.CONTROLLER,
    Role.RECOVERY_AGENT,
    Role.CRA_SECRETARY,
    Role.VERIFIER,
    Role.MANAGER,
    Role.ADMINISTRATOR,
}


@pytest.fixture
def family():
    household = HouseholdFactory(
        number="8600001",
        members=[
            claimant(
                last_name="Lefèvre",
                first_name="Amina",
                sex=2,
                birth_date=dt.date(1988, 3, 4),
                serial=11,
            ),
            claimant(
                last_name="Lefèvre",
                first_name="Noé",
                birth_date=dt.date(2015, 6, 30),
                serial=12,
                role="child",
            ),
        ],
    )
    Claim.objects.create(
        household=household,
        benefit=Benefit.AF,
        start_month=dt.date(2022, 1, 1),
        status=ClaimStatus.GRANTED,
        recorded_at=REFERENCE_INSTANT.replace(tzinfo=dt.UTC),
    )
    return household


def search(client, **data):
    return client.post(reverse(URL), data)


def test_results_name_the_people_their_birth_years_and_the_claims(client, make_user, family):
    client.force_login(make_user(Role.CASE_WORKER))
    page = search(client, q="lefe ami").content.decode()
    assert "1 foyer trouvé" in page
    assert "Amina Lefèvre (allocataire, 1988)" in page
    assert "Noé Lefèvre (enfant, 2015)" in page
    assert "Allocations familiales (ouverte)" in page
    assert "Poitiers" in page


def test_search_by_birth_date_alone_or_with_a_name(client, make_user, family):
    HouseholdFactory(number="8600002", members=[claimant(last_name="Martin", serial=21)])
    client.force_login(make_user(Role.RECEPTION))
    assert "8600001" in search(client, birth_date="30/06/2015").content.decode()
    assert "8600001" in search(client, q="Lefèvre", birth_date="2015-06-30").content.decode()
    nobody = search(client, q="Martin", birth_date="30/06/2015").content.decode()
    assert "Aucun foyer ne correspond" in nobody and "8600002" not in nobody


def test_name_words_must_match_one_same_person(family):
    # "Noé" is the child, "Amina" the mother: no single person is both.
    assert list(selectors.households_search("noé amina")) == []
    assert list(selectors.households_search("noé lef")) == [family]


def test_search_by_number_and_by_nir_never_puts_the_nir_in_the_trail(client, make_user, family):
    client.force_login(make_user(Role.CASE_WORKER))
    nir = family.memberships.get(role="claimant").person.nir
    assert "8600001" in search(client, q="8600001").content.decode()
    page = search(client, q=nir).content.decode()
    assert "Amina Lefèvre" in page
    event = AuditEvent.objects.filter(action="search").latest("pk")
    assert nir not in str(event.detail) and "query_digest" in event.detail
    assert event.detail["page"] == "Recherche par NIR"


def test_a_get_with_a_query_searches_nothing(client, make_user, family):
    """The search is a POST form: a NIR or a name in a link is ignored, not searched."""
    client.force_login(make_user(Role.CASE_WORKER))
    page = client.get(reverse(URL), {"q": "Lefèvre"}).content.decode()
    assert "Amina" not in page and not AuditEvent.objects.filter(action="search").exists()


def test_paging_counts_and_audits_each_page_with_its_households(client, make_user):
    for n in range(SEARCH_PAGE_SIZE + 3):
        HouseholdFactory(
            number=f"{8_610_000 + n:07d}", members=[claimant(last_name="Bernard", serial=100 + n)]
        )
    client.force_login(make_user(Role.CASE_WORKER))
    first = search(client, q="Bernard").content.decode()
    assert f"{SEARCH_PAGE_SIZE + 3} foyers trouvés" in first
    assert f"Foyers 1 à {SEARCH_PAGE_SIZE} — page 1 sur 2" in first
    assert "Page suivante" in first and "8610022" not in first
    second = search(client, q="Bernard", page="2").content.decode()
    assert "Foyers 21 à 23 — page 2 sur 2" in second and "8610022" in second
    events = list(AuditEvent.objects.filter(action="search").order_by("pk"))
    assert [sorted(h.number for h in e.households.all())[-1] for e in events] == [
        "8610019",
        "8610022",
    ]
    assert events[1].detail["found"] == SEARCH_PAGE_SIZE + 3
    assert events[1].detail["result_page"] == 2


@pytest.mark.parametrize("role", sorted(set(Role) - SEARCHERS))
def test_a_role_that_may_not_see_a_household_gets_nothing(client, make_user, family, role):
    client.force_login(make_user(role))
    response = search(client, q="Lefèvre")
    assert response.status_code == 403
    assert "Lefèvre" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="search").exists()


@pytest.mark.parametrize("role", sorted(SEARCHERS))
def test_each_role_that_searches_sees_people_and_claims(client, make_user, family, role):
    """Every searching role needs identity and claims (need-to-know table); none sees the NIR."""
    client.force_login(make_user(role))
    page = search(client, q="Lefèvre").content.decode()
    nir = family.memberships.get(role="claimant").person.nir
    assert "Amina Lefèvre" in page and "Allocations familiales" in page and nir not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"q": ""}, "Saisissez un numéro allocataire, un NIR, un nom ou une date de naissance."),
        ({"q": "Durand", "page": "0"}, "Le numéro de page commence à 1."),
        ({"q": "   "}, "Saisissez un numéro allocataire"),
        ({"q": "x" * 101}, "Saisissez au plus 100 caractères."),
        ({"birth_date": "31/02/1990"}, "Saisissez une date au format JJ/MM/AAAA"),
        ({"birth_date": "01/01/1850"}, "La date de naissance doit être comprise entre"),
        ({"q": "Le\x07fèvre"}, "caractères non imprimables"),
    ],
)
def test_a_bad_search_says_why_in_french(client, make_user, data, message):
    client.force_login(make_user(Role.CASE_WORKER))
    response = search(client, **data)
    assert response.status_code == 400
    assert message in response.content.decode()


@settings(
    max_examples=fuzz_examples(40), suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(max_size=120),
    birth_date=st.one_of(st.text(max_size=12), st.dates().map(lambda d: f"{d:%d/%m/%Y}")),
    page=st.one_of(st.text(max_size=6), st.integers().map(str)),
)
def test_hostile_search_input_gets_a_french_answer_never_a_500(
    client, make_user, q, birth_date, page
):
    client.force_login(make_user(Role.CASE_WORKER))
    response = search(client, q=q, birth_date=birth_date, page=page)
    assert response.status_code in (200, 400)
    body = response.content.decode()
    assert "Rechercher un foyer" in body
    if response.status_code == 400:
        assert 'class="error"' in body


def test_names_match_whatever_their_accents_case_or_punctuation(family):
    HouseholdFactory(number="8600003", members=[claimant(last_name="D'Arc-Élie", serial=31)])
    assert list(selectors.households_search("LEFEVRE")) == [family]
    assert list(selectors.households_search("lefè noe")) == [family]
    assert [h.number for h in selectors.households_search("d'arc-eli")] == ["8600003"]
    assert list(selectors.households_search("l.f")) == []  # a dot is a dot, not any letter
    assert list(selectors.households_search("[^x]")) == []

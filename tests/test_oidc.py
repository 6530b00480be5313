"""OpenID Connect: agents through the Caf's identity provider, allocataires through FranceConnect,
both against a local provider over real HTTP with real signatures (tests/oidc_provider.py)."""

import datetime as dt
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from joserfc.jwk import RSAKey

from justedroit.core import clock
from justedroit.core.models import AuditEvent, ExternalIdentity, User
from justedroit.core.roles import Role
from justedroit.registry.models import HouseholdAccount
from tests.conftest import REFERENCE_INSTANT
from tests.factories import HouseholdFactory, claimant
from tests.oidc_provider import MockProvider, browse_login, provider_callback

pytestmark = pytest.mark.django_db
AGENTS_LOGIN = reverse("core:caf_agents_login")
FC_LOGIN = reverse("core:franceconnect_login")


@pytest.fixture(scope="module")
def provider():
    with MockProvider() as running:
        yield running


@pytest.fixture(scope="module")
def franceconnect():
    with MockProvider(userinfo_as_jwt=True) as running:
        yield running


def _reset(provider: MockProvider, identity: dict) -> MockProvider:
    provider.identity = identity
    provider.signing_key = provider.key
    provider.id_token_overrides = {}
    provider.userinfo_overrides = {}
    return provider


@pytest.fixture
def idp(provider, settings):
    settings.JUSTEDROIT_OIDC_PROVIDERS = {
        "caf_agents": provider.settings(username_claim="preferred_username")
    }
    return _reset(provider, {"sub": "caf-0001", "preferred_username": "alice"})


@pytest.fixture
def fc(franceconnect, settings):
    settings.JUSTEDROIT_OIDC_PROVIDERS = {
        "franceconnect": franceconnect.settings(
            scope="openid given_name family_name birthdate", acr_values="eidas1"
        )
    }
    return _reset(
        franceconnect,
        {
            "sub": "fc-4f2a",
            "given_name": "Paul Marcel",
            "family_name": "DURAND",
            "birthdate": "1985-02-01",
        },
    )


def logged_in_user(client):
    return client.get(reverse("core:home")).wsgi_request.user


def login_events(event: str):
    return AuditEvent.objects.filter(action="login", detail__event=event)


# --- Agents ------------------------------------------------------------------------------------


def test_an_agent_logs_in_through_the_caf_identity_provider(client, make_user, idp):
    alice = make_user(Role.CASE_WORKER, username="alice")
    response = browse_login(client, AGENTS_LOGIN)
    assert response["Location"] == reverse("core:home")
    assert logged_in_user(client) == alice
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.issuer, identity.subject) == (alice, idp.issuer, "caf-0001")
    login = login_events("login").get()
    assert (login.actor, login.detail["method"], login.detail["ip"]) == (
        alice,
        "oidc_caf_agents",
        "127.0.0.1",
    )


def test_the_authorization_request_uses_pkce_and_long_state_and_nonce(client, idp):
    query = parse_qs(urlsplit(client.get(AGENTS_LOGIN)["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == ["http://testserver" + reverse("core:caf_agents_callback")]


def test_no_account_is_created_for_an_unknown_agent(client, idp):
    idp.identity = {"sub": "caf-0666", "preferred_username": "mallory"}
    before = User.objects.count()
    response = browse_login(client, AGENTS_LOGIN)
    assert response["Location"] == reverse("core:login")
    assert not logged_in_user(client).is_authenticated
    assert User.objects.count() == before
    failure = login_events("failure").get()
    assert (failure.detail["username"], failure.detail["reason"]) == ("mallory", "unknown_account")


def test_the_agents_provider_cannot_open_a_non_agent_account(client, make_user, idp):
    make_user(Role.CLAIMANT, username="alice")
    browse_login(client, AGENTS_LOGIN)
    assert not logged_in_user(client).is_authenticated
    assert not ExternalIdentity.objects.exists()
    assert login_events("failure").get().detail["reason"] == "not_an_agent"


def test_a_reassigned_identifier_does_not_inherit_the_account(client, make_user, idp):
    alice = make_user(Role.CASE_WORKER, username="alice")
    browse_login(client, AGENTS_LOGIN)
    client.post(reverse("core:logout"))
    idp.identity = {"sub": "caf-0999", "preferred_username": "alice"}  # another person, same name
    browse_login(client, AGENTS_LOGIN)
    assert not logged_in_user(client).is_authenticated
    assert ExternalIdentity.objects.get().subject == "caf-0001"
    assert login_events("failure").get().detail["reason"] == "subject_changed"
    # The pinned identity still works, and wins even if its name at the provider changed.
    idp.identity = {"sub": "caf-0001", "preferred_username": "alice.martin"}
    browse_login(client, AGENTS_LOGIN)
    assert logged_in_user(client) == alice


@pytest.mark.parametrize(
    "tampering",
    [
        {"nonce": "un-autre-nonce"},
        {"aud": "un-autre-client"},
        {"iss": "http://127.0.0.1:1"},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
        {"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"},
    ],
    ids=["nonce", "audience", "issuer", "expired", "at_hash"],
)
def test_an_id_token_with_a_wrong_claim_is_refused(client, make_user, idp, tampering):
    make_user(Role.CASE_WORKER, username="alice")
    idp.id_token_overrides = tampering
    browse_login(client, AGENTS_LOGIN)
    assert not logged_in_user(client).is_authenticated
    assert login_events("failure").get().detail["reason"].startswith("token:")
    assert not login_events("login").exists()


def test_an_id_token_signed_by_another_key_is_refused(client, make_user, idp):
    make_user(Role.CASE_WORKER, username="alice")
    idp.signing_key = RSAKey.generate_key(2048, parameters={"kid": idp.key.kid})
    browse_login(client, AGENTS_LOGIN)
    assert not logged_in_user(client).is_authenticated
    assert login_events("failure").get().detail["reason"].startswith("token:")


def test_a_callback_not_started_in_this_browser_is_refused(client, make_user, idp):
    """Login CSRF: an attacker's code and state, replayed in the victim's browser."""
    make_user(Role.CASE_WORKER, username="alice")
    attackers_callback = provider_callback(Client(), AGENTS_LOGIN)
    token_requests = idp.token_requests
    client.get(attackers_callback)
    assert not logged_in_user(client).is_authenticated
    assert idp.token_requests == token_requests  # the code was not even redeemed
    assert login_events("failure").get().detail["reason"].startswith("oauth:")


def test_a_callback_cannot_be_replayed(client, make_user, idp):
    make_user(Role.CASE_WORKER, username="alice")
    callback = provider_callback(client, AGENTS_LOGIN)
    client.get(callback)
    client.post(reverse("core:logout"))
    client.get(callback)
    assert not logged_in_user(client).is_authenticated
    assert login_events("login").count() == 1


def test_an_agent_from_the_provider_needs_no_local_code(client, make_user, idp, settings):
    settings.JUSTEDROIT_AGENT_PASSWORD_NEEDS_OTP = True
    alice = make_user(Role.CASE_WORKER, username="alice")
    browse_login(client, AGENTS_LOGIN)
    assert logged_in_user(client) == alice


def test_logging_out_ends_the_providers_session_too(client, make_user, idp):
    alice = make_user(Role.CASE_WORKER, username="alice")
    browse_login(client, AGENTS_LOGIN)
    response = client.post(reverse("core:logout"))
    end = urlsplit(response["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{idp.issuer}/logout"
    query = parse_qs(end.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver" + reverse("core:login")]
    assert query["id_token_hint"][0].count(".") == 2
    assert not logged_in_user(client).is_authenticated
    assert login_events("logout").get().actor == alice


def test_an_unconfigured_provider_is_not_found(client, settings):
    settings.JUSTEDROIT_OIDC_PROVIDERS = {}
    assert client.get(AGENTS_LOGIN).status_code == 404
    assert client.get(FC_LOGIN).status_code == 404


# --- FranceConnect -----------------------------------------------------------------------------


@pytest.fixture
def durand(make_user):
    """Paul Durand, born 1 February 1985, allocataire with an account."""
    user = make_user(Role.CLAIMANT, username="paul.durand")
    user.set_password("mot-de-passe-de-paul")
    user.save()
    HouseholdAccount.objects.create(user=user, household=HouseholdFactory(number="7654321"))
    return user


def password_login(client, username, password):
    return client.post(reverse("core:login"), {"username": username, "password": password})


def test_franceconnect_links_once_after_a_password_login_then_suffices(client, durand, fc):
    first = browse_login(client, FC_LOGIN)
    assert first["Location"] == reverse("core:login")
    assert not logged_in_user(client).is_authenticated
    assert "Première connexion avec FranceConnect" in client.get(reverse("core:login")).text
    password_login(client, "paul.durand", "mot-de-passe-de-paul")
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.provider, identity.subject) == (
        durand,
        "franceconnect",
        "fc-4f2a",
    )
    assert login_events("identity_link").get().actor == durand
    client.post(reverse("core:logout"))

    browse_login(client, FC_LOGIN)
    assert logged_in_user(client) == durand
    assert login_events("login").filter(detail__method="oidc_franceconnect").count() == 1


def test_franceconnect_requests_eidas1_and_reads_signed_userinfo(client, durand, fc):
    query = parse_qs(urlsplit(client.get(FC_LOGIN)["Location"]).query)
    assert query["acr_values"] == ["eidas1"]
    fc.userinfo_overrides = {"sub": "fc-autre"}  # signed userinfo about someone else
    browse_login(client, FC_LOGIN)
    assert login_events("failure").get().detail["reason"] == "userinfo_subject_mismatch"


def test_another_persons_franceconnect_identity_is_not_linked(client, durand, fc):
    fc.identity = {**fc.identity, "birthdate": "1986-02-01"}
    browse_login(client, FC_LOGIN)
    response = password_login(client, "paul.durand", "mot-de-passe-de-paul")
    assert logged_in_user(client) == durand  # the password login itself stands
    assert "ne correspond pas" in client.get(response["Location"], follow=True).text
    assert not ExternalIdentity.objects.exists()
    assert login_events("failure").get().detail["reason"] == "identity_mismatch"


def test_a_spouse_or_usage_name_matches_but_a_child_does_not(client, make_user, fc):
    household = HouseholdFactory(
        number="7654322",
        members=[
            claimant(),
            claimant(
                last_name="Martin",
                first_name="Léa",
                sex=2,
                birth_date=dt.date(1987, 5, 3),
                serial=8,
                role="spouse",
            ),
        ],
    )
    user = make_user(Role.CLAIMANT, username="foyer-durand")
    user.set_password("mot-de-passe-du-foyer")
    user.save()
    HouseholdAccount.objects.create(user=user, household=household)
    fc.identity = {
        "sub": "fc-lea",
        "given_name": "Léa",
        "family_name": "Dupont",  # birth name; Martin is her usage name
        "preferred_username": "MARTIN",
        "birthdate": "1987-05-03",
    }
    browse_login(client, FC_LOGIN)
    password_login(client, "foyer-durand", "mot-de-passe-du-foyer")
    assert ExternalIdentity.objects.get().subject == "fc-lea"


def test_a_pending_franceconnect_identity_expires(client, durand, fc):
    browse_login(client, FC_LOGIN)
    with clock.frozen(REFERENCE_INSTANT + dt.timedelta(minutes=11)):
        password_login(client, "paul.durand", "mot-de-passe-de-paul")
    assert not ExternalIdentity.objects.exists()

"""Partners' API tokens: the command and the page to create, list and revoke them; hash-only
storage (the migration that moved them to core: test_api_tokens_migration.py)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from justedroit.core import clock, services
from justedroit.core.models import ApiIdempotencyKey, ApiToken, AuditEvent
from justedroit.core.roles import Role

pytestmark = pytest.mark.django_db
FIELDS = ("action", "user", "label", "valid_days", "token")


def run(*args) -> str:
    out = io.StringIO()
    call_command("api-tokens", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def partner(make_user):
    return make_user(Role.PARTNER_EFS, username="efs-civray")


def test_the_command_creates_lists_and_revokes_tokens(partner, make_user):
    make_user(Role.ADMINISTRATOR, username="admin")
    dry = run("create", "--user", "efs-civray", "--label", "logiciel RDV", "--days", "30")
    assert "rien n'est écrit" in dry and not ApiToken.objects.exists()

    wet = run("create", "--user", "efs-civray", "--days", "30", "--operator", "admin", "--wet-run")
    secret = wet.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert services.api_token_use(secret=secret) == token
    assert token.expires_at == clock.now() + dt.timedelta(days=30)
    assert secret not in str(list(ApiToken.objects.values_list()))  # only its hash is kept
    event = AuditEvent.objects.get(object_type="core.ApiToken")
    assert (event.actor.username, event.operator) == ("admin", "admin")

    listed = run("list")
    assert f"{token.prefix}…" in listed and "efs-civray" in listed and "actif" in listed
    assert secret not in listed and token.key_hash not in listed

    run("revoke", token.prefix)
    assert ApiToken.objects.get().revoked_at is None  # dry run
    run("revoke", token.prefix, "--wet-run")
    assert ApiToken.objects.get().revoked_at == clock.now()
    assert services.api_token_use(secret=secret) is None
    assert "révoqué" in run("list") and run("list", "--active").strip() == "Aucun jeton."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--user", "personne", "--wet-run"], "Compte inconnu"),
        (["create", "--user", "agent", "--wet-run"], "comptes partenaires"),
        (["create", "--user", "efs-civray", "--days", "400", "--wet-run"], "1 à 366 jours"),
        (["revoke", "zzzzzzzz", "--wet-run"], "Aucun jeton"),
    ],
)
def test_the_command_refuses_in_french_and_writes_nothing(partner, make_user, args, message):
    make_user(Role.CASE_WORKER, username="agent")
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not ApiToken.objects.exists()


def test_purging_drops_only_expired_idempotency_keys(partner):
    token = services.api_token_create(user=partner, acting_user=None).token
    for key, hours in (("vieille", -1), ("fraiche", 1)):
        ApiIdempotencyKey.objects.create(
            token=token,
            key=key,
            fingerprint="0" * 64,
            status_code=201,
            created_at=clock.now(),
            expires_at=clock.now() + dt.timedelta(hours=hours),
        )
    assert "1 clé" in run("purge-keys", "--wet-run")
    assert list(ApiIdempotencyKey.objects.values_list("key", flat=True)) == ["fraiche"]


def test_a_manager_creates_and_revokes_a_token_from_the_page(client, partner, make_user):
    client.force_login(make_user(Role.MANAGER, username="chef"))
    url = reverse("core:api_tokens")
    created = client.post(
        url, {"action": "create", "user": partner.pk, "label": "RDV", "valid_days": "90"}
    )
    token = ApiToken.objects.get()
    shown = created.content.decode()
    secret = shown.split('id="jeton-cree" type="text" readonly size="50" value="')[1].split('"')[0]
    assert services.api_token_use(secret=secret) == token
    assert "no-store" in created["Cache-Control"]
    listing = client.get(url).content.decode()
    assert f"{token.prefix}…" in listing and secret not in listing

    client.post(url, {"action": "revoke", "token": token.pk})
    assert ApiToken.objects.get().revoked_at == clock.now()
    assert services.api_token_use(secret=secret) is None


def test_the_page_refuses_other_roles_and_bad_input(client, partner, make_user):
    client.force_login(make_user(Role.CASE_WORKER))
    url = reverse("core:api_tokens")
    denied = client.post(url, {"action": "create", "user": partner.pk, "valid_days": "90"})
    assert denied.status_code == 403 and not ApiToken.objects.exists()
    client.force_login(make_user(Role.ADMINISTRATOR))
    for bad in ({"valid_days": "0"}, {"valid_days": "367"}, {"user": "999999"}):
        data = {"action": "create", "user": partner.pk, "valid_days": "90"} | bad
        assert client.post(url, data).status_code == 400
    assert not ApiToken.objects.exists()
    huge = client.post(url, {"action": "revoke", "token": "9" * 40}, follow=True)
    assert "Jeton inconnu" in huge.content.decode()


def test_the_page_never_fails_on_hostile_input(client, partner, make_user):
    """Whatever is posted: the new secret shown once (200, one token more), a redirect after a
    revocation, or a refusal that wrote nothing — never a 500."""
    client.force_login(make_user(Role.MANAGER, username="chef"))
    url = reverse("core:api_tokens")
    values = st.one_of(
        st.text(max_size=12),
        st.sampled_from(["", "create", "revoke", str(partner.pk), "1", "0", "-1", "367", "\x00"]),
    )

    @hypothesis_settings(suppress_health_check=list(HealthCheck), deadline=None)
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, values)))
    def post(data):
        before = (ApiToken.objects.count(), ApiToken.objects.filter(revoked_at=None).count())
        response = client.post(url, data)
        after = (ApiToken.objects.count(), ApiToken.objects.filter(revoked_at=None).count())
        assert response.status_code in (200, 302, 400), (data, response.status_code)
        if response.status_code == 400:
            assert after == before
        elif response.status_code == 200:
            assert after[0] == before[0] + 1 and 'id="jeton-cree"' in response.content.decode()

    post()

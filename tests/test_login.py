"""Password login behind the reverse proxy, its audit trail, the agents' second factor, password
change and reset, and the demo accounts kept off real instances."""

import ipaddress
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from justedroit.core.auth.client_ip import client_ip
from justedroit.core.auth.otp import totp_device_create
from justedroit.core.models import AuditEvent, User
from justedroit.core.roles import Role

pytestmark = pytest.mark.django_db
LOGIN = reverse("core:login")
PROXY = "10.0.0.2"
PASSWORD = "un-mot-de-passe-assez-long"


@pytest.fixture
def behind_proxy(settings):
    settings.JUSTEDROIT_TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.0/29"),)


@pytest.fixture
def carol(make_user):
    user = make_user(Role.CASE_WORKER, username="carol", email="carol@vienne.caf.example")
    user.set_password(PASSWORD)
    user.save()
    return user


def via_proxy(client_address: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


def attempt(client, password, username="carol", **meta):
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


def logged_in_user(client):
    return client.get(reverse("core:home")).wsgi_request.user


def login_events(event: str):
    return AuditEvent.objects.filter(action="login", detail__event=event)


# --- The client's real address -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote_addr", "forwarded", "expected"),
    [
        ("10.0.0.2", "203.0.113.7", "203.0.113.7"),  # through our proxy
        ("10.0.0.2", "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # the client's own header is ignored
        ("10.0.0.2", "203.0.113.7, 10.0.0.3", "203.0.113.7"),  # two of our proxies in a row
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "pas-une-adresse", "10.0.0.2"),
        ("198.51.100.50", "203.0.113.7", "198.51.100.50"),  # not our proxy: header not believed
        ("2001:db8::5", "203.0.113.7", "2001:db8::5"),
    ],
)
def test_the_client_address_is_read_only_from_a_trusted_proxy(
    rf, behind_proxy, remote_addr, forwarded, expected
):
    request = rf.get("/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_without_trusted_proxies_the_header_is_never_believed(rf):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip(request) == PROXY


def test_a_lockout_behind_the_proxy_locks_one_user_at_one_address(client, carol, behind_proxy):
    """Five failures from one agent's workstation lock carol there, not every agent behind the
    proxy, and not carol at her own workstation."""
    for _ in range(5):
        attempt(client, "mauvais", **via_proxy("203.0.113.7"))
    assert attempt(client, PASSWORD, **via_proxy("203.0.113.7")).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}

    elsewhere = Client()
    assert attempt(elsewhere, PASSWORD, **via_proxy("198.51.100.9")).status_code == 302
    assert logged_in_user(elsewhere) == carol


def test_a_forged_forwarded_header_neither_hides_nor_frames_anyone(client, carol, behind_proxy):
    """A client reaching the application directly cannot choose the address it is recorded
    under, nor escape the lockout by changing the header at each attempt."""
    for n in range(5):
        attempt(client, "mauvais", REMOTE_ADDR="198.51.100.50", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
    assert attempt(client, PASSWORD, REMOTE_ADDR="198.51.100.50").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.50"}
    assert set(login_events("failure").values_list("detail__ip", flat=True)) == {"198.51.100.50"}


# --- The audit trail of logins -----------------------------------------------------------------


def test_logins_logouts_and_failures_are_audited_without_any_password(client, carol, behind_proxy):
    attempt(client, "secret-tape-par-erreur", **via_proxy("203.0.113.7"))
    attempt(client, "x", username="inconnu", **via_proxy("203.0.113.7"))
    attempt(client, PASSWORD, **via_proxy("203.0.113.7"))
    client.post(reverse("core:logout"), **via_proxy("203.0.113.7"))

    failures = login_events("failure").order_by("id")
    assert [(e.actor, e.detail["username"], e.detail["ip"]) for e in failures] == [
        (None, "carol", "203.0.113.7"),
        (None, "inconnu", "203.0.113.7"),
    ]
    login = login_events("login").get()
    assert (login.actor, login.actor_role, login.detail["method"], login.detail["ip"]) == (
        carol,
        "case_worker",
        "password",
        "203.0.113.7",
    )
    assert login_events("logout").get().actor == carol
    everything = str(list(AuditEvent.objects.values("reason", "detail")))
    assert "secret-tape-par-erreur" not in everything and PASSWORD not in everything


def test_a_lockout_is_audited_with_the_address(client, carol, behind_proxy):
    for _ in range(6):
        attempt(client, "mauvais", **via_proxy("203.0.113.7"))
    last = login_events("failure").order_by("id").last()
    assert last.detail["locked_out"] is True and last.detail["ip"] == "203.0.113.7"


# --- The agents' second factor -----------------------------------------------------------------


@pytest.fixture
def otp_required(settings):
    settings.JUSTEDROIT_AGENT_PASSWORD_NEEDS_OTP = True


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def test_an_agent_password_alone_is_refused_where_a_code_is_required(client, carol, otp_required):
    response = attempt(client, PASSWORD)
    assert response.status_code == 200
    assert "Identifiant, mot de passe ou code de vérification incorrect" in response.text
    assert not logged_in_user(client).is_authenticated
    assert login_events("failure").get().detail["reason"] == "bad_otp"


def test_an_agent_logs_in_with_password_and_code_and_a_code_serves_once(
    client, carol, otp_required
):
    device = totp_device_create(user=carol, acting_user=None)
    code = current_code(device)
    client.post(LOGIN, {"username": "carol", "password": PASSWORD, "otp_token": code})
    assert logged_in_user(client) == carol
    assert login_events("login").get().detail["method"] == "password_totp"
    client.post(reverse("core:logout"))
    client.post(LOGIN, {"username": "carol", "password": PASSWORD, "otp_token": code})
    assert not logged_in_user(client).is_authenticated


def test_wrong_codes_count_towards_the_lockout(client, carol, otp_required):
    totp_device_create(user=carol, acting_user=None)
    for _ in range(5):
        client.post(LOGIN, {"username": "carol", "password": PASSWORD, "otp_token": "000000"})
    assert attempt(client, PASSWORD).status_code == 429


def test_allocataires_log_in_with_a_password_only(client, make_user, otp_required):
    claimant = make_user(Role.CLAIMANT, username="paul")
    claimant.set_password(PASSWORD)
    claimant.save()
    attempt(client, PASSWORD, username="paul")
    assert logged_in_user(client) == claimant


def test_production_settings_require_the_code_for_agents():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "justedroit.settings_production",
        "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-0123456789!",
        "DEBUG": "0",
    }
    script = "from django.conf import settings; print(settings.JUSTEDROIT_AGENT_PASSWORD_NEEDS_OTP)"
    result = subprocess.run(
        [sys.executable, "-m", "justedroit.manage", "shell", "--no-imports", "-c", script],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "True", result.stderr


def test_the_enrolment_command_is_dry_by_default_and_audited(carol, make_user, capsys):
    admin = make_user(Role.ADMINISTRATOR, username="admin")
    call_command("totp_enrol", "carol", "--operator", "admin")
    assert not TOTPDevice.objects.exists()
    call_command("totp_enrol", "carol", "--operator", "admin", "--wet-run")
    device = TOTPDevice.objects.get(user=carol)
    assert device.config_url in capsys.readouterr().out
    event = AuditEvent.objects.get(action="create", object_type="otp_totp.TOTPDevice")
    assert (event.actor, event.operator) == (admin, "admin")
    with pytest.raises(CommandError, match="n'est pas un compte d'agent actif"):
        call_command("totp_enrol", "personne", "--wet-run")


# --- Passwords ---------------------------------------------------------------------------------


def test_a_user_changes_their_password(client, carol):
    client.force_login(carol)
    url = reverse("core:password_change")
    new = "un-tout-nouveau-mot-de-passe"
    refused = client.post(url, {"old_password": "faux", "new_password1": new, "new_password2": new})
    assert refused.status_code == 200
    carol.refresh_from_db()
    assert carol.check_password(PASSWORD)
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response["Location"] == reverse("core:password_change_done")
    carol.refresh_from_db()
    assert carol.check_password(new)
    event = AuditEvent.objects.get(action="update", detail__event="password_change")
    assert event.actor == carol and new not in str(event.detail)


def reset_request(client, email="carol@vienne.caf.example", **meta):
    return client.post(reverse("core:password_reset"), {"email": email}, **meta)


def test_a_forgotten_password_is_reset_through_a_french_email(client, carol):
    response = reset_request(client)
    assert response["Location"] == reverse("core:password_reset_done")
    message = mail.outbox[0]
    assert message.to == ["carol@vienne.caf.example"]
    assert message.subject == "Juste Droit — réinitialisation de votre mot de passe"
    assert "Pour choisir un nouveau mot de passe" in message.body
    link = next(line for line in message.body.splitlines() if "/mot-de-passe/nouveau/" in line)
    form_page = client.get(link.removeprefix("http://testserver"), follow=True)
    new = "un-tout-nouveau-mot-de-passe"
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": new, "new_password2": new})
    assert done["Location"] == reverse("core:password_reset_complete")
    carol.refresh_from_db()
    assert carol.check_password(new)
    assert AuditEvent.objects.filter(detail__event="password_reset", actor=carol).exists()
    # The link serves once.
    again = client.get(link.removeprefix("http://testserver"), follow=True)
    assert "n'est plus valable" in again.text


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, carol):
    response = reset_request(client, email="personne@example.org")
    assert response["Location"] == reverse("core:password_reset_done")
    assert mail.outbox == []


def test_password_resets_are_limited_per_account(client, carol):
    for n in range(5):
        reset_request(Client(), REMOTE_ADDR=f"192.0.2.{n + 1}")
    assert len(mail.outbox) == 3


def test_password_resets_are_limited_per_client_address(client, make_user, behind_proxy):
    for n in range(10):
        make_user(Role.CLAIMANT, username=f"allocataire-{n}", email=f"a{n}@example.org")
        reset_request(client, email=f"a{n}@example.org", **via_proxy("203.0.113.7"))
    make_user(Role.CLAIMANT, username="allocataire-10", email="a10@example.org")
    refused = reset_request(client, email="a10@example.org", **via_proxy("203.0.113.7"))
    assert refused.status_code == 429
    assert "Trop de demandes de réinitialisation" in refused.text
    assert len(mail.outbox) == 10
    # Another allocataire behind the same proxy is not affected.
    reset_request(client, email="a10@example.org", **via_proxy("198.51.100.9"))
    assert len(mail.outbox) == 11


# --- Demo accounts -----------------------------------------------------------------------------


def test_demo_accounts_refuse_to_run_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="qu'avec DEBUG activé"):
        call_command("demo_accounts")
    assert not User.objects.filter(username__startswith="demo-").exists()
    settings.DEBUG = True
    with pytest.raises(CommandError, match="Construisez d'abord le jumeau"):
        call_command("demo_accounts")


def test_the_audit_page_shows_refused_logins_by_the_username_tried(client, carol, make_user):
    attempt(client, "mauvais", REMOTE_ADDR="203.0.113.7")
    client.force_login(make_user(Role.DATA_PROTECTION_OFFICER))
    page = client.get(reverse("core:audit_trail"), {"username": "carol"}).text
    assert "1 événement" in page
    assert "Échec de connexion depuis 203.0.113.7, identifiant saisi « carol »" in page
    assert "personne (non connecté)" in page

"""The portal's contact form: a length limit and a per-account rate limit, in French."""

import datetime as dt

from justedroit.channels.models import EmailMessage, EmailThread, Team
from justedroit.channels.services.emails import CONTACT_MAX_CHARS
from justedroit.core import clock
from justedroit.core.roles import Role
from justedroit.registry.models import HouseholdAccount

URL = "/mon-dossier/contact/"


def _post(client, body="Je conteste.", subject="Mon indu"):
    return client.post(URL, {"reason": "debt", "subject": subject, "body": body})


def test_the_contact_form_opens_a_thread_for_the_household(client, claimant, household):
    client.force_login(claimant)
    assert _post(client).status_code == 302
    thread = EmailThread.objects.get()
    assert (thread.household, thread.team, thread.reason) == (household, Team.RECOVERY, "debt")
    message = thread.messages.get()
    assert (message.source, message.author, message.identified_by) == ("portal", claimant, "portal")
    assert "Mon indu" in client.get(URL).content.decode()


def test_a_message_over_the_length_limit_is_refused(client, claimant, household):
    client.force_login(claimant)
    response = _post(client, body="x" * (CONTACT_MAX_CHARS + 1))
    assert response.status_code == 400
    assert f"{CONTACT_MAX_CHARS} au plus" in response.content.decode()
    assert _post(client, subject="a\r\nBcc: x@example.net").status_code == 302
    assert EmailMessage.objects.get().subject == "a Bcc: x@example.net"


def test_the_rate_limit_is_per_account_and_slides(client, claimant, household, make_user):
    client.force_login(claimant)
    for _ in range(5):
        assert _post(client).status_code == 302
    response = _post(client)
    assert response.status_code == 400
    assert "Vous avez déjà envoyé 5 messages dans l&#x27;heure" in response.content.decode()
    assert EmailMessage.objects.count() == 5
    # Another allocataire of the same household is not slowed down by this one.
    other = make_user(Role.CLAIMANT, username="conjoint", email="conjointe@example.org")
    HouseholdAccount.objects.create(user=other, household=household)
    client.force_login(other)
    assert _post(client).status_code == 302
    # An hour later the first one may write again, up to 20 a day.
    client.force_login(claimant)
    for hour in range(1, 4):
        with clock.frozen(clock.now() + dt.timedelta(hours=hour, minutes=1)):
            for _ in range(5):
                assert _post(client).status_code == 302
    with clock.frozen(clock.now() + dt.timedelta(hours=4, minutes=2)):
        assert "sur les dernières 24 heures" in _post(client).content.decode()
    assert EmailMessage.objects.filter(author=claimant).count() == 20

"""The password pages (change, forgotten, new password) show the error summary every other form
shows (RGAA): at the top of the form, focusable, each error a link to its field."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from justedroit.core.roles import Role

pytestmark = pytest.mark.django_db
PASSWORD = "un-mot-de-passe-assez-long"


@pytest.fixture
def carol(make_user):
    user = make_user(Role.CASE_WORKER, username="carol", email="carol@vienne.caf.example")
    user.set_password(PASSWORD)
    user.save()
    return user


def summary_of(page: str) -> str:
    """The error summary, checked to come before the first field."""
    found = re.search(
        r'<div class="error-summary" role="alert" tabindex="-1">(.*?)</div>', page, re.S
    )
    assert found, "no error summary"
    assert found.start() < page.index("<label")
    return found.group(1)


def test_the_password_change_page_summarises_its_errors(client, carol):
    client.force_login(carol)
    page = client.post(
        reverse("core:password_change"),
        {"old_password": "faux", "new_password1": "a", "new_password2": "b"},
    ).text
    summary = summary_of(page)
    assert '<a href="#id_old_password">Ancien mot de passe : ' in summary
    assert '<a href="#id_new_password2">' in summary
    assert 'id="id_old_password_error"' in page  # and each error next to its field


def test_the_forgotten_password_page_summarises_its_errors(client):
    page = client.post(reverse("core:password_reset"), {"email": "pas-une-adresse"}).text
    assert '<a href="#id_email">Adresse électronique : ' in summary_of(page)


def test_the_new_password_page_summarises_its_errors(client, carol):
    client.post(reverse("core:password_reset"), {"email": carol.email})
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/mot-de-passe/nouveau/" in line
    )
    form_page = client.get(link.removeprefix("http://testserver"), follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    page = client.post(set_password_url, {"new_password1": "a", "new_password2": "b"}).text
    assert '<a href="#id_new_password2">' in summary_of(page)

"""Content-Security-Policy and caching on every response; no page loads anything from another
origin (the API documentation included)."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from justedroit.core.roles import Role
from justedroit.registry.models import HouseholdAccount
from tests.factories import HouseholdFactory
from tests.test_roles_and_audit import ALLOWED, ARGS

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
# Elements that make the browser fetch or send something (links a user follows are not).
LOADING = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "frame": "src",
    "embed": "src",
    "object": "data",
    "source": "src",
    "audio": "src",
    "video": "src",
    "form": "action",
}
PUBLIC_PAGES = ["core:login", "core:password_reset", "core:password_reset_done", "api:openapi-view"]


def every_path(resolver=None, prefix="/"):
    """One concrete path per URL pattern, whatever its arguments ("1" for each)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from every_path(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + re.sub(r"<[^>]+>", "1", str(entry.pattern))


class LoadedOrigins(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in LOADING and attrs.get(LOADING[tag]):
            self.urls.append(attrs[LOADING[tag]])
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.inline.append("<script> inline")
        handlers = [name for name in attrs if name == "style" or name.startswith("on")]
        self.inline += [f"{tag} {name}" for name in handlers]


def third_party(html: str) -> tuple[list[str], list[str]]:
    parser = LoadedOrigins()
    parser.feed(html)
    foreign = [u for u in parser.urls if urlsplit(u).netloc not in ("", "testserver")]
    return foreign, parser.inline


@pytest.fixture
def household(db):
    return HouseholdFactory(number="1234567")


@pytest.mark.parametrize("as_role", [None, Role.ADMINISTRATOR, Role.CLAIMANT])
def test_every_url_answers_with_the_policy_and_no_store(client, make_user, household, as_role):
    if as_role is not None:
        user = make_user(as_role)
        if as_role == Role.CLAIMANT:
            HouseholdAccount.objects.create(user=user, household=household)
        client.force_login(user)
    paths = sorted(set(every_path()))
    assert len(paths) >= 40
    for path in paths:
        response = client.get(path)
        policy = response.get("Content-Security-Policy", "")
        assert re.search(r"default-src '(self|none)'", policy), (path, response.status_code)
        assert "'unsafe-" not in policy and "*" not in policy, path
        assert "no-store" in response.get("Cache-Control", ""), (path, response.status_code)


def test_personal_pages_and_api_answers_are_not_stored(client, make_user, household):
    client.force_login(make_user(Role.CASE_WORKER))
    page = client.get(reverse("registry:household_detail", args=["1234567"]))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    api = client.get(reverse("api:slots"), {"type": "x"}, HTTP_AUTHORIZATION="Bearer inconnu")
    assert "no-store" in api["Cache-Control"]


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_no_page_loads_anything_from_another_origin(client, make_user, household, name):
    role = sorted(ALLOWED[name])[0]
    user = make_user(role)
    if role == Role.CLAIMANT:
        HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    response = client.get(reverse(name, args=ARGS.get(name, [])))
    assert response.status_code == 200
    if not response["Content-Type"].startswith("text/html"):
        return  # an export (CSV) loads nothing
    assert third_party(response.content.decode()) == ([], [])


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_no_public_page_loads_anything_from_another_origin(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert third_party(response.content.decode()) == ([], [])


def test_the_api_documentation_is_served_from_our_static_files(client):
    html = client.get(reverse("api:openapi-view")).content.decode()
    parser = LoadedOrigins()
    parser.feed(html)
    assets = [url for url in parser.urls if url.endswith((".js", ".css"))]
    assert {Path(url).name for url in assets} >= {"swagger-ui-bundle.js", "swagger-ui.css"}
    for url in assets:
        assert url.startswith("/static/") and finders.find(url.removeprefix("/static/")), url


def test_no_template_loads_from_another_origin_or_runs_inline_code():
    """The pages that need domain objects to render are covered at the template level."""
    templates = list(ROOT.glob("justedroit/*/templates/**/*.html"))
    assert len(templates) > 20
    for template in templates:
        text = template.read_text(encoding="utf-8")
        foreign, inline = third_party(text)
        assert (foreign, inline) == ([], []), template
        # hx-on handlers and hx-trigger filters ("every 20s [cond]") are evaluated with eval.
        assert "hx-on" not in text, template
        assert not any("[" in t for t in re.findall(r'hx-trigger="([^"]*)"', text)), template


def test_the_reception_board_keeps_its_focus_rule_without_eval(client, make_user):
    """The day's board refreshes every 20 s except while an agent works in it: the rule moved from
    an htmx filter (eval, refused by the policy) to our static script."""
    client.force_login(make_user(Role.RECEPTION))
    html = client.get(reverse("reception:site_day", args=["poitiers"])).content.decode()
    assert 'hx-trigger="every 20s" data-pause-while-focused' in html
    assert '<script src="/static/core/site.js" defer>' in html
    script = finders.find("core/site.js")
    assert "data-pause-while-focused" in Path(script).read_text(encoding="utf-8")

"""End-to-end scenarios in a real browser: Playwright drives Debian's Chromium (/usr/bin/chromium,
installed by `.ci/run` and `make browser` through apt-get; Playwright never downloads a browser)
against the application served by pytest-django's `live_server`. Each step is checked by axe-core
for WCAG 2.1 A and AA violations and kept as a screenshot in `build/e2e/` (or
$JUSTEDROIT_E2E_OUTPUT), the run's artefacts.

Where Chromium is not installed, the scenarios are skipped with the reason; CI installs it."""

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e.world import PASSWORD

CHROMIUM = os.environ.get("JUSTEDROIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(os.environ.get("JUSTEDROIT_E2E_OUTPUT", "build/e2e"))
# The WCAG levels the project is held to (RGAA 4 follows WCAG 2.1 AA).
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}
# Chromium as root in a closed network: no sandbox, no background traffic (see the machine notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return (
            f"Chromium introuvable ({CHROMIUM}) : `apt-get install chromium` "
            "(fait par .ci/run et `make browser`)."
        )
    return None


@pytest.fixture(scope="session", autouse=True)
def reference_data_restored(django_db_setup, django_db_blocker):
    """The scenarios are transactional: Django empties every table after each, and
    tests/conftest.py loads the migrated reference data (communes, sites, motifs) again from the
    copy taken when the test database was made. pytest-django takes that copy only when some
    collected test asks for it: taken here when it did not, while the data is still whole."""
    from django.db import connection

    with django_db_blocker.unblock():
        if not getattr(connection, "_test_serialized_contents", None):
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    return connection._test_serialized_contents


@pytest.fixture
def reference_data(reference_data_restored, transactional_db):
    """Each scenario starts with the reference data, whatever ran before it on this worker."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from justedroit.registry.models import Commune

    if not Commune.objects.exists():
        ContentType.objects.all().delete()
        connection.creation.deserialize_db_from_string(reference_data_restored)
        ContentType.objects.clear_cache()


@pytest.fixture(scope="module")
def browser(django_db_setup) -> Iterator[Browser]:
    """One Chromium per module. Playwright's synchronous API keeps an event loop running in the
    test's thread while it lives, and Django then refuses ORM calls there unless told that the
    thread runs synchronous code (it does): so the test database exists before, and the
    permission ends with the browser."""
    missing = chromium_missing()
    if missing:
        pytest.skip(missing)
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


class Visit:
    """A person's visit: their browser context, the page they look at, and each step checked by
    axe and kept as a screenshot named after the scenario."""

    def __init__(self, browser: Browser, base_url: str, name: str, *, javascript: bool = True):
        self.browser, self.base_url, self.name = browser, base_url, name
        self.javascript = javascript
        self.context: BrowserContext = browser.new_context(
            base_url=base_url,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            java_script_enabled=javascript,
            viewport={"width": 1280, "height": 900},
        )
        self.context.set_default_timeout(30_000)
        self.context.set_default_navigation_timeout(60_000)
        self.page: Page = self.context.new_page()
        self.steps = 0
        OUTPUT.mkdir(parents=True, exist_ok=True)

    def login(self, username: str) -> None:
        self.page.goto("/connexion/")
        self.page.get_by_label("Identifiant").fill(username)
        self.page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        self.page.get_by_role("button", name="Se connecter").click()
        self.step("connecte")

    def menu(self, label: str) -> None:
        """Follow a link of the main navigation."""
        navigation = self.page.get_by_role("navigation", name="Navigation principale")
        navigation.get_by_role("link", name=label, exact=True).click()

    def step(self, label: str) -> None:
        """Screenshot the page, then fail on any WCAG A/AA violation axe finds on it."""
        self.steps += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        self.page.screenshot(
            path=OUTPUT / f"{self.name}-{self.steps:02d}-{slug}.png", full_page=True
        )
        violations = self._axe()
        assert not violations, f"{self.name}, étape « {label} » ({self.page.url}) :\n{violations}"

    def _axe(self) -> str:
        page = self.page
        inspector = None
        if not self.javascript:
            # axe is a script: a page without JavaScript is inspected as the same URL in a
            # context that runs scripts, with the same session.
            inspector = self.browser.new_context(
                base_url=self.base_url, storage_state=self.context.storage_state()
            )
            page = inspector.new_page()
            page.goto(self.page.url)
        try:
            results = Axe().run(page, options=AXE_OPTIONS)
        finally:
            if inspector is not None:
                inspector.close()
        if not results.violations_count:
            return ""
        return results.generate_report()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, live_server, reference_data, request) -> Iterator:
    """`visit(javascript=True)` opens a browser context for one person of the scenario."""
    opened: list[Visit] = []

    def open_visit(who: str, *, javascript: bool = True) -> Visit:
        v = Visit(browser, live_server.url, f"{request.node.name}-{who}", javascript=javascript)
        opened.append(v)
        return v

    yield open_visit
    for v in opened:
        v.close()

import datetime as dt
import os

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.commands import flush
from django.db import connection, connections
from hypothesis import HealthCheck, settings
from pytest_django.plugin import blocking_manager_key

from justedroit.core import clock, db
from justedroit.core.models import User
from justedroit.core.roles import Role
from tests import between_workers, twin_rows
from tests.factories import UserFactory
from tests.shared_world import world_transaction

REFERENCE_INSTANT = dt.datetime(2022, 12, 31, 10, 0)

# Property-based tests are reproducible by default (same examples on every run, so CI cannot
# fail by chance); `HYPOTHESIS_PROFILE=explore` searches at random, with more examples, on demand
# (`make fuzz`). A failure prints the example and the seed needed to replay it.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None, max_examples=100)
settings.register_profile(
    "explore",
    derandomize=False,
    print_blob=True,
    deadline=None,
    max_examples=2_000,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, request, tmp_path_factory, django_db_blocker
):
    """Under xdist, the first worker migrates and builds the small twin; the others copy."""
    if hasattr(request.config, "workerinput"):
        between_workers.share_in(tmp_path_factory.getbasetemp().parent)
    yield
    with django_db_blocker.unblock():
        between_workers.drop_pg_templates(connections)
    between_workers.share_in(None)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (the API's throttling counts live there)."""
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def flushes_may_erase():
    """Between transactional tests Django empties every table (`flush`). On SQLite that is a
    row-by-row DELETE, which the immutable tables' triggers refuse outside a legal erasure
    (`core.services.erasure_allowed`); emptying the test database is one, so the flush runs as
    such."""
    original = flush.Command.handle

    def handle(self, *args, **options):
        token = db._ERASURE.set(True)
        try:
            return original(self, *args, **options)
        finally:
            db._ERASURE.reset(token)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(REFERENCE_INSTANT) as instant:
        yield instant


@pytest.fixture
def make_user(db):
    def make(role: Role, username: str | None = None, **extra) -> User:
        return UserFactory(role=role, username=username or f"u-{role.value}", **extra)

    return make


@pytest.fixture(scope="module")
def twin_module(django_db_setup, django_db_blocker):
    """The twin at 1 % scale (about 1,100 households), built through the real command once per
    test process and copied back for each later module (`tests/twin_rows.py`). It lives in a
    transaction around the module; each test runs in a savepoint inside it (pytest-django's
    `db`), so what a test writes is gone for the next one, and the whole twin is gone after the
    module."""
    with world_transaction(django_db_blocker), clock.frozen(REFERENCE_INSTANT):
        twin_rows.restore_or_build(
            lambda: call_command("twin", "build", "--scale", "0.01", "--seed", "86")
        )
        yield


@pytest.fixture
def small_twin(twin_module, db):
    """The module's twin, for a test with database access."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with Django flushing the database, migrated reference data
    (communes, sites, motifs) included. xdist (`--dist loadscope`) may then run another module on
    the same worker, so that data is loaded again as soon as the flush is done."""
    yield
    marker = item.get_closest_marker("django_db")
    if nextitem is None or marker is None or not marker.kwargs.get("transaction"):
        return  # (after the last test, the test database is already gone)
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with item.config.stash[blocking_manager_key].unblock():
            if not marker.kwargs.get("serialized_rollback"):
                # That flush ran the post-migrate hooks, which made new content types (and
                # their permissions) under other keys: the copy brings back the original ones.
                ContentType.objects.all().delete()
            connection.creation.deserialize_db_from_string(contents)
            ContentType.objects.clear_cache()

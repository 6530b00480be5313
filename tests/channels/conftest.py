import contextlib

import pytest
from django.apps import apps
from django.db import transaction
from hypothesis import settings as hypothesis_settings

from justedroit.core.roles import Role
from justedroit.registry.models import HouseholdAccount
from tests.factories import HouseholdFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\0" * 32
)


@pytest.fixture(autouse=True)
def document_dir(settings, tmp_path):
    settings.CHANNELS_DOCUMENT_DIR = tmp_path / "documents"
    settings.CHANNELS_CLAMAV_SOCKET = ""
    settings.CHANNELS_VIRUS_SCANNER = "noop"  # tests only; production uses ClamAV
    return settings.CHANNELS_DOCUMENT_DIR


@pytest.fixture
def household(db):
    return HouseholdFactory(number="1234567")


@pytest.fixture
def claimant(make_user, household):
    user = make_user(Role.CLAIMANT, email="paul.durand@example.org")
    HouseholdAccount.objects.create(user=user, household=household)
    return user


@pytest.fixture(autouse=True)
def quarantine_dir(settings, tmp_path):
    settings.CHANNELS_QUARANTINE_DIR = tmp_path / "quarantaine"
    return settings.CHANNELS_QUARANTINE_DIR


@contextlib.contextmanager
def rolled_back():
    """Everything written inside is undone, so one Hypothesis example never sees another's rows.
    Marked like a test case's transaction so that services may open durable blocks inside."""
    block = transaction.atomic()
    block._from_testcase = True
    with block:
        yield
        transaction.set_rollback(True)


def table_counts() -> dict[str, int]:
    """Rows per model: what an import changed, and nothing else, is the difference."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def fuzz_examples(ci: int) -> int:
    """Examples for a database-backed fuzz test: `ci` under the reproducible CI profile (100
    examples by default, too slow here), the exploring profile's own number under `make fuzz`."""
    profile = hypothesis_settings.default.max_examples
    return ci if profile <= 100 else profile

import pytest

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

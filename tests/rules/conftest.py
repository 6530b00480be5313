"""Shared fixtures for the rules tests: pure Python, no Django."""

from __future__ import annotations

import pytest

from justedroit.rules.engine import load_tax_benefit_system
from tests.rules.sample_households import sample_households


@pytest.fixture(scope="session")
def tbs():
    return load_tax_benefit_system()


@pytest.fixture(scope="session")
def sample():
    return sample_households(60)

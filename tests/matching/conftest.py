"""Fixtures for engine tests: the small test vocabulary and postal-code table (no database needed)."""

from __future__ import annotations

import pytest
from matching_fixtures import make_engine

from matching import Engine


@pytest.fixture
def engine() -> Engine:
    return make_engine()

"""Fixtures for service tests (the helpers themselves live in service_support). Tests that use the `db`
fixture run on SQLite and on PostgreSQL (see tests/postgres_support.py)."""

from __future__ import annotations

import pytest

from tests.postgres_support import parametrize_backends
from tests.services.service_support import Clinic


def pytest_generate_tests(metafunc) -> None:
    parametrize_backends(metafunc)


@pytest.fixture
def clinic(services, staff, clock) -> Clinic:
    return Clinic(services, staff, clock, services.chairs.add(staff["admin"], "Chair 1").id)

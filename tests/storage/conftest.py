"""Storage tests that use the `db` fixture run on SQLite and on PostgreSQL (see tests/postgres_support.py)."""

from __future__ import annotations

from tests.postgres_support import parametrize_backends


def pytest_generate_tests(metafunc) -> None:
    parametrize_backends(metafunc)

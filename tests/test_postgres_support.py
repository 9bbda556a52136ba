"""Where PostgreSQL is required, an unreachable server fails the run whatever true value the variable has."""

from __future__ import annotations

import pytest

from tests.postgres_support import REQUIRE_ENV, unavailable


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "yes", "on", "ON", " on "])
def test_a_true_value_turns_the_skip_into_a_failure(monkeypatch, value):
    monkeypatch.setenv(REQUIRE_ENV, value)
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL is required"):
        unavailable("it does not answer")


@pytest.mark.parametrize("value", [None, "", "0", "false", "no", "off", "maybe"])
def test_otherwise_the_tests_skip(monkeypatch, value):
    if value is None:
        monkeypatch.delenv(REQUIRE_ENV, raising=False)
    else:
        monkeypatch.setenv(REQUIRE_ENV, value)
    with pytest.raises(pytest.skip.Exception):
        unavailable("it does not answer")

"""Fixtures for service tests (the helpers themselves live in service_support)."""

from __future__ import annotations

import pytest

from tests.services.service_support import Clinic


@pytest.fixture
def clinic(services, staff, clock) -> Clinic:
    return Clinic(services, staff, clock, services.staff.add_chair(staff["admin"], "Chair 1").id)

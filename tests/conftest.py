"""Shared fixtures: a real SQLite file per test, a fixed clock, staff of every role, offscreen Qt."""

from __future__ import annotations

import os

# Before any Qt import: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import datetime, timezone  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pytest  # noqa: E402

from clinic_desktop.domain.clock import FixedClock  # noqa: E402
from clinic_desktop.domain.enums import StaffRole  # noqa: E402
from clinic_desktop.services.registry import Services  # noqa: E402
from clinic_desktop.storage.database import open_database  # noqa: E402

ZONE = ZoneInfo("America/New_York")
#: A Monday morning in the clinic: 2026-03-02 09:00 local (14:00 UTC).
START = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def db(tmp_path, clock):
    database = open_database(f"sqlite:///{tmp_path / 'clinic.db'}", tmp_path / "backups", clock.now())
    yield database
    database.close()


@pytest.fixture
def services(db, clock) -> Services:
    return Services.build(db, clock, ZONE)


@pytest.fixture
def staff(services):
    """One active member of staff per role, keyed by role value."""
    return {
        "physician": services.staff.add("Dr Imani Okafor", StaffRole.PHYSICIAN, "MD"),
        "nurse": services.staff.add("Dana Whitlock", StaffRole.NURSE, "RN"),
        "nurse2": services.staff.add("Luis Ferreira", StaffRole.NURSE, "RN"),
        "front_desk": services.staff.add("Pat Lindqvist", StaffRole.FRONT_DESK),
        "admin": services.staff.add("Sam Adeyemi", StaffRole.ADMINISTRATOR),
    }

"""Shared fixtures: a real SQLite file per test, a fixed clock, staff of every role, offscreen Qt."""

from __future__ import annotations

import os

# Before any Qt import: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import replace
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.clock import FixedClock
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.services.passwords import Passwords
from clinic_desktop.services.registry import Services
from clinic_desktop.storage import models
from clinic_desktop.storage.database import open_database

ZONE = ZoneInfo("America/New_York")
#: A Monday morning in the clinic: 2026-03-02 09:00 local (14:00 UTC).
START = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "sqlite_only: a storage or service test of SQLite itself (PRAGMAs, WAL, "
                                       "file copies, query plans), not repeated on PostgreSQL")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def backend(request) -> str:
    """Which database the `db` fixture opens: SQLite unless a directory's conftest parametrizes it (the storage
    and service tests also run on PostgreSQL, see tests/postgres_support.py)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db(backend, tmp_path, clock, request):
    """The clinic's database, empty at the schema head; the audit key and head file live in tmp_path, so the
    audit chain starts afresh in every test (on PostgreSQL the per-run database is emptied first)."""
    if backend == "postgres":
        url = request.getfixturevalue("postgres_database").reset()
    else:
        url = f"sqlite:///{tmp_path / 'clinic.db'}"
    database = open_database(url, tmp_path / "backups", clock.now())
    yield database
    database.close()


@pytest.fixture(scope="session")
def postgres_database():
    """One database on the local PostgreSQL server for the whole run, emptied before each test that uses it."""
    from tests.postgres_support import RunDatabase

    run = RunDatabase.create()
    yield run
    run.drop()


@pytest.fixture
def services(db, clock) -> Services:
    return Services.build(db, clock, ZONE)


#: Every test account's password (fictional staff, test databases only).
PASSWORD = "correct horse battery staple"

#: key -> (user name, full name, role, credentials)
TEST_STAFF = {
    "physician": ("okafor", "Dr Imani Okafor", StaffRole.PHYSICIAN, "MD"),
    "nurse": ("whitlock", "Dana Whitlock", StaffRole.NURSE, "RN"),
    "nurse2": ("ferreira", "Luis Ferreira", StaffRole.NURSE, "RN"),
    "front_desk": ("lindqvist", "Pat Lindqvist", StaffRole.FRONT_DESK, ""),
    "admin": ("adeyemi", "Sam Adeyemi", StaffRole.ADMINISTRATOR, ""),
}


def sign_in_again(staff: dict[str, Principal], clock: FixedClock) -> None:
    """Everyone signs in afresh now (a sign-in lasts 12 hours; tests that move the clock by days need this)."""
    for key, principal in staff.items():
        staff[key] = replace(principal, signed_in_at=clock.now())


@pytest.fixture(scope="session")
def password_hash() -> str:
    """PASSWORD hashed once per run with the production parameters (a hash costs ~0.1 s)."""
    return Passwords().hash(PASSWORD)


@pytest.fixture
def staff(db, clock, password_hash) -> dict[str, Principal]:
    """One signed-in account per role, keyed as TEST_STAFF; all with PASSWORD."""
    out = {}
    with db.session() as session:
        for key, (username, name, role, creds) in TEST_STAFF.items():
            row = models.Staff(full_name=name, credentials=creds, role=role, active=True, created_at=clock.now(),
                               username=username, password_hash=password_hash, password_changed_at=clock.now(),
                               is_admin=role is StaffRole.ADMINISTRATOR, failed_logins=[])
            session.add(row)
            session.flush()
            out[key] = Principal(row.id, name, creds, role, True, row.is_admin, username, signed_in_at=clock.now())
        session.commit()
    return out


#: A sentence only the clinic's revised racemic consent (2026.2) has.
NEW_CONSENT_SENTENCE = "Since March 2026 a nurse phones you the day after each treatment."


def revised_consent_text() -> str:
    """The shipped racemic consent with one sentence added to its first section."""
    from clinic_desktop.printing import templates

    shipped = next(t for t in templates.shipped() if (t.kind, t.version) == ("consent-racemic", "2026.1"))
    head, sep, rest = shipped.text.partition("\n\n")
    return f"{head} {NEW_CONSENT_SENTENCE}{sep}{rest}"


@pytest.fixture
def newer_consent_form(services, staff) -> str:
    """The clinic's administrator issues consent form 2026.2 for racemic ketamine (stored in the database)."""
    return services.sheet_texts.import_text(staff["admin"], "consent-racemic", revised_consent_text()).version

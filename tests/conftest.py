"""Shared fixtures: a real SQLite file per test, a fixed clock, staff of every role, offscreen Qt."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# Before any Qt import: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never reach the developer's own credential store (those of the audit key set a fake one themselves).
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

import pytest

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.clock import FixedClock
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.services.passwords import HashPolicy, Passwords
from clinic_desktop.services.registry import Services
from clinic_desktop.storage import models
from clinic_desktop.storage.database import open_database

ZONE = ZoneInfo("America/New_York")
#: A Monday morning in the clinic: 2026-03-02 09:00 local (14:00 UTC).
START = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "sqlite_only: a storage or service test of SQLite itself (PRAGMAs, WAL, "
                                       "file copies, query plans), not repeated on PostgreSQL")
    config.addinivalue_line("markers", "production_passwords: the `passwords` fixture hashes with the application's "
                                       "Argon2id cost (tests of the hashing itself, its parameters and its timing)")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def backend(request) -> str:
    """Which database the `db` fixture opens: SQLite unless a directory's conftest parametrizes it (the storage
    and service tests also run on PostgreSQL, see tests/postgres_support.py)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def empty_database_template(tmp_path_factory) -> Path:
    """A data folder with only an empty clinic.db at the schema head, made once per run. Each test's SQLite
    database is a copy of it: copying a file costs a millisecond, creating every table again ~30 ms. The
    migration tests still run every migration on their own files (tests/storage/test_migrations.py)."""
    folder = tmp_path_factory.mktemp("empty-database")
    open_database(f"sqlite:///{folder / 'clinic.db'}", folder / "backups", START).close()
    return folder


@pytest.fixture(scope="session")
def seeded_database_template(tmp_path_factory, empty_database_template) -> Path:
    """The empty database as the services leave it at their first start (the shipped sheet texts stored and
    audited, with the audit key and head file that made), made once per run: tests that use `services` start
    from a copy, instead of each writing the same texts again (~50 ms apiece)."""
    return prepared_template(tmp_path_factory.mktemp("seeded-database"), empty_database_template, lambda _s: None)


def prepared_template(folder: Path, base: Path, prepare: Callable[[Services], object],
                      passwords: Passwords | None = None) -> Path:
    """`folder` as a copy of the data folder `base` after the services' first start on it and `prepare(services)`
    (a template that tests copy, made once)."""
    copy_data_folder(base, folder)
    database = open_database(f"sqlite:///{folder / 'clinic.db'}", folder / "backups", START)
    try:
        prepare(Services.build(database, FixedClock(START), ZONE, passwords))
    finally:
        database.close()
    return folder


@pytest.fixture
def database_template(request, empty_database_template) -> Path:
    """The folder a test's SQLite data folder starts as: as the services' first start leaves it for tests that
    use them, otherwise empty (a test module may override this fixture)."""
    if "services" in request.fixturenames:
        return request.getfixturevalue("seeded_database_template")
    return empty_database_template


def copy_data_folder(template: Path, folder: Path) -> None:
    """The template's database (and audit key and head file, when it has entries) into the test's folder."""
    shutil.copytree(template, folder, dirs_exist_ok=True)


@pytest.fixture
def db(backend, tmp_path, clock, request):
    """The clinic's database, empty at the schema head; the audit key and head file live in tmp_path, so the
    audit chain starts afresh in every test (on PostgreSQL the per-run database is emptied first)."""
    if backend == "postgres":
        url = request.getfixturevalue("postgres_database").reset()
    else:
        copy_data_folder(request.getfixturevalue("database_template"), tmp_path)
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


@dataclass(frozen=True)
class TestHashPolicy(HashPolicy):
    """Argon2id at the smallest cost the algorithm allows, for throw-away test databases only. The application's
    HashPolicy refuses anything below the OWASP minimum; this subclass skips that check, so a test's sign-in or
    signature costs microseconds instead of ~0.2 s. Tests marked `production_passwords` use the real cost."""

    __test__ = False  # a policy, not a test class

    def __post_init__(self) -> None:
        pass


#: 8 KiB, one pass, one lane: the floor argon2 accepts (memory must be at least 8 KiB per lane).
TEST_HASH_POLICY = TestHashPolicy(memory_kib=8, time_cost=1, parallelism=1)


@pytest.fixture
def passwords(request) -> Passwords:
    """The hashing the test's services use: the cheap test cost, or the application's under
    @pytest.mark.production_passwords."""
    if request.node.get_closest_marker("production_passwords"):
        return Passwords()
    return Passwords(TEST_HASH_POLICY)


@pytest.fixture
def services(db, clock, passwords) -> Services:
    return Services.build(db, clock, ZONE, passwords)


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


#: PASSWORD hashed once per run for each policy in use (a hash at the application's cost takes ~0.2 s).
_PASSWORD_HASHES: dict[HashPolicy, str] = {}


@pytest.fixture
def password_hash(passwords) -> str:
    """PASSWORD hashed with the test's `passwords`, so signing in never triggers a rehash."""
    if passwords.policy not in _PASSWORD_HASHES:
        _PASSWORD_HASHES[passwords.policy] = passwords.hash(PASSWORD)
    return _PASSWORD_HASHES[passwords.policy]


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
            out[key] = Principal(row.id, name, creds, role, True, row.is_admin, username, signed_in_at=clock.now(),
                                 password_changed_at=row.password_changed_at)
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


@pytest.fixture(autouse=True)
def inline_operations():
    """Background operations run inline, so a test sees each one's result as soon as it starts it; the tests of
    the threaded worker put a real one in place themselves (the `worker` fixture in tests/ui/conftest.py)."""
    from clinic_desktop.ui import ops

    previous = ops.use_executor(ops.InlineExecutor())
    yield
    ops.use_executor(previous)

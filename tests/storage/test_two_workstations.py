"""Two workstations on one PostgreSQL database write the same versioned row in interleaved transactions: the
later save is refused as a ConcurrentChange (SQLite's write lock queues the transactions instead, so there
they cannot interleave; tests/services/test_conflicts.py covers stale saves on both databases)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from clinic_desktop.domain.enums import Sex
from clinic_desktop.domain.errors import ConcurrentChange
from clinic_desktop.storage.database import open_database
from clinic_desktop.storage.models import Patient

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)


@pytest.fixture
def two(postgres_database, tmp_path):
    """Workstations A and B: separate engines over the run's PostgreSQL database, emptied first."""
    url = postgres_database.reset()
    a = open_database(url, tmp_path / "a" / "backups", NOW)
    b = open_database(url, tmp_path / "b" / "backups", NOW)
    yield a, b
    a.close()
    b.close()


def test_interleaved_saves_refuse_the_later_one(two):
    """B reads the patient, A saves a change, B saves on what it read: refused, A's change stays, version 2."""
    a, b = two
    with a.write() as uow:
        row = Patient(mrn="10000015", given_names="Anna", family_name="Smith", given_key="anna", family_key="smith",
                      date_of_birth=date(1980, 5, 1), sex=Sex.FEMALE, created_at=NOW, row_version=1)
        uow.session.add(row)
        uow.commit()
        pid = row.id
    with pytest.raises(ConcurrentChange, match="changed on another workstation while you saved"):
        with b.write() as late:
            stale = late.session.get(Patient, pid)
            with a.write() as first:
                first.session.get(Patient, pid).phone = "555-0100"
                first.commit()
            stale.phone = "555-0199"
            late.commit()
    with a.read() as uow:
        row = uow.session.get(Patient, pid)
        assert (row.phone, row.row_version) == ("555-0100", 2)

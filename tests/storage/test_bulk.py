"""Bulk rows for generated data: bound exactly as the ORM binds them, defaults included."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.dialects import sqlite

from clinic_desktop.domain.enums import VitalsPhase
from clinic_desktop.storage import models
from clinic_desktop.storage.audit_chain import AuditKeyring
from clinic_desktop.storage.bulk import RowBinder
from clinic_desktop.storage.row_seals import RowSealer

TABLE = models.VitalSignsReading.__table__


@pytest.fixture
def sealer(tmp_path) -> RowSealer:
    keyring = AuditKeyring(tmp_path)
    keyring.key(create=True)
    return RowSealer(keyring)


def _generic(column: str, value):
    dialect = sqlite.dialect()
    return TABLE.c[column].type.dialect_impl(dialect).bind_processor(dialect)(value)


@pytest.mark.parametrize("moment", [
    datetime(2026, 3, 8, 6, 59, 59, tzinfo=timezone.utc),
    datetime(2026, 3, 8, 3, 30, tzinfo=ZoneInfo("America/New_York")),  # the night the clocks go forward
    datetime(2019, 11, 3, 1, 30, 0, 123456, tzinfo=ZoneInfo("America/New_York")),
    datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
])
def test_times_are_bound_as_the_column_types_bind_them(moment, sealer):
    """A reading's time in any zone becomes the same UTC text as UTCDateTime and SQLite's DATETIME make it."""
    binder = RowBinder(TABLE, sqlite.dialect(), sealer)
    row = binder.bind(dict(session_id=1, taken_at=moment, phase=VitalsPhase.DURING, recorded_by_id=2,
                           created_at=moment, temperature_c=Decimal("36.50")))
    values = dict(zip(binder.columns, row))
    assert values["taken_at"] == values["created_at"] == _generic("taken_at", moment)
    assert values["phase"] == "during" and values["temperature_c"] == "36.50"
    assert values["alert_note"] == ""  # the model's default, as the ORM fills it in


def test_a_time_without_a_zone_is_refused(sealer):
    """As UTCDateTime refuses it: its zone is unknowable."""
    with pytest.raises(ValueError, match="time zone"):
        RowBinder(TABLE, sqlite.dialect(), sealer).bind(dict(session_id=1, taken_at=datetime(2026, 1, 1),
                                                     phase=VitalsPhase.DURING, recorded_by_id=2,
                                                     created_at=datetime(2026, 1, 1)))


def test_a_sealed_table_is_not_bound_without_its_sealer():
    """Rows written in bulk would otherwise carry no seal, and `audit verify` would report them as added by hand."""
    with pytest.raises(ValueError, match="sealed"):
        RowBinder(TABLE, sqlite.dialect())


def test_bulk_rows_carry_a_seal_of_every_value_they_are_written_with(sealer):
    """The seal covers the values given and the defaults filled in: changing either gives another seal."""
    binder = RowBinder(TABLE, sqlite.dialect(), sealer)
    given = dict(id=7, session_id=1, taken_at=datetime(2026, 3, 2, 14, tzinfo=timezone.utc), phase=VitalsPhase.DURING,
                 recorded_by_id=2, created_at=datetime(2026, 3, 2, 14, tzinfo=timezone.utc), systolic=120)
    seals = [dict(zip(binder.columns, binder.bind(values)))["row_mac"]
             for values in (given, given, {**given, "systolic": 121}, {**given, "alert_note": "called"},
                            {**given, "id": 8})]
    assert seals[0] == seals[1] and len(seals[0]) == 64
    assert len(set(seals)) == 4, seals

"""Bulk rows for generated data: bound exactly as the ORM binds them, defaults included."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.dialects import sqlite

from clinic_desktop.domain.enums import VitalsPhase
from clinic_desktop.storage import models
from clinic_desktop.storage.bulk import RowBinder

TABLE = models.VitalSignsReading.__table__


def _generic(column: str, value):
    dialect = sqlite.dialect()
    return TABLE.c[column].type.dialect_impl(dialect).bind_processor(dialect)(value)


@pytest.mark.parametrize("moment", [
    datetime(2026, 3, 8, 6, 59, 59, tzinfo=timezone.utc),
    datetime(2026, 3, 8, 3, 30, tzinfo=ZoneInfo("America/New_York")),  # the night the clocks go forward
    datetime(2019, 11, 3, 1, 30, 0, 123456, tzinfo=ZoneInfo("America/New_York")),
    datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
])
def test_times_are_bound_as_the_column_types_bind_them(moment):
    """A reading's time in any zone becomes the same UTC text as UTCDateTime and SQLite's DATETIME make it."""
    binder = RowBinder(TABLE, sqlite.dialect())
    row = binder.bind(dict(session_id=1, taken_at=moment, phase=VitalsPhase.DURING, recorded_by_id=2,
                           created_at=moment, temperature_c=Decimal("36.50")))
    values = dict(zip(binder.columns, row))
    assert values["taken_at"] == values["created_at"] == _generic("taken_at", moment)
    assert values["phase"] == "during" and values["temperature_c"] == "36.50"
    assert values["alert_note"] == ""  # the model's default, as the ORM fills it in


def test_a_time_without_a_zone_is_refused():
    """As UTCDateTime refuses it: its zone is unknowable."""
    with pytest.raises(ValueError, match="time zone"):
        RowBinder(TABLE, sqlite.dialect()).bind(dict(session_id=1, taken_at=datetime(2026, 1, 1),
                                                     phase=VitalsPhase.DURING, recorded_by_id=2,
                                                     created_at=datetime(2026, 1, 1)))

"""Column types: aware UTC datetimes only, decimals stored exactly (never as floats)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from clinic_desktop.domain.enums import Sex, StaffRole, WeightUnit
from clinic_desktop.storage.models import Patient, Staff, WeightMeasurement

UTC_MINUS_5 = timezone(timedelta(hours=-5))
NOW = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)


@pytest.fixture
def ids(db) -> tuple[int, int]:
    """A nurse and a patient to hang weights on: (staff id, patient id)."""
    with db.write() as uow:
        nurse = Staff(full_name="Dana Whitlock", role=StaffRole.NURSE, created_at=NOW)
        patient = Patient(mrn="10000015", given_names="Anna", family_name="Smith", given_key="anna",
                          family_key="smith", date_of_birth=date(1980, 5, 1), sex=Sex.FEMALE, created_at=NOW)
        uow.session.add_all([nurse, patient])
        uow.commit()
        return nurse.id, patient.id


def store_weight(db, ids: tuple[int, int], kg: object) -> int:
    staff_id, patient_id = ids
    with db.write() as uow:
        row = WeightMeasurement(patient_id=patient_id, measured_on=date(2026, 3, 2), weight_kg=kg,
                                entered_unit=WeightUnit.KG, recorded_by_id=staff_id, created_at=NOW)
        uow.session.add(row)
        uow.commit()
        return row.id


def load_weight(db, row_id: int) -> tuple[Decimal, object, str]:
    """The value through the type, and what SQLite actually holds (its value and storage class)."""
    with db.read() as uow:
        value = uow.session.get(WeightMeasurement, row_id).weight_kg
        raw, kind = uow.session.execute(text("SELECT weight_kg, typeof(weight_kg) FROM weight_measurements "
                                             "WHERE id = :id"), {"id": row_id}).one()
    return value, raw, kind


def store_staff(db, created_at: datetime) -> int:
    with db.write() as uow:
        row = Staff(full_name="Sam Adeyemi", role=StaffRole.ADMINISTRATOR, created_at=created_at)
        uow.session.add(row)
        uow.commit()
        return row.id


# --- UTCDateTime -------------------------------------------------------------------------------------

def test_naive_datetime_is_refused(db):
    """A datetime without a zone cannot be stored (its instant is unknowable) and nothing is written."""
    with pytest.raises(StatementError, match="without a time zone") as caught:
        store_staff(db, datetime(2026, 3, 2, 9, 0))
    assert isinstance(caught.value.orig, ValueError)
    with db.read() as uow:
        assert uow.session.execute(select(Staff)).first() is None


def test_datetime_written_at_utc_minus_5_comes_back_equal_and_in_utc(db):
    """09:00 at UTC-5 is read back as the same instant, as an aware UTC datetime (14:00Z)."""
    written = datetime(2026, 3, 2, 9, 0, 30, 123456, tzinfo=UTC_MINUS_5)
    row_id = store_staff(db, written)
    with db.read() as uow:
        back = uow.session.get(Staff, row_id).created_at
        raw = uow.session.execute(text("SELECT created_at FROM staff WHERE id = :id"), {"id": row_id}).scalar()
    assert back == written
    assert back.utcoffset() == timedelta(0) and back.tzinfo is timezone.utc
    assert (back.hour, back.minute, back.second, back.microsecond) == (14, 0, 30, 123456)
    assert raw.startswith("2026-03-02 14:00:30")  # stored as UTC wall time


def test_datetime_from_an_iana_zone_across_dst_comes_back_equal(db):
    """A New York wall-clock time on either side of the DST change round-trips to the same instant."""
    zone = ZoneInfo("America/New_York")
    for written in (datetime(2026, 3, 7, 9, 0, tzinfo=zone), datetime(2026, 3, 9, 9, 0, tzinfo=zone)):
        row_id = store_staff(db, written)
        with db.read() as uow:
            assert uow.session.get(Staff, row_id).created_at == written


def test_datetimes_order_by_instant_in_sql(db):
    """Values written with different offsets sort in SQL by the instant they name, not their local time."""
    later_local_earlier_instant = datetime(2026, 3, 2, 13, 30, tzinfo=timezone.utc)  # 13:30Z
    earlier_local_later_instant = datetime(2026, 3, 2, 9, 0, tzinfo=UTC_MINUS_5)  # 14:00Z
    second = store_staff(db, earlier_local_later_instant)
    first = store_staff(db, later_local_earlier_instant)
    with db.read() as uow:
        order = uow.session.execute(select(Staff.id).order_by(Staff.created_at)).scalars().all()
        after = uow.session.execute(select(Staff.id).where(
            Staff.created_at > datetime(2026, 3, 2, 8, 45, tzinfo=UTC_MINUS_5))).scalars().all()
    assert order == [first, second]
    assert after == [second]


# --- ExactDecimal -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text_value", ["81.64662660", "0.0045359237", "0.1", "72.30", "350", "1E+2", "-0.000001"])
def test_decimal_is_stored_exactly_as_text(db, ids, text_value):
    """Weights come back as the same Decimal (trailing zeros kept) and SQLite holds text, not a float."""
    value = Decimal(text_value)
    row_id = store_weight(db, ids, value)
    back, raw, kind = load_weight(db, row_id)
    assert isinstance(back, Decimal)
    assert back == value
    assert kind == "text"
    assert Decimal(raw) == value
    if "E" not in text_value:
        assert str(back) == text_value  # 81.64662660 stays 81.64662660, not 81.6466266


def test_pound_weight_keeps_every_digit(db, ids):
    """180 lb is 81.64662660 kg exactly (0.45359237 kg/lb); the float path would drift, this does not."""
    kg = Decimal("180.00") * Decimal("0.45359237")
    assert str(kg) == "81.6466266000"
    back, _, _ = load_weight(db, store_weight(db, ids, kg))
    assert back == kg and str(back) == "81.6466266000"
    assert back / Decimal("0.45359237") == Decimal("180.00")


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("-NaN"), Decimal("sNaN"), Decimal("Infinity"),
                                 Decimal("-Infinity"), 81.6466266, float("nan"), "81.6"])
def test_non_finite_or_non_decimal_values_are_refused(db, ids, bad):
    """NaN, infinities, floats and strings are refused when written, and nothing is saved."""
    with pytest.raises(StatementError, match="exact decimal") as caught:
        store_weight(db, ids, bad)
    assert isinstance(caught.value.orig, ValueError)
    with db.read() as uow:
        assert uow.session.execute(select(WeightMeasurement)).first() is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=Decimal("-1e15"), max_value=Decimal("1e15"),
                   places=None))
def test_any_finite_decimal_round_trips_exactly(db, ids, value):
    """Every finite decimal written comes back equal on SQLite (each example writes its own row)."""
    back, _, kind = load_weight(db, store_weight(db, ids, value))
    assert back == value and kind == "text"

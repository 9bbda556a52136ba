"""PostgreSQL smoke test: a fresh database is created, searched with accents, and keeps exact values."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.enums import Sex, StaffRole, WeightUnit
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.quantities import kg_to_lb
from clinic_desktop.services.registry import Services
from clinic_desktop.storage import schema
from clinic_desktop.storage.database import open_database
from clinic_desktop.storage.models import Base, Staff, WeightMeasurement

from tests.conftest import PASSWORD
from tests.postgres_support import scratch_database

pytestmark = pytest.mark.postgres

UTC_MINUS_5 = timezone(timedelta(hours=-5))


@pytest.fixture
def pg_url():
    """A freshly created, uniquely named database on the local server, dropped afterwards."""
    with scratch_database("clinic_test") as url:
        yield url


@pytest.fixture
def pg_db(pg_url, tmp_path, clock):
    database = open_database(pg_url, tmp_path / "backups", clock.now())
    yield database
    database.close()


@pytest.fixture
def pg_services(pg_db, clock, passwords) -> Services:
    return Services.build(pg_db, clock, ZoneInfo("America/New_York"), passwords)


@pytest.fixture
def pg_admin(pg_services) -> Principal:
    """The new clinic's first account, an administrator, who adds the staff a test needs."""
    return pg_services.auth.create_first_admin("adeyemi", "Sam Adeyemi", PASSWORD)


def _account(services, admin, username, name, role) -> Principal:
    """A signed-in account made by the administrator (only signed-in users act)."""
    services.auth.add_user(admin, username, name, role, PASSWORD)
    return services.auth.login(username, PASSWORD)


def test_new_postgres_database_gets_the_models_schema_at_head(pg_db, tmp_path):
    """open_database on an empty PostgreSQL database creates the schema, stamps HEAD, takes no backup."""
    assert pg_db.revision() == schema.HEAD
    with pg_db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        collations = dict(conn.execute(text(
            "SELECT column_name, collation_name FROM information_schema.columns "
            "WHERE table_name = 'patients' AND column_name IN ('family_key', 'given_key')")).all())
    assert collations == {"family_key": "C", "given_key": "C"}  # byte-wise, so prefix ranges use the index
    assert not (tmp_path / "backups").exists()


def test_register_and_search_with_accents_on_postgres(pg_services, pg_admin):
    """A patient registered through the services is found by accent-free, cased and comma searches."""
    front_desk = _account(pg_services, pg_admin, "lindqvist", "Pat Lindqvist", StaffRole.FRONT_DESK)
    chart = pg_services.patients.register(front_desk, PatientInput(
        given_names="Zoë", family_name="Nguyễn", date_of_birth="1980-05-01", sex=Sex.FEMALE))
    pg_services.patients.register(front_desk, PatientInput(
        given_names="Anna", family_name="Smith", date_of_birth="1975-01-02", sex=Sex.FEMALE))
    for query in ("NGUY", "nguyễn", "zoe", "Nguyen, Zo", "Zoë Nguyễn", "05/01/1980", chart.mrn):
        rows = pg_services.patients.search(front_desk, query).rows
        assert [(r.family_name, r.given_names) for r in rows] == [("Nguyễn", "Zoë")], query
    assert pg_services.patients.count(front_desk, "") == 2


def test_exact_decimal_round_trips_on_postgres(pg_db, pg_services, pg_admin):
    """81.64662660 and 0.0045359237 come back as the same Decimals from NUMERIC, and NaN is refused."""
    nurse = _account(pg_services, pg_admin, "whitlock", "Dana Whitlock", StaffRole.NURSE)
    front_desk = _account(pg_services, pg_admin, "lindqvist", "Pat Lindqvist", StaffRole.FRONT_DESK)
    patient = pg_services.patients.register(front_desk, PatientInput(
        given_names="Anna", family_name="Smith", date_of_birth="1980-05-01", sex=Sex.FEMALE))
    written = [Decimal("81.64662660"), Decimal("0.0045359237"), Decimal("350")]
    with pg_db.write() as uow:
        for kg in written:
            uow.session.add(WeightMeasurement(patient_id=patient.id, measured_on=date(2026, 3, 2), weight_kg=kg,
                                              entered_unit=WeightUnit.KG, recorded_by_id=nurse.id,
                                              created_at=datetime(2026, 3, 2, 14, tzinfo=timezone.utc)))
        uow.commit()
    with pg_db.read() as uow:
        back = uow.session.execute(select(WeightMeasurement.weight_kg).order_by(WeightMeasurement.id)).scalars().all()
    assert back == written
    assert all(isinstance(v, Decimal) for v in back)
    with pytest.raises(StatementError, match="exact decimal"):
        with pg_db.write() as uow:
            uow.session.add(WeightMeasurement(patient_id=patient.id, measured_on=date(2026, 3, 2),
                                              weight_kg=Decimal("NaN"), entered_unit=WeightUnit.KG,
                                              recorded_by_id=nurse.id,
                                              created_at=datetime(2026, 3, 2, 14, tzinfo=timezone.utc)))
            uow.commit()


def test_pound_weight_with_many_places_round_trips_on_postgres(pg_services, pg_admin):
    """180.12345 lb is 81.7026225780765 kg (13 places); it must come back exact so it converts back to the lb."""
    nurse = _account(pg_services, pg_admin, "whitlock", "Dana Whitlock", StaffRole.NURSE)
    patient = pg_services.patients.register(nurse, PatientInput(
        given_names="Anna", family_name="Smith", date_of_birth="1980-05-01", sex=Sex.FEMALE))
    pg_services.patients.record_weight(nurse, patient.id, "180.12345", WeightUnit.LB)
    stored = pg_services.patients.chart(nurse, patient.id).latest_weight.weight_kg
    assert stored == Decimal("180.12345") * Decimal("0.45359237") == Decimal("81.7026225780765")
    assert kg_to_lb(stored) == Decimal("180.12345")


def test_utc_datetime_round_trips_on_postgres(pg_db):
    """09:00 at UTC-5 comes back equal, as aware UTC; a naive datetime is refused."""
    written = datetime(2026, 3, 2, 9, 0, 30, 123456, tzinfo=UTC_MINUS_5)
    with pg_db.write() as uow:
        row = Staff(full_name="Sam Adeyemi", role=StaffRole.ADMINISTRATOR, created_at=written)
        uow.session.add(row)
        uow.commit()
        row_id = row.id
    with pg_db.read() as uow:
        back = uow.session.get(Staff, row_id).created_at
    assert back == written and back.utcoffset() == timedelta(0)
    assert (back.hour, back.microsecond) == (14, 123456)
    with pytest.raises(StatementError, match="without a time zone"):
        with pg_db.write() as uow:
            uow.session.add(Staff(full_name="Naive", role=StaffRole.NURSE, created_at=datetime(2026, 3, 2, 9)))
            uow.commit()


def test_an_upgrade_to_row_seals_seals_the_rows_already_there_on_postgres(pg_url, tmp_path, clock):
    """A clinic at 0007 with an account: the upgrade (after its backup) seals the account with the data folder's
    key (made now, the log being empty), and the upgraded database verifies whole."""
    from clinic_desktop.services import integrity
    from clinic_desktop.storage import migrate
    from clinic_desktop.storage.database import make_engine

    engine = make_engine(pg_url)
    try:
        migrate.upgrade(engine, "0007_search_indexes")
        with engine.begin() as conn:  # as the older version wrote it: no seal column yet
            conn.execute(text("INSERT INTO staff (id, full_name, credentials, role, active, created_at, is_admin, "
                              "failed_logins) VALUES (1, 'Dana Whitlock', 'RN', 'nurse', true, :at, false, '[]')"),
                         {"at": clock.now()})
    finally:
        engine.dispose()
    database = open_database(pg_url, tmp_path / "backups", clock.now())
    try:
        assert database.revision() == schema.HEAD
        with database.read() as uow:
            assert uow.session.execute(text("SELECT row_mac FROM staff")).scalar_one()
            result = integrity.verify(uow.session, database.keyring)
        assert result.ok, result.message
    finally:
        database.close()

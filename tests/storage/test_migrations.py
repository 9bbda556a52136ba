"""Migrations: the known revisions match the scripts, every path builds the models' schema, upgrades back up first."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.services.registry import Services
from clinic_desktop.storage import migrate, row_check, schema
from clinic_desktop.storage.backup import BackupError
from clinic_desktop.storage.database import DatabaseError, make_engine, open_database
from clinic_desktop.storage.models import Base

from tests.conftest import PASSWORD

OLD = "0001_people"


def url_for(path: Path) -> str:
    return f"sqlite:///{path}"


def differences(engine: Engine) -> list[object]:
    """What Alembic's autogenerate would change to make the database match the models (types included)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, Base.metadata)


def _split_top_level(body: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in body:
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        depth += {"(": 1, ")": -1}.get(ch, 0)
        current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def sqlite_schema(engine: Engine) -> dict[str, object]:
    """Tables as SQLite holds them: ordered columns and the set of constraints (CHECKs included), and indexes."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")).all()
    shape: dict[str, object] = {}
    for kind, name, sql in rows:
        if kind == "table":
            items = _split_top_level(sql[sql.index("(") + 1: sql.rindex(")")])
            columns = [re.sub(r"\s+", " ", i) for i in items if not i.startswith("CONSTRAINT")]
            constraints = {re.sub(r"\s+", " ", i) for i in items if i.startswith("CONSTRAINT")}
            shape[f"table {name}"] = (columns, constraints)
        else:
            shape[f"{kind} {name}"] = re.sub(r"\s+", " ", sql)
    return shape


def revision_in(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT version_num FROM alembic_version")]
    finally:
        con.close()


# --- the revision list ------------------------------------------------------------------------------

def test_known_revisions_are_the_script_chain_in_order():
    """schema.REVISIONS (read at start-up without Alembic) is exactly the scripts' chain, oldest first."""
    scripts = ScriptDirectory(str(migrate.MIGRATIONS_DIR))
    chain = tuple(reversed([s.revision for s in scripts.walk_revisions("base", "heads")]))
    assert chain == schema.REVISIONS
    assert scripts.get_heads() == [schema.HEAD]
    for older, newer in zip(chain, chain[1:]):
        assert scripts.get_revision(newer).down_revision == older


def test_revision_order_helpers():
    """Every known revision but HEAD is older; HEAD and unknown revisions are not."""
    assert all(schema.is_older(r) for r in schema.REVISIONS[:-1])
    assert not schema.is_older(schema.HEAD)
    assert not schema.is_older("0099_from_the_future") and not schema.is_known("0099_from_the_future")


# --- every path builds the models' schema -----------------------------------------------------------

def test_migrating_an_empty_database_gives_exactly_the_models_schema(tmp_path):
    """Running every migration on an empty file leaves no difference from the ORM metadata."""
    engine = make_engine(url_for(tmp_path / "migrated.db"))
    try:
        migrate.upgrade(engine)
        assert differences(engine) == []
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [schema.HEAD]
    finally:
        engine.dispose()


def test_creating_a_new_database_gives_exactly_the_models_schema(db):
    """The create_all-and-stamp path for a new file leaves no difference from the ORM metadata."""
    assert differences(db.engine) == []


def test_migrated_and_created_databases_are_the_same_to_sqlite(db, tmp_path):
    """Both paths give the same tables, constraints (CHECKs too, which autogenerate ignores) and indexes."""
    engine = make_engine(url_for(tmp_path / "migrated.db"))
    try:
        migrate.upgrade(engine)
        migrated, created = sqlite_schema(engine), sqlite_schema(db.engine)
    finally:
        engine.dispose()
    assert migrated.keys() == created.keys()
    for name in created:
        assert migrated[name] == created[name], name


# --- upgrading an older schema ----------------------------------------------------------------------

@pytest.fixture
def old_db(tmp_path) -> Path:
    """A database left at revision 0001_people by an older version, with a nurse, a patient and a weight."""
    path = tmp_path / "clinic.db"
    engine = make_engine(url_for(path))
    try:
        migrate.upgrade(engine, OLD)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO staff (id, full_name, credentials, role, active, created_at) "
                "VALUES (1, 'Dana Whitlock', 'RN', 'nurse', 1, '2025-01-06 14:00:00.000000')"))
            conn.execute(text(
                "INSERT INTO patients (id, mrn, given_names, family_name, preferred_name, given_key, family_key, "
                "date_of_birth, sex, phone, email, address, emergency_contact_name, emergency_contact_phone, "
                "emergency_contact_relation, escort_name, escort_phone, referring_clinician_id, height_cm, "
                "rems_enrolled_on, row_version, created_at) VALUES (1, '10000015', 'Thị Minh', 'Nguyễn', '', "
                "'thi minh', 'nguyen', '1980-05-01', 'female', '', '', '', '', '', '', '', '', NULL, '162.5', "
                "NULL, 1, '2025-01-06 14:05:00.000000')"))
            conn.execute(text(
                "INSERT INTO weight_measurements (patient_id, measured_on, weight_kg, entered_unit, recorded_by_id, "
                "created_at) VALUES (1, '2025-01-06', '81.64662660', 'lb', 1, '2025-01-06 14:06:00.000000')"))
        with engine.connect() as conn:
            assert "chairs" not in inspect(conn).get_table_names()
    finally:
        engine.dispose()
    assert revision_in(path) == [OLD]
    return path


def test_opening_an_older_schema_backs_it_up_then_upgrades_it(old_db, tmp_path, clock):
    """An older database is copied (named after its revision) before it is migrated to HEAD, keeping its rows."""
    backups = tmp_path / "backups"
    database = open_database(url_for(old_db), backups, clock.now())
    try:
        # The backup: one verified, self-contained file holding the old schema and the old rows.
        copies = sorted(p for p in backups.iterdir() if not p.name.endswith(".manifest.json"))
        assert len(copies) == 1, copies
        copy = copies[0]
        assert (backups / (copy.name + ".manifest.json")).exists()  # so `clinic-desktop restore` accepts it
        assert OLD in copy.name and copy.suffix == ".db"
        assert revision_in(copy) == [OLD]
        con = sqlite3.connect(copy)
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            assert con.execute("SELECT family_name, given_names FROM patients").fetchall() == [("Nguyễn", "Thị Minh")]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            assert "patients" in tables and "chairs" not in tables
        finally:
            con.close()

        # The database itself: at HEAD, same rows, nothing dangling, foreign keys back on.
        assert database.revision() == schema.HEAD
        assert differences(database.engine) == []
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT family_name, height_cm FROM patients")).all() == [("Nguyễn", "162.5")]
            assert conn.execute(text("SELECT weight_kg FROM weight_measurements")).scalars().all() == ["81.64662660"]
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
            assert conn.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert "chairs" in inspect(conn).get_table_names()

        # And the application can use it: an upgraded clinic has no sign-in accounts yet, so its first
        # administrator (a physician here) is created, and finds the old patient by an accent-free prefix.
        services = Services.build(database, clock, ZoneInfo("America/New_York"))
        assert services.auth.needs_first_admin()
        physician = services.auth.create_first_admin("okafor", "Dr Imani Okafor", PASSWORD, "MD",
                                                     StaffRole.PHYSICIAN)
        assert [r.family_name for r in services.patients.search(physician, "nguy").rows] == ["Nguyễn"]
    finally:
        database.close()


def test_every_connection_enforces_foreign_keys_after_an_upgrade(old_db, tmp_path, clock):
    """Migrations turn foreign keys off while rebuilding tables; every connection afterwards has them on again."""
    database = open_database(url_for(old_db), tmp_path / "backups", clock.now())
    try:
        conns = [database.engine.connect() for _ in range(3)]
        try:
            assert [c.exec_driver_sql("PRAGMA foreign_keys").scalar() for c in conns] == [1, 1, 1]
        finally:
            for conn in conns:
                conn.close()
    finally:
        database.close()


def test_upgrade_does_not_happen_when_the_backup_cannot_be_made(old_db, tmp_path, clock):
    """If the pre-upgrade backup fails, the error says so and the database stays at its old revision."""
    blocked = tmp_path / "backups"
    blocked.write_text("a file where the backups folder should be")
    with pytest.raises(BackupError):
        open_database(url_for(old_db), blocked, clock.now())
    assert revision_in(old_db) == [OLD]


def test_second_open_after_an_upgrade_takes_no_new_backup(old_db, tmp_path, clock):
    """Once upgraded, reopening the database does not back it up again."""
    backups = tmp_path / "backups"
    open_database(url_for(old_db), backups, clock.now()).close()
    open_database(url_for(old_db), backups, clock.now()).close()
    assert len(list(backups.glob("*.db"))) == 1


def test_a_dangling_reference_is_refused_at_open_before_any_upgrade(old_db, tmp_path, clock):
    """A row pointing at no row (written behind the application's back) is found by the check at open: refused,
    named, neither backed up nor upgraded, and the file is left byte for byte."""
    engine = make_engine(url_for(old_db))
    try:
        with engine.connect() as conn:
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
            with conn.begin():
                conn.execute(text("INSERT INTO allergies (patient_id, substance, reaction) VALUES (99, 'latex', '')"))
    finally:
        engine.dispose()
    before = old_db.read_bytes()
    backups = tmp_path / "backups"
    with pytest.raises(DatabaseError) as caught:
        open_database(url_for(old_db), backups, clock.now())
    assert caught.value.message.startswith(f"The database {old_db} has 1 row pointing at rows that do not exist "
                                           "(the first: row 1 of table allergies, pointing into patients).")
    assert "clinic-desktop --data-dir" in caught.value.message and " restore " in caught.value.message
    assert not backups.exists() and old_db.read_bytes() == before


def test_failed_migration_leaves_the_old_database_and_names_the_backup(old_db, tmp_path, clock):
    """A failing migration (a table in the way of a later step here) is a DatabaseError naming the backup; the
    file stays at 0001."""
    with sqlite3.connect(old_db) as con:
        con.execute("CREATE TABLE audit_log (left_by_another_program INTEGER)")
    backups = tmp_path / "backups"
    with pytest.raises(DatabaseError, match="already exists") as caught:
        open_database(url_for(old_db), backups, clock.now())
    (copy,) = backups.glob("*.db")
    assert str(copy) in caught.value.message
    assert revision_in(old_db) == [OLD]
    con = sqlite3.connect(old_db)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "chairs" not in tables  # the half-done migration was rolled back
        assert con.execute("SELECT count(*) FROM patients").fetchone() == (1,)
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        con.close()


def test_an_upgrade_seals_the_rows_already_there_with_the_data_folders_key(old_db, tmp_path, clock):
    """0008 adds the seals: every existing row gets one, made with the audit key of the data folder (created here,
    as the log is still empty), so the upgraded clinic verifies and a later change behind its back does not."""
    assert not (tmp_path / "audit.key").exists()
    database = open_database(url_for(old_db), tmp_path / "backups", clock.now())
    try:
        assert (tmp_path / "audit.key").exists()
        with database.engine.connect() as conn:
            seals = {table: conn.execute(text(f"SELECT row_mac FROM {table}")).scalars().all()
                     for table in ("staff", "patients", "weight_measurements")}
        assert all(len(values) == 1 and values[0] and len(values[0]) == 64 for values in seals.values()), seals
        with database.read() as uow:
            assert row_check.check_seals(uow.session, database.keyring) is None
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE weight_measurements SET weight_kg = '91.64662660'"))
        with database.read() as uow:
            finding = row_check.check_seals(uow.session, database.keyring)
        assert finding is not None and finding.message.startswith("Weight measurement 1 (patient MRN 10000015)")
    finally:
        database.close()


def test_an_upgrade_of_rows_without_a_keyring_is_refused(old_db):
    """Sealing needs the key: a migration run without the data folder's keyring does not leave rows unsealed."""
    engine = make_engine(url_for(old_db))
    try:
        with pytest.raises(RuntimeError, match="no audit keyring"):
            migrate.upgrade(engine)
    finally:
        engine.dispose()
    assert revision_in(old_db) == [OLD]

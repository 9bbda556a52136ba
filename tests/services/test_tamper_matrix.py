"""`audit verify` against changes made behind the application's back: every column of every sealed table edited, a
row added or deleted, a signature removed, a role raised, the audit log's triggers dropped: each detected and
named. And no false alarm after a whole day's normal use."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, text

from clinic_desktop.domain.enums import VitalsPhase
from clinic_desktop.services import integrity
from clinic_desktop.storage.models import Base
from clinic_desktop.storage.models.audit import APPEND_ONLY_DDL, SIGNED_GUARD_DDL
from clinic_desktop.storage.row_check import LABELS
from clinic_desktop.storage.row_seals import sealed_tables

from tests.conftest import PASSWORD
from tests.services.service_support import NORMAL
from tests.services.tamper_support import (
    behind_the_back, busy_day, edited_columns, first_row, other_value, set_value, verify,
)


@pytest.fixture
def day(clinic) -> dict[str, int]:
    return busy_day(clinic)


def test_a_whole_day_of_normal_use_verifies(day, db):
    """No false alarm: every row the services wrote, changed, signed and amended matches."""
    result = verify(db)
    assert result.ok, result.message
    assert "every record matches its seal" in result.message.lower()


def test_every_sealed_table_has_a_row_after_the_day(day, db):
    """So the column matrix below covers every sealed table, and the audit log alone is left out of sealing."""
    with behind_the_back(db) as conn:
        empty = [t.name for t in sealed_tables() if first_row(conn, t) is None]
    assert empty == []
    assert {t.name for t in Base.metadata.sorted_tables} - {t.name for t in sealed_tables()} == {"audit_log"}


def test_every_column_of_every_sealed_table_changed_behind_the_back_is_named(day, db):
    """One row per table, each column in turn set to another value and back: each change is reported as a change
    to that row, in words; put back, the row verifies again."""
    missed = []
    for table in sealed_tables():
        with behind_the_back(db) as conn:
            row = first_row(conn, table)
        key = {c.name: row._mapping[c.name] for c in table.primary_key.columns}
        for column in edited_columns(table):
            original = row._mapping[column]
            changed = other_value(table.c[column], original)
            edited_key = {**key, column: changed} if column in key else key
            with behind_the_back(db) as conn:
                set_value(conn, table, key, column, changed)
            result = verify(db)
            with behind_the_back(db) as conn:
                set_value(conn, table, edited_key, column, original)
            if result.ok or result.check != "rows" or LABELS[table.name] not in result.message \
                    or "changed outside the application" not in result.message:
                missed.append(f"{table.name}.{column}: {result.message}")
    assert missed == []
    assert verify(db).ok


def test_an_edited_vital_signs_reading_names_the_reading_its_patient_and_session(day, db, services, staff):
    """The reading's own words: which reading, whose, and the session's day."""
    mrn = services.patients.chart(staff["nurse"], day["patient"]).mrn
    with behind_the_back(db) as conn:
        conn.execute(text("UPDATE vital_signs SET systolic = 182 WHERE id = :id"), {"id": day["vitals"]})
    result = verify(db)
    assert not result.ok
    assert result.problem == (f"Vital signs reading {day['vitals']} (patient MRN {mrn}, session of 2026-03-02) was "
                              "changed outside the application (its contents no longer match the seal the application "
                              "gave it).")
    assert result.message.startswith("The clinic's records have been altered: Vital signs reading")


def test_a_front_desk_account_raised_to_physician_in_the_table_is_caught(day, db, staff):
    with behind_the_back(db) as conn:
        conn.execute(text("UPDATE staff SET role = 'physician' WHERE id = :id"), {"id": staff["front_desk"].id})
    result = verify(db)
    assert not result.ok and result.check == "rows"
    assert "Staff account" in result.problem and "lindqvist" in result.problem
    assert "changed outside the application" in result.problem


def test_a_row_added_by_hand_is_reported_as_added(day, db):
    """A reading inserted with SQL carries no seal."""
    with behind_the_back(db) as conn:
        conn.execute(text(
            "INSERT INTO vital_signs (id, session_id, taken_at, phase, systolic, diastolic, heart_rate, spo2, "
            "resp_rate, alert_note, recorded_by_id, created_at) VALUES (9001, :sid, '2026-03-02 14:30:00', "
            "'during', 118, 76, 70, 98, 14, '', 1, '2026-03-02 14:30:00')"), {"sid": day["session"]})
    result = verify(db)
    assert not result.ok and result.check == "rows"
    assert result.problem.startswith("Vital signs reading 9001 (patient MRN")
    assert "was added outside the application (it has no seal)" in result.problem


def test_a_row_copied_with_another_rows_seal_is_caught(day, db):
    """Copying a genuine row's seal onto a forged row does not help: the seal covers the id and the values."""
    vitals = Base.metadata.tables["vital_signs"]
    with behind_the_back(db) as conn:
        genuine = dict(first_row(conn, vitals)._mapping)
        conn.execute(insert(vitals).values({**genuine, "id": 9002}))
    result = verify(db)
    assert not result.ok and "Vital signs reading 9002" in result.problem


def test_a_deleted_vital_signs_reading_is_named_with_its_audit_entry(day, db, services, staff):
    mrn = services.patients.chart(staff["nurse"], day["patient"]).mrn
    with behind_the_back(db) as conn:
        conn.execute(text("DELETE FROM vital_signs WHERE id = :id"), {"id": day["vitals"]})
        seq = conn.execute(text("SELECT seq FROM audit_log WHERE object_type = 'vital_signs' AND object_id = :id"),
                           {"id": str(day["vitals"])}).scalar_one()
    result = verify(db)
    assert not result.ok and result.check == "records in the audit log"
    assert result.problem == (f"Vital signs reading {day['vitals']} (patient MRN {mrn}), recorded in the audit log at "
                              f"entry {seq}, is missing (deleted outside the application).")


@pytest.mark.parametrize("table", ["patients", "staff", "treatment_sessions", "dose_records", "chairs",
                                   "infusion_series", "emergency_sessions", "sheet_texts"])
def test_a_deleted_record_the_log_names_is_missing(day, db, table):
    """Each kind of record the log names by its id, deleted (with what hangs on it, as a database tool's cascade
    would): reported as missing, with its entry."""
    with behind_the_back(db) as conn:
        model = Base.metadata.tables[table]
        row = conn.execute(text(f"SELECT max(CAST(object_id AS INTEGER)) FROM audit_log WHERE object_type IN "
                                f"({', '.join(repr(t) for t, n in _types().items() if n == table)})")).scalar()
        conn.execute(delete(model).where(model.c.id == row))
    result = verify(db)
    assert not result.ok
    # The row's children may go first in the order of checks (their own rows are gone or dangling), but the
    # disappearance is always named as a missing record.
    assert "is missing (deleted outside the application)" in result.problem, result.message


def _types() -> dict[str, str]:
    from clinic_desktop.storage.row_check import AUDITED_TABLES

    return AUDITED_TABLES


@pytest.mark.parametrize("kind, meaning", [("dose_order", "Ordered by"), ("administration", "Administered by"),
                                           ("waste", "Witnessed by"), ("checks_override", "Override approved by")])
def test_deleted_signature_rows_of_a_signed_record_are_named(day, db, kind, meaning):
    """The record then simply showed no signature; now verify says which record lost which signature."""
    with behind_the_back(db) as conn:
        if kind == "administration":  # the amendment refers to its signature: a thorough forger removes both
            conn.execute(text("DELETE FROM amendments WHERE record_type = 'administration'"))
        conn.execute(text("DELETE FROM signatures WHERE record_type = :k"), {"k": kind})
    result = verify(db)
    assert not result.ok and result.check == "signatures", result.message
    assert f"its signature ({meaning}) is missing: it was removed outside the application" in result.problem
    assert ("Treatment session" if kind == "checks_override" else "Dose record") in result.problem


def test_a_signed_dose_changed_and_resealed_is_still_caught_by_its_signature(day, db):
    """Someone holding the key reseals the edited row: the signature's content hash still disagrees."""
    from clinic_desktop.storage.row_seals import RowSealer, write_seals

    doses = Base.metadata.tables["dose_records"]
    with behind_the_back(db) as conn:
        conn.execute(text("UPDATE dose_records SET dose_mg = '400.0' WHERE id = :id"), {"id": day["dose"]})
        row = dict(first_row(conn, doses)._mapping)
        write_seals(conn, doses, [([row["id"]], RowSealer(db.keyring).seal(doses, row))])
    result = verify(db)
    assert not result.ok and result.check == "signatures"
    assert result.problem.startswith(f"Dose record {day['dose']} (patient MRN")
    assert "no longer holds what its signature (Ordered by) signed" in result.problem


def test_a_forged_signature_row_is_not_authentic(day, db):
    with behind_the_back(db) as conn:
        conn.execute(text("UPDATE signatures SET signed_at = '2026-03-01 09:00:00' WHERE record_type = 'waste'"))
        sig = Base.metadata.tables["signatures"]
        from clinic_desktop.storage.row_seals import RowSealer, write_seals

        rows = [dict(r._mapping) for r in conn.execute(sig.select().where(sig.c.record_type == "waste"))]
        write_seals(conn, sig, [([r["id"]], RowSealer(db.keyring).seal(sig, r)) for r in rows])
    result = verify(db)
    assert not result.ok and result.check == "signatures"
    assert "Electronic signature" in result.problem and "is not authentic" in result.problem


def _triggers(dialect: str) -> list[tuple[str, str, str]]:
    """(table, trigger name, its CREATE statement) of every append-only trigger the application makes."""
    statements = [("audit_log", sql) for sql in APPEND_ONLY_DDL[dialect]]
    statements += [(t, sql) for t, by_dialect in SIGNED_GUARD_DDL.items() for sql in by_dialect[dialect]]
    return [(table, sql.split()[2], sql) for table, sql in statements if sql.startswith("CREATE TRIGGER")]


@pytest.mark.parametrize("number", range(5))
def test_a_dropped_append_only_trigger_is_named(day, db, number):
    """Dropping (or, on PostgreSQL, disabling) what makes the log, the signatures or the amendments append-only is
    itself reported, naming the trigger. SQLite has five such triggers, PostgreSQL five too."""
    table, name, statement = _triggers("sqlite" if db.is_sqlite else "postgresql")[number]
    for how in ("removed",) if db.is_sqlite else ("removed", "disabled"):  # SQLite cannot disable a trigger
        with behind_the_back(db, lift_guards=False) as conn:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {name}" if how == "disabled" else
                              f"DROP TRIGGER {name}" + ("" if db.is_sqlite else f" ON {table}")))
        try:
            result = verify(db)
            assert not result.ok and result.check.startswith("protection of"), result.message
            assert f"(the trigger {name}) was {how} outside the application" in result.problem
            assert result.problem.startswith("The database no longer refuses changes to")
        finally:
            with behind_the_back(db, lift_guards=False) as conn:  # the PostgreSQL run database is shared
                conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {name}" if how == "disabled" else statement))
        assert verify(db).ok


def test_signatures_and_amendments_refuse_changes_and_removal(day, db):
    """Only superseding a signature (once) and its seal are ever written after the insert."""
    for statement in ("DELETE FROM signatures", "UPDATE signatures SET meaning = 'Witnessed by'",
                      "DELETE FROM amendments", "UPDATE amendments SET reason = 'because'"):
        with db.engine.connect() as conn, pytest.raises(Exception, match="never|append-only"):
            conn.execute(text(statement))
    with db.engine.connect() as conn, pytest.raises(Exception, match="superseded only once|append-only"):
        conn.execute(text("UPDATE signatures SET superseded_by_id = NULL WHERE superseded_by_id IS NOT NULL"))


def test_a_trigger_replaced_by_one_that_lets_changes_through_is_named(day, db):
    with behind_the_back(db, lift_guards=False) as conn:
        if db.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
            conn.execute(text("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT 1; END"))
        else:
            conn.execute(text("CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql "
                              "AS $$ BEGIN RETURN NULL; END $$"))
    try:
        result = verify(db)
        assert not result.ok and "was altered outside the application" in result.problem
    finally:
        with behind_the_back(db, lift_guards=False) as conn:
            if db.is_sqlite:
                conn.execute(text("DROP TRIGGER audit_log_no_delete"))
                conn.execute(text(APPEND_ONLY_DDL["sqlite"][1]))
            else:
                conn.execute(text(APPEND_ONLY_DDL["postgresql"][0]))
    assert verify(db).ok


def test_the_chain_is_reported_before_the_rows(day, db):
    """When the log itself is altered, that is the first thing said (the rows are checked against the log)."""
    with behind_the_back(db) as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update" if db.is_sqlite else
                          "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        conn.execute(text("UPDATE audit_log SET username = 'someone' WHERE seq = 3"))
        conn.execute(text("UPDATE vital_signs SET systolic = 182"))
    try:
        result = verify(db)
        assert (result.ok, result.check, result.first_bad_seq) == (False, "audit log", 3)
        assert result.message.startswith("The audit log has been altered at entry 3")
    finally:
        if not db.is_sqlite:
            with behind_the_back(db) as conn:
                conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change"))


def test_verify_through_the_service_is_the_whole_check(day, db, services, staff):
    """The audit viewer's Verify button (AuditService.verify) runs the rows' checks too."""
    services.monitoring.record_vitals(staff["nurse"], day["other_session"], VitalsPhase.BASELINE, NORMAL)
    assert services.audit.verify(staff["admin"]).ok
    with behind_the_back(db) as conn:
        conn.execute(text("UPDATE patients SET family_name = 'Smith' WHERE id = :id"), {"id": day["patient"]})
    result = services.audit.verify(staff["admin"])
    assert not result.ok and "Patient record" in result.message


def test_a_check_can_be_added(day, db):
    """Checks are a list: another one runs after the others, in order, and its finding is the result."""
    from clinic_desktop.storage.row_check import Finding

    def extra(_session, _keyring):
        return Finding("extra", "Something else is off.")

    with db.read() as uow:
        result = integrity.verify(uow.session, db.keyring, integrity.CHECKS + (extra,))
    assert (result.ok, result.check, result.problem) == (False, "extra", "Something else is off.")


def test_no_false_alarm_after_a_backup_more_work_and_a_restore(day, db, services, staff, clock):
    """The restored rows keep their seals (a backup copies them), and the work after the restore is sealed too."""
    admin, nurse = staff["admin"], staff["nurse"]
    made = services.backups.back_up_now(admin)
    clock.advance(minutes=10)
    services.monitoring.record_vitals(nurse, day["other_session"], VitalsPhase.BASELINE, NORMAL)
    services.backups.restore(admin, made.file_name, PASSWORD)
    result = services.audit.verify(admin)
    assert result.ok, result.message
    services.monitoring.record_vitals(nurse, day["other_session"], VitalsPhase.BASELINE, NORMAL)
    assert services.audit.verify(admin).ok

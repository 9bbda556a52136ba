"""`clinic-desktop backup` and `restore`: one line of output, one-line errors with exit 1."""

from __future__ import annotations

import json
import sqlite3

import pytest

from clinic_desktop.cli import main
from clinic_desktop.storage import schema
from tests.cli.folder_state import folder_state


def patients(folder) -> list[str]:
    with sqlite3.connect(folder / "clinic.db") as con:
        return [r[0] for r in con.execute("SELECT family_name FROM patients ORDER BY id")]


@pytest.fixture
def clinic(tmp_path, capsys):
    """A data folder with a little fictional demo history (tmp_path/"data"; tmp_path/"elsewhere" is outside it)."""
    folder = tmp_path / "data"
    assert main(["--data-dir", str(folder), "demo", "--patients", "3", "--today", "2026-03-04"]) == 0
    capsys.readouterr()
    (tmp_path / "elsewhere").mkdir()
    return folder


def test_backup_to_the_backups_folder_says_where_and_that_it_verified(clinic, capsys):
    """Default: a time-stamped manual backup in backups/ with its manifest; one line; audited."""
    assert main(["--data-dir", str(clinic), "backup"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    copies = list((clinic / "backups").glob("clinic-manual-*.db"))
    assert len(out) == 1 and len(copies) == 1
    assert str(copies[0]) in out[0] and "verified" in out[0]
    manifest = json.loads((copies[0].parent / (copies[0].name + ".manifest.json")).read_text())
    assert manifest["verified"] and manifest["schema_revision"] == schema.HEAD and manifest["audit_seq"] > 0
    with sqlite3.connect(clinic / "clinic.db") as con:
        assert con.execute("SELECT action, staff_id FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone() == \
            ("backup", None)


def test_restore_round_trip_keeps_a_safety_copy_and_verifies(clinic, capsys):
    """Back up, add a patient, restore: the patient is gone, the safety copy has it, audit verify passes."""
    target = clinic.parent / "elsewhere" / "before-change.db"
    assert main(["--data-dir", str(clinic), "backup", "--to", str(target)]) == 0
    before = patients(clinic)
    with sqlite3.connect(clinic / "clinic.db") as con:  # an unaudited change: only the rows matter here
        con.execute("UPDATE patients SET family_name = 'Changed' WHERE id = 1")
    assert main(["--data-dir", str(clinic), "restore", str(target)]) == 0
    out = capsys.readouterr().out
    assert "opens and verifies" in out and "clinic-before-restore-" in out
    assert patients(clinic) == before
    safety = next((clinic / "backups").glob("clinic-before-restore-*.db"))
    with sqlite3.connect(safety) as con:
        assert con.execute("SELECT family_name FROM patients WHERE id = 1").fetchone() == ("Changed",)
    assert main(["--data-dir", str(clinic), "audit", "verify"]) == 0


def test_restore_of_a_damaged_backup_is_one_line_exit_1_and_changes_nothing(clinic, capsys):
    """A flipped byte: refused with the reason, no traceback; the live database is as it was."""
    target = clinic.parent / "elsewhere" / "copy.db"
    assert main(["--data-dir", str(clinic), "backup", "--to", str(target)]) == 0
    data = bytearray(target.read_bytes())
    data[-100] ^= 0x01
    target.write_bytes(bytes(data))
    before = patients(clinic)
    capsys.readouterr()
    assert main(["--data-dir", str(clinic), "restore", str(target)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("clinic-desktop: error:") and "does not match its manifest" in err[0]
    assert patients(clinic) == before


def test_restore_without_a_manifest_and_backup_to_a_folder_are_refused(clinic, capsys):
    """A bare database file has no manifest: refused. --to naming a folder: refused."""
    assert main(["--data-dir", str(clinic), "restore", str(clinic / "clinic.db")]) == 1
    assert "no manifest" in capsys.readouterr().err
    assert main(["--data-dir", str(clinic), "backup", "--to", str(clinic)]) == 1
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["clinic.db", "clinic.db-shm", "audit.key", "audit-head.json", "copy.db",
                                    "backups/../clinic.db"])
def test_backup_to_refuses_the_clinics_own_files_and_the_rest_of_its_folder(clinic, capsys, target):
    """backup --to at the live database (by any spelling), its -shm, the key, the head or elsewhere in the data
    folder: one line, exit 1, and the folder's files are byte for byte as before, even with --force."""
    (clinic / "backups").mkdir(exist_ok=True)
    before = folder_state(clinic)
    for force in ((), ("--force",)):
        assert main(["--data-dir", str(clinic), "backup", "--to", str(clinic / target), *force]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and ("it is never overwritten" in err or "inside the clinic's data folder" in err)
    assert folder_state(clinic) == before


def test_backup_to_an_existing_file_or_beside_an_existing_manifest_needs_force(clinic, capsys):
    target = clinic.parent / "elsewhere" / "copy.db"
    target.write_bytes(b"an older copy")
    assert main(["--data-dir", str(clinic), "backup", "--to", str(target)]) == 1
    assert capsys.readouterr().err == (f"clinic-desktop: error: {target} already exists: choose another name, or "
                                       "add --force to replace it.\n")
    assert target.read_bytes() == b"an older copy"
    target.unlink()
    manifest = target.with_name("copy.db.manifest.json")
    manifest.write_text("{}")
    assert main(["--data-dir", str(clinic), "backup", "--to", str(target)]) == 1
    assert f"{manifest} already exists" in capsys.readouterr().err and not target.exists()
    assert main(["--data-dir", str(clinic), "backup", "--to", str(target), "--force"]) == 0
    assert json.loads(manifest.read_text())["verified"] is True


def test_a_lost_database_is_refused_then_restored_from_its_backup(clinic, capsys):
    """clinic.db deleted beside its key, head and backups: every command refuses (naming the newest backup and
    the restore command) instead of starting an empty clinic; the restore it names brings the patients back."""
    assert main(["--data-dir", str(clinic), "backup"]) == 0
    (copy,) = (clinic / "backups").glob("clinic-manual-*.db")
    before = patients(clinic)
    capsys.readouterr()
    for name in ("clinic.db", "clinic.db-wal", "clinic.db-shm"):
        (clinic / name).unlink(missing_ok=True)
    assert main(["--data-dir", str(clinic), "info"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"clinic-desktop: error: The clinic database {clinic / 'clinic.db'} is missing, but its "
                          "folder still holds the audit key, the audit head file and backups of a clinic")
    assert f"clinic-desktop --data-dir {clinic} restore {copy} (the newest backup)" in err and err.count("\n") == 1
    assert not (clinic / "clinic.db").exists()
    assert main(["--data-dir", str(clinic), "restore", str(copy)]) == 0
    assert patients(clinic) == before
    assert main(["--data-dir", str(clinic), "audit", "verify"]) == 0


def test_audit_verify_runs_the_full_file_check_first(clinic, capsys):
    """An index that disagrees with its table passes the quick check at open; `audit verify` finds it (exit 3)."""
    with sqlite3.connect(clinic / "clinic.db") as con:
        con.execute("PRAGMA writable_schema = ON")
        con.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX ix_audit_log_staff_id_seq ON audit_log "
                    "(staff_id, seq DESC)' WHERE name = 'ix_audit_log_staff_id_seq'")
    con.close()
    assert main(["--data-dir", str(clinic), "info"]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(clinic), "audit", "verify"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("The database is damaged: SQLite's check finds \"row ") and err.count("\n") == 1
    assert "missing from index ix_audit_log_staff_id_seq" in err

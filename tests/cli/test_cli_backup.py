"""`clinic-desktop backup` and `restore`: one line of output, one-line errors with exit 1."""

from __future__ import annotations

import json
import sqlite3

import pytest

from clinic_desktop.cli import main
from clinic_desktop.storage import schema


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

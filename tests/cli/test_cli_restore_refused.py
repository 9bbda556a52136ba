"""`clinic-desktop restore` while the clinic database is open elsewhere: one line on standard error, exit 1, and
nothing replaced; once the other window closes, the same command restores."""

from __future__ import annotations

import sqlite3

from clinic_desktop.cli import main
from clinic_desktop.storage.database import open_database


def families(folder) -> list[str]:
    with sqlite3.connect(folder / "clinic.db") as con:
        return [r[0] for r in con.execute("SELECT family_name FROM patients ORDER BY id")]


def test_restore_is_refused_while_a_window_has_the_database_open(tmp_path, capsys, clock):
    target = tmp_path / "elsewhere" / "copy.db"  # outside the data folder: a backup --to is never written inside it
    target.parent.mkdir()
    tmp_path = tmp_path / "data"
    assert main(["--data-dir", str(tmp_path), "demo", "--patients", "2", "--today", "2026-03-04"]) == 0
    assert main(["--data-dir", str(tmp_path), "backup", "--to", str(target)]) == 0
    with sqlite3.connect(tmp_path / "clinic.db") as con:  # an unaudited change: only the rows matter here
        con.execute("UPDATE patients SET family_name = 'Changed' WHERE id = 1")
    changed = families(tmp_path)
    capsys.readouterr()
    window = open_database(f"sqlite:///{tmp_path / 'clinic.db'}", tmp_path / "backups", clock.now())
    try:
        assert main(["--data-dir", str(tmp_path), "restore", str(target)]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("clinic-desktop: error: Another Clinic Desktop window or command")
        assert families(tmp_path) == changed
        assert not list((tmp_path / "backups").glob("clinic-before-restore-*"))
    finally:
        window.close()
    assert main(["--data-dir", str(tmp_path), "restore", str(target)]) == 0
    assert families(tmp_path) != changed and "Changed" not in families(tmp_path)

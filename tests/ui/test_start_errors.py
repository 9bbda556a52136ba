"""The window's start when the clinic's database must not be opened: the same sentence as the command line's, in
the start-up box, and nothing created in the data folder."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from clinic_desktop import app
from clinic_desktop.cli import main


def test_a_lost_database_shows_how_to_restore_in_the_start_up_box(qtbot, tmp_path, monkeypatch, capsys):
    """clinic.db deleted beside its audit key and head: the window does not open on an empty clinic; its box
    names what was found and the restore command (the Backup page is out of reach without a database)."""
    folder = tmp_path / "data"
    assert main(["--data-dir", str(folder), "info"]) == 0
    (folder / "audit.key").write_text("ab" * 32)  # as a clinic that has written its log has it
    for name in ("clinic.db", "clinic.db-wal", "clinic.db-shm"):
        (folder / name).unlink(missing_ok=True)
    capsys.readouterr()
    assert main(["--data-dir", str(folder), "info"]) == 1
    said = capsys.readouterr().err.removeprefix("clinic-desktop: error: ").strip()
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, title, text: shown.append((title, text)))
    assert app.run_gui(str(folder), None) == 1
    assert shown == [("Clinic Desktop", f"The clinic database could not be opened.\n\n{said}")]
    assert "clinic-desktop --data-dir" in said and " restore FILE" in said
    assert not (folder / "clinic.db").exists()

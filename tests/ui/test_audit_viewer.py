"""The audit viewer: entries newest first, filters, paging, CSV export (itself audited), verification."""

from __future__ import annotations

import csv
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services.audit import AuditFilter
from clinic_desktop.services.auth import AuthenticationFailed
from clinic_desktop.ui.audit_model import AuditTableModel
from clinic_desktop.ui.theme import ERROR_RED
from tests.conftest import PASSWORD


@pytest.fixture
def history(services, staff):
    """Sign-ins, a wrong password and two registered patients: a log with several kinds of entry."""
    services.auth.login("whitlock", PASSWORD)
    services.auth.login("lindqvist", PASSWORD)
    with pytest.raises(AuthenticationFailed):
        services.auth.login("whitlock", "wrong password")
    first = services.patients.register(staff["nurse"], PatientInput("Ada", "Lovelace", "1980-01-02", "female"))
    second = services.patients.register(staff["front_desk"], PatientInput("Alan", "Turing", "1975-06-23", "male"))
    return first, second


@pytest.fixture
def viewer(make_window, staff, history):
    window = make_window()
    window.sign_in(staff["admin"])
    return window.workspace.audit


def _column(model: AuditTableModel, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_entries_are_shown_newest_first_with_local_time_and_offset(viewer, services, staff):
    """Every entry so far, newest first; the time in the clinic's wall clock with its UTC offset."""
    model = viewer.model
    seqs = [int(s) for s in _column(model, model.SEQ)]
    assert seqs == [9, 8, 7, 6, 5, 4, 3, 2, 1]  # 1-4: the shipped sheet texts, stored as the database opened
    assert model.index(0, model.TIME).data().endswith("−05:00")  # New York in March, before DST
    assert "login failed" in _column(model, model.ACTION)
    assert "Dana Whitlock" in _column(model, model.USER)
    assert viewer.status.text().startswith(f"{model.rowCount()} entries shown")


def test_filters_by_action_user_and_patient(qtbot, viewer, staff, history):
    """Choosing an action, a user or typing an MRN narrows the list to just those entries."""
    model = viewer.model
    viewer.action.setCurrentIndex(viewer.action.findData("login"))
    assert model.rowCount() == 2 and set(_column(model, model.ACTION)) == {"login"}
    viewer.action.setCurrentIndex(0)
    viewer.user.setCurrentIndex(viewer.user.findData(staff["front_desk"].id))
    assert set(_column(model, model.USER)) == {"Pat Lindqvist"}
    viewer.clear_filters()
    first, _second = history
    qtbot.keyClicks(viewer.mrn, first.mrn)
    qtbot.keyClick(viewer.mrn, Qt.Key.Key_Return)
    assert model.rowCount() >= 1 and set(_column(model, model.PATIENT)) == {f"MRN {first.mrn}"}
    viewer.mrn.setText("NO-SUCH-MRN")
    viewer.reload()
    assert model.rowCount() == 0 and viewer.status.text() == "No entries match these filters."


def test_date_filter_uses_the_clinic_day(viewer, clock):
    """From tomorrow: nothing yet; to today: everything."""
    viewer.since_on.setChecked(True)
    viewer.since.setDate(viewer.since.date().addDays(1))
    assert viewer.model.rowCount() == 0
    viewer.since_on.setChecked(False)
    viewer.until_on.setChecked(True)
    assert viewer.model.rowCount() > 0


def test_export_writes_the_csv_and_is_itself_audited(viewer, monkeypatch, tmp_path_factory):
    """The file chosen gets every filtered entry; the status says how many; an `export` entry appears."""
    target = tmp_path_factory.mktemp("exports") / "audit-export"  # outside the data folder
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "CSV files (*.csv)"))
    viewer.action.setCurrentIndex(viewer.action.findData("login"))
    viewer.export_button.click()
    written = target.with_suffix(".csv")
    rows = list(csv.reader(written.open(encoding="utf-8")))
    assert len(rows) == 1 + 2 and {r[5] for r in rows[1:]} == {"login"}
    assert viewer.status.text() == f"Exported 2 entries to {written}."
    viewer.action.setCurrentIndex(viewer.action.findData("export"))
    assert viewer.model.rowCount() == 1
    assert viewer.model.entry_at(0).details["entries"] == 2


def test_export_replaces_only_what_the_dialog_asked_about_and_never_the_clinics_files(
        viewer, monkeypatch, services, staff, tmp_path_factory):
    """An existing CSV chosen in the dialog (which asked "replace?") is replaced; "old" typed without ".csv"
    names a file the dialog never asked about: refused, in red, left as it was; the database and the audit key
    (in the data folder) are refused whatever is answered. Nothing refused is audited as an export."""
    folder = tmp_path_factory.mktemp("exports")
    (folder / "old.csv").write_text("yesterday's export")
    answers = [str(folder / "old"), str(folder / "old.csv"), str(services.context.db.keyring.key_path)]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (answers.pop(0), ""))
    assert viewer.export() is None
    assert viewer.status.text() == f"{folder / 'old.csv'} already exists: choose another name."
    assert (folder / "old.csv").read_text() == "yesterday's export"
    assert viewer.export() is not None and (folder / "old.csv").read_text().startswith("seq,")
    key = services.context.db.keyring.key_path
    before = key.read_bytes() if key.exists() else None
    assert viewer.export() is None
    assert viewer.status.text().startswith(f"{key} is ") and ERROR_RED in viewer.status.styleSheet()
    assert (key.read_bytes() if key.exists() else None) == before
    assert [e.action for e in services.audit.entries(staff["admin"]).rows].count("export") == 1


def test_cancelled_export_writes_nothing(viewer, monkeypatch, services, staff):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: ("", ""))
    assert viewer.export() is None
    assert "export" not in services.audit.action_names(staff["admin"])


def test_verify_says_intact_and_shows_an_altered_log_in_red(viewer, services, monkeypatch):
    """The verifier's own message, green when intact, red naming the entry when altered."""
    viewer.verify_button.click()
    assert viewer.verify_result.isVisible()
    assert viewer.verify_result.text().startswith("The audit log is intact:")
    assert ERROR_RED not in viewer.verify_result.styleSheet()

    @dataclass
    class Altered:
        ok: bool = False
        message: str = "The audit log has been altered at entry 3: its hash does not match."

    monkeypatch.setattr(services.audit, "verify", lambda actor: Altered())
    viewer.verify()
    assert viewer.verify_result.text() == Altered.message
    assert ERROR_RED in viewer.verify_result.styleSheet()


def test_audit_model_passes_the_model_tester_while_paging(qtmodeltester, services, staff, history):
    """Pages of three rows arrive through fetchMore; the model keeps Qt's contract throughout."""
    admin = staff["admin"]
    model = AuditTableModel(lambda before: services.audit.entries(admin, AuditFilter(), before, 3))
    model.reload()
    assert model.rowCount() == 3 and model.canFetchMore()
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    qtmodeltester.check(model)
    seqs = [model.entry_at(i).seq for i in range(model.rowCount())]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == len(seqs) == seqs[0]


def test_a_newer_search_wins_and_the_viewer_stays_usable_meanwhile(worker, qtbot, viewer, services, monkeypatch):
    """With the real worker: while a search is held on the worker the filters still respond; a second search
    started meanwhile is the one shown, and the first one's rows never reach the table."""
    import threading

    qtbot.waitUntil(lambda: viewer.model.rowCount() > 0, timeout=10_000)
    release, real = threading.Event(), services.audit.entries

    def held(actor, chosen, before, size):
        if chosen.action == "login":
            release.wait(10)
        return real(actor, chosen, before, size)
    monkeypatch.setattr(services.audit, "entries", held)
    loaded: list[set[str]] = []
    viewer.model.loaded.connect(lambda: loaded.append({viewer.model.entry_at(r).action
                                                       for r in range(viewer.model.rowCount())}))
    viewer.action.setCurrentIndex(viewer.action.findData("login"))
    assert viewer.action.isEnabled() and viewer.status.text() == "Searching…"
    other = next(viewer.action.itemData(i) for i in range(1, viewer.action.count())
                 if viewer.action.itemData(i) != "login")
    viewer.action.setCurrentIndex(viewer.action.findData(other))
    release.set()
    qtbot.waitUntil(lambda: bool(loaded), timeout=10_000)
    # An operation started now runs after both searches (one worker, in order), and its callback comes after
    # theirs: once it has run, a late first search would have shown its rows.
    from PySide6.QtCore import QObject

    from clinic_desktop.ui import ops
    after, anchor = [], QObject()
    ops.Op(anchor, lambda: None).success(lambda _none: after.append(True)).run()
    qtbot.waitUntil(lambda: bool(after), timeout=10_000)
    assert loaded == [{other}], "only the newer search's rows were shown"


def test_verify_names_a_record_changed_behind_the_applications_back(viewer, history, db, tmp_path):
    """The Verify button runs the whole check: a patient's name changed with SQL is named, in red."""
    import sqlite3

    first, _second = history
    con = sqlite3.connect(db.sqlite_path)
    con.execute("UPDATE patients SET family_name = 'Smith' WHERE id = ?", (first.id,))
    con.commit()
    con.close()
    viewer.verify()
    assert viewer.verify_result.text() == (
        f"The clinic's records have been altered: Patient record {first.id} (MRN {first.mrn}) was changed outside "
        "the application (its contents no longer match the seal the application gave it).")
    assert ERROR_RED in viewer.verify_result.styleSheet()
    viewer.window().grab().save(str(tmp_path / "verify-altered.png"))

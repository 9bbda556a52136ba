"""A session's record on screen: the signed order and administration, and an invalid signature shown as such."""

from __future__ import annotations

import sqlite3

from PySide6.QtWidgets import QApplication, QLabel

from clinic_desktop.settings import Locations
from clinic_desktop.ui.main_window import MainWindow
from clinic_desktop.ui.session_record import SessionRecordView
from clinic_desktop.ui.session_screen.session_screen import SessionScreen
from tests.conftest import PASSWORD
from tests.services.signing_support import ordered_and_started


def _texts(widget) -> list[str]:
    QApplication.processEvents()
    return [label.text() for label in widget.findChildren(QLabel) if not label.isHidden()]


def _given_session(services, staff, clock) -> tuple[int, int]:
    patient_id, session_id = ordered_and_started(services, staff, clock)
    clock.advance(minutes=40)
    services.doses.stop(staff["nurse"], session_id, password=PASSWORD, volume_given_ml="100.8")
    return patient_id, session_id


def test_the_record_shows_each_signature_with_name_time_offset_and_meaning(qtbot, services, staff, clock, tmp_path):
    """Opening a session from the chart shows "Ordered by" and "Administered by" with the signer and offset."""
    patient_id, session_id = _given_session(services, staff, clock)
    window = MainWindow(services, Locations(tmp_path, str(services.context.db.engine.url)))
    qtbot.addWidget(window)
    window.show()
    window.sign_in(staff["nurse"])
    window.workspace.open_patient(patient_id)
    view = window.workspace.open_session(session_id)
    assert isinstance(view, SessionScreen) and window.workspace.tabs.currentWidget() is view
    assert isinstance(view.record, SessionRecordView)
    texts = _texts(view)
    assert any(t.startswith("Ordered by Dr Imani Okafor, MD — 2026-03-02") and t.endswith("−05:00") for t in texts)
    assert any(t.startswith("Administered by Dana Whitlock, RN — ") for t in texts)
    assert not any("SIGNATURE INVALID" in t for t in texts)
    assert window.workspace.open_session(session_id) is view, "an open record is reused, not opened twice"


def test_a_change_behind_the_applications_back_shows_signature_invalid(qtbot, services, staff, clock, tmp_path, db):
    """The dose edited directly in the database: the order's signature is shown as invalid, in those words."""
    _patient_id, session_id = _given_session(services, staff, clock)
    with sqlite3.connect(db.sqlite_path) as conn:
        conn.execute("UPDATE dose_records SET dose_mg = '80.0' WHERE session_id = ?", (session_id,))
    window = MainWindow(services, Locations(tmp_path, str(services.context.db.engine.url)))
    qtbot.addWidget(window)
    window.sign_in(staff["nurse"])
    texts = _texts(window.workspace.open_session(session_id))
    assert any(t.startswith("SIGNATURE INVALID") and "Ordered by Dr Imani Okafor" in t for t in texts)
    assert any(t.startswith("Administered by Dana Whitlock") for t in texts), "the untouched part still holds"

"""Emergency (break-glass) access: the dialog, the banner while it lasts, and the administrators' review."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from clinic_desktop.ui.emergency import EmergencyDialog
from tests.conftest import PASSWORD
from tests.ui.ui_support import audit_actions, visible_texts

REASON = "Physician unreachable; chair 2 needs the dose record amended"


def _while_dialog_open(qtbot, action) -> list:
    """Run `action(dialog)` once the modal emergency dialog is up (its exec() blocks the test otherwise)."""
    seen = []

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, EmergencyDialog):
            QTimer.singleShot(10, act)
            return
        seen.append(dialog)
        action(dialog)
    QTimer.singleShot(0, act)
    return seen


def test_emergency_access_shows_a_red_banner_until_it_ends(qtbot, services, staff, clock, make_window):
    """Reason and password start it; the banner says until when; the administrator can now open patients;
    when the time is up the banner and the patient list go."""
    window = make_window()
    window.sign_in(staff["admin"])
    assert window.workspace.patients is None

    def fill(dialog: EmergencyDialog) -> None:
        dialog.reason.setText(REASON)
        dialog.password.setText(PASSWORD)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    seen = _while_dialog_open(qtbot, fill)
    window.menus.emergency.trigger()
    assert seen, "the dialog was shown"

    assert window.banner.isVisible()
    assert window.banner.text() == "Emergency access until 10:00 — everything is flagged for review"
    assert window.banner.text() in visible_texts(window)
    assert "Patients" in window.menus.visible_titles()
    assert window.workspace.patients is not None
    assert not window.menus.emergency.isEnabled()
    assert "emergency_started" in audit_actions(services, staff["admin"])

    clock.advance(minutes=59)
    window.idle.touch()
    window.idle.timer.timeout.emit()
    assert window.banner.isVisible()
    clock.advance(minutes=2)
    window.idle.touch()
    window.idle.timer.timeout.emit()
    assert not window.banner.isVisible()
    assert window.workspace.patients is None
    assert "Patients" not in window.menus.visible_titles()


def test_an_emergency_that_ends_while_locked_is_gone_after_unlocking(qtbot, services, staff, clock, make_window):
    """Unlocking after the emergency time is up: no banner, no patient list for a pure administrator."""
    window = make_window()
    window.sign_in(staff["admin"])
    window.emergency_started(services.auth.start_emergency(staff["admin"], REASON, PASSWORD))
    assert window.banner.isVisible() and window.workspace.patients is not None
    window.lock()
    assert not window.banner.isVisible(), "the banner is not shown over the lock screen"
    clock.advance(hours=2)
    window.lock_page.password.setText(PASSWORD)
    window.lock_page.submit()
    assert window.principal is not None
    assert not window.banner.isVisible() and window.workspace.patients is None
    assert window.menus.visible_titles() == ["File", "Administration", "Help"]


def test_a_wrong_password_keeps_the_dialog_open_with_the_reason(qtbot, services, staff, make_window):
    """The error sits beside the password; cancelling starts nothing."""
    window = make_window()
    window.sign_in(staff["admin"])
    errors = []

    def fill(dialog: EmergencyDialog) -> None:
        dialog.reason.setText(REASON)
        dialog.password.setText("not my password")
        dialog.submit()
        errors.append((dialog.isVisible(), dialog.password_error.text(), dialog.reason.text()))
        dialog.reject()
    _while_dialog_open(qtbot, fill)
    window.menus.emergency.trigger()
    assert errors == [(True, "That password is not right.", REASON)]
    assert not window.banner.isVisible()


def test_locking_cancels_an_open_dialog(qtbot, services, staff, make_window):
    """The idle lock while the dialog is open hides it; it does not come back after unlocking."""
    window = make_window()
    window.sign_in(staff["admin"])
    seen = _while_dialog_open(qtbot, lambda dialog: window.lock())
    window.menus.emergency.trigger()
    assert seen and window.stack.currentWidget() is window.lock_page
    window.lock_page.password.setText(PASSWORD)
    window.lock_page.submit()
    assert window.principal is not None and not window.banner.isVisible()
    open_dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, EmergencyDialog) and w.isVisible()]
    assert open_dialogs == []


def test_pending_reviews_are_shown_at_an_administrators_sign_in(qtbot, services, staff, make_window):
    """Another administrator signing in is taken to the review list, writes a note and marks it reviewed."""
    services.auth.add_user(staff["admin"], "mbeki", "Thandi Mbeki", "administrator", PASSWORD)
    services.auth.start_emergency(staff["admin"], REASON, PASSWORD)
    window = make_window()
    window.sign_in_page.username.setText("mbeki")
    window.sign_in_page.password.setText(PASSWORD)
    window.sign_in_page.submit()
    page = window.workspace.reviews
    assert page is not None and window.workspace.tabs.currentWidget() is page
    assert len(page.pending) == 1
    texts = visible_texts(page)
    assert f"Reason: {REASON}" in texts
    assert any("emergency_started".replace("_", " ") in t for t in texts)
    (review_id, note), = page.notes.items()
    page.review(review_id, "")
    assert "Review note" in page.errors[review_id].text()
    page.notes[review_id].setText("Called Dr Okafor; the amendment was appropriate.")
    qtbot.keyClick(page.notes[review_id], Qt.Key.Key_Return)
    assert page.pending == []
    assert "No emergency access is waiting for review." in visible_texts(page)
    assert audit_actions(services, staff["admin"])[-1] == "emergency_reviewed"

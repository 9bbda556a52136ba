"""Menus per role, the idle lock (with an injected clock), switching users, signing out, the 12-hour limit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.records import StaffMember
from tests.conftest import PASSWORD
from tests.ui.ui_support import audit_actions, sign_in_through_the_page, visible_texts


def _signed_in(make_window, principal):
    window = make_window()
    window.sign_in(principal)
    return window


def _menu_items(menu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if a.isVisible() and not a.isSeparator()]


def test_front_desk_sees_only_the_clinic_settings_under_administration(qtbot, staff, make_window):
    """Front desk: File, Patients, Administration (just the clinic settings, to read), Help; the File menu locks,
    signs out and quits."""
    window = _signed_in(make_window, staff["front_desk"])
    assert window.menus.visible_titles() == ["File", "View", "Patients", "Administration", "Help"]
    assert _menu_items(window.menus.admin) == ["Clinic...", "Clinic settings..."]
    assert _menu_items(window.menus.file) == ["Lock screen", "Sign out", "Quit"]
    assert window.menus.lock.shortcut().toString() == "Ctrl+L"
    assert not window.menus.audit.isEnabled()
    assert window.user_label.text() == "Signed in: Pat Lindqvist · Front desk"


def test_an_administrator_has_the_administration_menu_but_no_patients(qtbot, staff, make_window):
    """A pure administrator sees Administration (users, settings, sheet texts, audit, backups, emergency, review)
    and lands on the audit log."""
    window = _signed_in(make_window, staff["admin"])
    assert window.menus.visible_titles() == ["File", "Administration", "Help"]
    assert _menu_items(window.menus.admin) == ["Users...", "Clinic...", "Chairs...", "Clinic settings...",
                                               "Sheet texts...", "Audit log...",
                                               "Backup and restore...", "Emergency access...",
                                               "Review emergency access..."]
    assert not window.menus.find.isEnabled()
    assert window.workspace.patients is None
    assert window.workspace.tabs.currentWidget() is window.workspace.audit


def test_a_physician_with_administration_rights_sees_both(qtbot, services, staff, make_window):
    """Job role and administration rights add up: Patients and Administration."""
    admin_md = services.auth.add_user(staff["admin"], "solberg", "Dr Henrik Solberg", "physician", PASSWORD,
                                      "DO", is_admin=True)
    assert isinstance(admin_md, StaffMember)
    window = make_window()
    sign_in_through_the_page(qtbot, window, "solberg", PASSWORD)
    assert window.menus.visible_titles() == ["File", "View", "Patients", "Administration", "Help"]
    assert window.workspace.patients is not None
    window.menus.audit.trigger()
    assert window.workspace.tabs.currentWidget() is window.workspace.audit
    assert window.user_label.text() == "Signed in: Dr Henrik Solberg, DO · Administrator, Physician"


def test_idle_lock_hides_patient_data_and_needs_the_password(qtbot, services, staff, clock, make_window):
    """After the idle timeout nothing with patient data is visible; a wrong password keeps it locked; the
    right one brings the workspace back as it was. Lock and unlock are audited."""
    patient = services.patients.register(staff["nurse"], PatientInput("Zoë", "Nguyễn", "1980-01-02", "female"))
    window = _signed_in(make_window, staff["nurse"])
    ws = window.workspace
    qtbot.keyClicks(ws.patients.search_box, "Nguy")
    ws.open_patient(patient.id)
    assert any("Nguyễn" in text for text in visible_texts(window))
    idle_minutes = services.settings.current(staff["nurse"]).idle_lock_minutes

    clock.advance(minutes=idle_minutes - 1)
    assert not window.idle.check(), "not idle yet"
    qtbot.keyClick(ws.patients.search_box, Qt.Key.Key_End)  # activity: the count starts again
    clock.advance(minutes=idle_minutes - 1)
    assert not window.idle.check()
    clock.advance(minutes=2)
    assert window.idle.check()

    assert ws.isHidden() and not ws.isVisible()
    assert window.stack.currentWidget() is window.lock_page
    texts = visible_texts(window)
    assert "Locked — Dana Whitlock" in texts
    assert not any("Nguy" in text or patient.mrn in text for text in texts)
    assert "Nguy" not in window.statusBar().currentMessage()
    assert window.menus.visible_titles() == ["File", "Help"]
    assert not window.menus.find.isEnabled()

    window.lock_page.password.setText("wrong password here")
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_Return)
    assert ws.isHidden()
    assert window.lock_page.error.text() == "That password is not right."

    window.lock_page.password.setText(PASSWORD)
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_Return)
    assert window.workspace is ws and ws.isVisible()
    assert ws.patients.search_box.text() == "Nguy"
    assert ws.chart.chart.id == patient.id
    actions = audit_actions(services, staff["admin"])
    assert actions[-3:] == ["lock", "unlock_failed", "unlock"]


def test_lock_hides_the_other_windows_too(qtbot, staff, make_window):
    """A window of the application opened beside the main one is hidden by the lock and comes back after."""
    window = _signed_in(make_window, staff["nurse"])
    beside = QWidget()
    qtbot.addWidget(beside)
    beside.setWindowTitle("Printed preview")
    beside.show()
    window.menus.lock.trigger()
    assert not beside.isVisible()
    window.lock_page.password.setText(PASSWORD)
    window.lock_page.submit()
    assert beside.isVisible()


def test_another_user_gets_a_fresh_workspace_and_the_first_gets_theirs_back(qtbot, services, staff, make_window):
    """Someone else signing in at the locked screen does not see the first user's search; the first user,
    signing in again later, finds it as they left it."""
    window = _signed_in(make_window, staff["nurse"])
    first = window.workspace
    qtbot.keyClicks(first.patients.search_box, "Private search")
    window.lock()
    qtbot.mouseClick(window.lock_page.switch_button, Qt.MouseButton.LeftButton)
    assert window.sign_in_page.back_button.isVisible()
    sign_in_through_the_page(qtbot, window, "ferreira", PASSWORD)
    second = window.workspace
    assert second is not first
    assert first.isHidden()
    assert second.patients.search_box.text() == ""
    assert not any("Private search" in t for t in visible_texts(window))
    assert "Luis Ferreira" in window.user_label.text()

    window.menus.lock.trigger()
    window.lock_page.switchUser.emit()
    sign_in_through_the_page(qtbot, window, "whitlock", PASSWORD)
    assert window.workspace is first and first.isVisible() and second.isHidden()
    assert first.patients.search_box.text() == "Private search"


def test_sign_out_drops_the_workspace(qtbot, services, staff, make_window):
    """Sign out is audited and returns to the sign-in page; signing in again starts afresh."""
    window = _signed_in(make_window, staff["nurse"])
    qtbot.keyClicks(window.workspace.patients.search_box, "something")
    window.menus.sign_out.trigger()
    assert window.stack.currentWidget() is window.sign_in_page
    assert window.workspace is None and window.sessions == {}
    assert audit_actions(services, staff["admin"])[-1] == "logout"
    sign_in_through_the_page(qtbot, window, "whitlock", PASSWORD)
    assert window.workspace.patients.search_box.text() == ""


def test_after_twelve_hours_only_a_full_sign_in_unlocks(qtbot, services, staff, clock, make_window):
    """The password alone no longer unlocks: the sign-in page asks for name and password, and the user's
    workspace comes back after it."""
    window = _signed_in(make_window, staff["nurse"])
    ws = window.workspace
    qtbot.keyClicks(ws.patients.search_box, "kept")
    clock.advance(hours=12, minutes=1)
    window.idle.timer.timeout.emit()  # the poll: idle by now, and past the 12-hour limit
    assert window.stack.currentWidget() is window.lock_page and ws.isHidden()
    assert "12 hours" in window.lock_page.error.text()
    window.lock_page.password.setText(PASSWORD)
    window.lock_page.submit()
    assert window.stack.currentWidget() is window.sign_in_page
    assert window.sign_in_page.username.text() == "whitlock"
    assert "12 hours" in window.sign_in_page.error.text()
    window.sign_in_page.password.setText(PASSWORD)
    window.sign_in_page.submit()
    assert window.workspace is ws and ws.isVisible()
    assert ws.patients.search_box.text() == "kept"


def test_a_window_can_open_signed_in_and_measures_idle_time_with_the_clock_given(qtbot, services, staff, tmp_path):
    """MainWindow(services, locations, principal, clock=...): straight to the workspace; the idle lock uses
    the injected clock, not the services' one."""
    from datetime import timedelta

    from clinic_desktop.settings import Locations
    from clinic_desktop.ui.main_window import MainWindow

    now = [services.context.now()]
    window = MainWindow(services, Locations(tmp_path, "sqlite://"), staff["front_desk"], clock=lambda: now[0])
    qtbot.addWidget(window)
    assert window.principal == staff["front_desk"] and window.workspace.isVisibleTo(window)
    now[0] += timedelta(minutes=services.settings.current(staff["front_desk"]).idle_lock_minutes)
    assert window.idle.check()
    assert window.stack.currentWidget() is window.lock_page


def test_a_password_reset_at_another_workstation_sends_the_nurse_to_sign_in(qtbot, services, other, staff, clock,
                                                                            make_window):
    """An administrator resets the nurse's password at another workstation: the nurse's next action in this
    window (a search) is refused, the window shows the sign-in page saying why, and only the new password
    brings the workspace back, as the nurse left it."""
    window = _signed_in(make_window, staff["nurse"])
    ws = window.workspace
    clock.advance(minutes=5)
    other.auth.reset_password(staff["admin"], "whitlock", "plum tuesday lantern 42")
    qtbot.keyClicks(ws.patients.search_box, "k")
    assert window.stack.currentWidget() is window.sign_in_page and ws.isHidden()
    assert window.sign_in_page.username.text() == "whitlock"
    assert "Your password was changed since you signed in" in window.sign_in_page.error.text()
    assert window.principal is None and not any("Patients" in text for text in visible_texts(window))
    sign_in_through_the_page(qtbot, window, "whitlock", PASSWORD)
    assert window.stack.currentWidget() is window.sign_in_page, "the old password no longer signs in"
    sign_in_through_the_page(qtbot, window, "whitlock", "plum tuesday lantern 42")
    assert window.workspace is ws and ws.isVisible() and ws.patients.search_box.text() == "k"
    assert window.principal.password_changed_at == clock.now()


def test_a_disabled_account_is_signed_out_at_its_next_action(qtbot, services, other, staff, make_window):
    window = _signed_in(make_window, staff["nurse"])
    other.auth.set_active(staff["admin"], "whitlock", False)
    qtbot.keyClicks(window.workspace.patients.search_box, "k")
    assert window.stack.currentWidget() is window.sign_in_page
    assert "Your account was disabled by an administrator" in window.sign_in_page.error.text()


def test_an_idle_window_goes_to_sign_in_at_its_next_look_for_changes(qtbot, services, other, staff, clock,
                                                                     make_window):
    """No action needed: the watcher's look for other workstations' changes (every few seconds) is a call too,
    so an unattended window stops showing the nurse's workspace right after the reset."""
    window = _signed_in(make_window, staff["nurse"])
    clock.advance(minutes=5)
    other.auth.reset_password(staff["admin"], "whitlock", "plum tuesday lantern 42")
    window.workspace.watcher.poll()
    assert window.stack.currentWidget() is window.sign_in_page and window.workspace.isHidden()


def test_a_workspace_kept_aside_does_not_send_the_user_on_show_to_sign_in(qtbot, services, other, staff, clock,
                                                                          make_window):
    """The nurse locked and the physician signed in: the nurse's reset ends only the nurse's sign-in (found out
    by the nurse's own workspace), and the physician keeps working."""
    window = _signed_in(make_window, staff["nurse"])
    nurse_ws = window.workspace
    window.lock()
    window.sign_in(staff["physician"])
    clock.advance(minutes=5)
    other.auth.reset_password(staff["admin"], "whitlock", "plum tuesday lantern 42")
    nurse_ws.watcher.poll()
    assert window.principal is not None and window.principal.username == "okafor"
    assert window.stack.currentWidget() is window.workspace

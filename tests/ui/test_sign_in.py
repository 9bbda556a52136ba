"""Start-up: the first administrator on a new database, then signing in (and being refused) on the same window."""

from __future__ import annotations

from PySide6.QtCore import Qt

from clinic_desktop.domain.enums import StaffRole
from tests.conftest import PASSWORD
from tests.ui.ui_support import audit_actions, sign_in_through_the_page, visible_texts

NEW_PASSWORD = "a long and private phrase"


def test_an_empty_database_asks_for_the_first_administrator(qtbot, services, make_window):
    """No accounts yet: the window opens on the set-up page, and the new administrator is signed in at once."""
    window = make_window()
    page = window.first_admin_page
    assert window.stack.currentWidget() is page
    page.full_name.setText("Sam O'Brien-Adeyemi")
    page.username.setText("sam.admin")
    page.password.setText(NEW_PASSWORD)
    page.confirm.setText(NEW_PASSWORD)
    qtbot.keyClick(page.confirm, Qt.Key.Key_Return)
    assert window.principal is not None
    assert window.principal.username == "sam.admin"
    assert window.principal.role is StaffRole.ADMINISTRATOR
    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.audit is not None, "an administrator without clinical rights lands on the audit log"
    assert "Signed in: Sam O'Brien-Adeyemi · Administrator" == window.user_label.text()
    assert not services.auth.needs_first_admin()


def test_the_first_administrator_can_be_the_clinics_physician(qtbot, services, make_window):
    """A small clinic's owner sets up as physician and administrator, and sees patients as well as the audit."""
    window = make_window()
    page = window.first_admin_page
    page.full_name.setText("Dr Ines Moreau")
    page.username.setText("moreau")
    page.credentials.setText("MD")
    page.role.setCurrentIndex(page.role.findData(StaffRole.PHYSICIAN))
    page.password.setText(NEW_PASSWORD)
    page.confirm.setText(NEW_PASSWORD)
    qtbot.keyClick(page.confirm, Qt.Key.Key_Return)
    assert (window.principal.role, window.principal.is_admin) == (StaffRole.PHYSICIAN, True)
    assert window.workspace.patients is not None, "a physician sees the patient list"


def test_first_administrator_errors_sit_beside_their_fields(qtbot, services, make_window):
    """A bad user name, a short password and a mistyped confirmation are each shown under their own field,
    all at once; nothing is created until they are put right."""
    window = make_window()
    page = window.first_admin_page
    page.full_name.setText("Sam Adeyemi")
    page.username.setText("no spaces please")
    page.password.setText("short")
    page.confirm.setText("shorter")
    page.submit()
    assert "user name" in page.errors["username"].text()
    assert "at least 10 characters" in page.errors["password"].text()
    assert page.errors["confirm"].text() == "The two passwords are not the same."
    assert all(page.errors[f].isVisible() for f in ("username", "password", "confirm"))
    assert not page.errors["full_name"].isVisible()
    assert window.focusWidget() is page.username  # the first field in error (offscreen windows are never active)
    page.username.setText("sam")
    page.password.setText("Sam Adeyemi's password")
    page.confirm.setText("Sam Adeyemi's password")
    page.submit()
    assert not page.errors["username"].isVisible() and not page.errors["confirm"].isVisible()
    assert page.errors["password"].text() == "The password must not contain your name or user name."
    assert window.principal is None and services.auth.needs_first_admin()


def test_the_service_has_the_last_word_on_the_first_account(qtbot, services, staff, make_window):
    """If accounts appeared meanwhile (another workstation), the refusal is shown, not a traceback."""
    window = make_window()
    assert window.stack.currentWidget() is window.sign_in_page  # the staff fixture made accounts
    page = window.first_admin_page  # as if it had been left open on a workstation before that
    for edit, text in ((page.full_name, "Sam Adeyemi"), (page.username, "sam2"), (page.password, NEW_PASSWORD),
                       (page.confirm, NEW_PASSWORD)):
        edit.setText(text)
    page.submit()
    assert "already has accounts" in page.error.text()


def test_sign_in_shows_the_workspace_of_that_user(qtbot, services, staff, make_window):
    """User name, password, Enter: the nurse's workspace, their name and role in the status bar."""
    window = make_window()
    assert window.stack.currentWidget() is window.sign_in_page
    assert window.menus.visible_titles() == ["File", "Help"]
    sign_in_through_the_page(qtbot, window, "whitlock", PASSWORD)
    assert window.principal.id == staff["nurse"].id
    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.patients is not None
    assert window.user_label.text() == "Signed in: Dana Whitlock, RN · Nurse"
    assert "login" in audit_actions(services, staff["admin"])


def test_a_wrong_password_says_so_and_clears_the_password(qtbot, services, staff, make_window):
    """The refusal is shown under the form, the typed password is gone and the user name stays."""
    window = make_window()
    sign_in_through_the_page(qtbot, window, "whitlock", "not the password")
    page = window.sign_in_page
    assert window.principal is None
    assert page.error.isVisible()
    assert page.error.text() == "The user name or password is not right."
    assert page.password.text() == ""
    assert page.username.text() == "whitlock"
    assert window.focusWidget() is page.password  # where the user types again (offscreen windows are never active)


def test_five_failures_lock_the_account_with_a_message(qtbot, services, staff, make_window):
    """After 5 wrong passwords even the right one is refused, with when to try again and whom to ask."""
    window = make_window()
    for _ in range(5):
        sign_in_through_the_page(qtbot, window, "whitlock", "guessing again")
    sign_in_through_the_page(qtbot, window, "whitlock", PASSWORD)
    message = window.sign_in_page.error.text()
    assert window.principal is None
    assert "locked after 5 failed attempts" in message
    assert "ask an administrator" in message
    assert message in visible_texts(window)


def test_escape_from_someone_elses_sign_in_returns_to_the_lock(qtbot, services, staff, make_window):
    """"Sign in as someone else" can be undone with Esc: back to the locked screen of the same user."""
    window = make_window()
    window.sign_in(staff["nurse"])
    window.lock()
    window.lock_page.switch_button.click()
    assert window.stack.currentWidget() is window.sign_in_page
    qtbot.keyClick(window.sign_in_page.username, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.lock_page
    assert window.lock_page.title.text() == "Locked — Dana Whitlock"


def test_user_names_and_messages_are_plain_text(qtbot, services, make_window):
    """What a person typed comes back literally in the error line, never as markup."""
    window = make_window()
    page = window.first_admin_page
    page.full_name.setText("<b>Sam</b>")
    page.username.setText("<img src=x>")
    page.password.setText(NEW_PASSWORD)
    page.confirm.setText(NEW_PASSWORD)
    page.submit()
    assert page.errors["username"].textFormat() == Qt.TextFormat.PlainText
    assert page.error.textFormat() == Qt.TextFormat.PlainText

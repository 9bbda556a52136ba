"""The Users page: the accounts table, adding a user, disabling and enabling, new passwords, and refusals."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from clinic_desktop.services.auth import AuthenticationFailed
from clinic_desktop.ui.user_dialogs import AddUserDialog, ResetPasswordDialog
from clinic_desktop.ui.users_model import UsersTableModel
from tests.conftest import PASSWORD
from tests.ui.ui_support import audit_actions, visible_texts, while_dialog_open

NEW_PASSWORD = "blue giraffe under the bridge"


@pytest.fixture
def window(make_window, staff):
    window = make_window()
    window.sign_in(staff["admin"])
    return window


@pytest.fixture
def page(window):
    window.menus.users.trigger()
    page = window.workspace.users
    assert page is not None and window.workspace.tabs.currentWidget() is page
    return page


def _row(page, username: str) -> dict[str, str]:
    model = page.model
    row = model.row_of(username)
    assert row >= 0, f"{username} is listed"
    return {header: model.index(row, column).data() for column, header in enumerate(model.HEADERS)}


def test_the_table_lists_every_account_with_role_rights_and_status(qtbot, page, qtmodeltester):
    """User name, name with credentials, role, administrator yes/no, active; the model passes Qt's checks."""
    qtmodeltester.check(page.model)
    assert page.model.rowCount() == 5
    assert _row(page, "okafor") == {"User name": "okafor", "Name and credentials": "Dr Imani Okafor, MD",
                                    "Role": "Physician", "Administrator": "No", "Status": "Active"}
    assert _row(page, "adeyemi")["Administrator"] == "Yes"
    assert not page.toggle_button.isEnabled() and not page.reset_button.isEnabled()


def test_adding_a_user_through_the_form_lets_them_sign_in(qtbot, page, window, services):
    """Every field filled in the dialog: the account is listed and selected, the status bar says so, and the new
    user signs in with that password."""
    def fill(dialog: AddUserDialog) -> None:
        dialog.full_name.setText("Ravi Menon")
        dialog.username.setText("RMenon")
        dialog.credentials.setText("RN")
        dialog.role.setCurrentIndex(dialog.role.findText("Nurse"))
        dialog.password.setText(NEW_PASSWORD)
        dialog.confirm.setText(NEW_PASSWORD)
        dialog.submit()
    seen = while_dialog_open(AddUserDialog, fill)
    member = page.add_user()
    assert seen and member is not None
    assert _row(page, "rmenon") == {"User name": "rmenon", "Name and credentials": "Ravi Menon, RN",
                                    "Role": "Nurse", "Administrator": "No", "Status": "Active"}
    assert page.selected().member.username == "rmenon"
    assert window.statusBar().currentMessage() == "Added Ravi Menon, RN (rmenon) as nurse."
    assert services.auth.login("rmenon", NEW_PASSWORD).full_name == "Ravi Menon"


def test_an_administrator_role_always_has_administration_rights(qtbot, page):
    """Choosing the administrator role ticks the rights box and locks it; another role frees it again."""
    dialog = AddUserDialog(lambda *args: None, page)
    qtbot.addWidget(dialog)
    dialog.role.setCurrentIndex(dialog.role.findText("Administrator"))
    assert dialog.is_admin.isChecked() and not dialog.is_admin.isEnabled()
    dialog.role.setCurrentIndex(dialog.role.findText("Physician"))
    assert dialog.is_admin.isEnabled()


def test_form_errors_appear_beside_their_fields(qtbot, page, services, staff):
    """A short password and a mismatched confirmation are caught by the domain rules before saving; a taken user
    name comes back from the service. The dialog stays open and nothing is added."""
    create = lambda *args: services.auth.add_user(staff["admin"], *args)  # noqa: E731 (the dialog's create callback)
    dialog = AddUserDialog(create, page)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.full_name.setText("Dana Whitlock")
    dialog.username.setText("whitlock")
    dialog.password.setText("short")
    dialog.confirm.setText("shorter")
    dialog.submit()
    assert dialog.errors["password"].text() == "Choose a password of at least 10 characters."
    assert dialog.errors["confirm"].text() == "The two passwords are not the same."
    assert dialog.errors["username"].text() == ""
    assert dialog.isVisible() and dialog.created is None

    dialog.password.setText(NEW_PASSWORD)
    dialog.confirm.setText(NEW_PASSWORD)
    dialog.submit()
    assert dialog.errors["username"].text() == "The user name 'whitlock' is taken."
    assert dialog.errors["password"].text() == "" and dialog.errors["confirm"].text() == ""
    assert dialog.errors["username"].text() in visible_texts(dialog)
    assert dialog.created is None and len(services.auth.list_users(staff["admin"])) == 5


def test_disable_and_enable_an_account(qtbot, page, window, services):
    """Disable: the account cannot sign in and the button offers Enable; Enable: it signs in again."""
    assert page.select("whitlock")
    assert page.toggle_button.text() == "&Disable account"
    page.toggle_button.click()
    assert _row(page, "whitlock")["Status"] == "Disabled"
    assert page.toggle_button.text() == "&Enable account"
    assert window.statusBar().currentMessage() == "Disabled the account of Dana Whitlock, RN (whitlock)."
    with pytest.raises(AuthenticationFailed):
        services.auth.login("whitlock", PASSWORD)
    page.toggle_button.click()
    assert _row(page, "whitlock")["Status"] == "Active"
    assert window.statusBar().currentMessage() == "Enabled the account of Dana Whitlock, RN (whitlock)."
    assert services.auth.login("whitlock", PASSWORD).active


def test_a_new_password_lifts_a_lockout(qtbot, page, window, services, staff):
    """Five wrong passwords lock the account (the table says until when); a new password typed twice unlocks it."""
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            services.auth.login("whitlock", "not the password")
    page.refresh()
    assert _row(page, "whitlock")["Status"] == "Active · locked until 09:15"
    assert page.select("whitlock")

    def fill(dialog: ResetPasswordDialog) -> None:
        dialog.password.setText(NEW_PASSWORD)
        dialog.confirm.setText(NEW_PASSWORD + "x")
        dialog.submit()
        assert dialog.errors["confirm"].text() == "The two passwords are not the same."
        dialog.confirm.setText(NEW_PASSWORD)
        dialog.submit()
    seen = while_dialog_open(ResetPasswordDialog, fill)
    page.reset_button.click()
    assert seen
    assert _row(page, "whitlock")["Status"] == "Active"
    assert window.statusBar().currentMessage() == ("Set a new password for Dana Whitlock, RN (whitlock); any lockout "
                                                   "is lifted.")
    assert services.auth.login("whitlock", NEW_PASSWORD).username == "whitlock"
    assert "password_reset" in audit_actions(services, staff["admin"])


def test_the_last_administrator_cannot_be_disabled(qtbot, page, window, services, staff):
    """The only administrator disabling their own account: the refusal is shown on the page, nothing changes."""
    assert page.select("adeyemi")
    assert not page.toggle_active()
    assert page.error.text() == "You cannot disable your own account."
    assert page.error.text() in visible_texts(page)
    assert _row(page, "adeyemi")["Status"] == "Active"


def test_a_refusal_from_a_stale_sign_in_is_a_message_not_a_traceback(qtbot, make_window, services, staff):
    """A second administrator, disabled after opening the page, tries to disable the first (who is then the last
    active administrator): the page shows why it was refused."""
    services.auth.add_user(staff["admin"], "okeke", "Chidi Okeke", "administrator", NEW_PASSWORD)
    second = services.auth.login("okeke", NEW_PASSWORD)
    window = make_window()
    window.sign_in(second)
    page = window.workspace.show_users()
    services.auth.set_active(staff["admin"], "okeke", False)
    assert page.select("adeyemi")
    assert not page.toggle_active()
    assert "disabled" in page.error.text() and page.error.isVisible()
    assert services.auth.login("adeyemi", PASSWORD).active


def test_the_page_is_sorted_through_a_proxy(qtbot, page):
    """Sorting by user name orders the rows; the selection still acts on the right account."""
    page.table.sortByColumn(UsersTableModel.USERNAME, Qt.SortOrder.AscendingOrder)
    names = [page.proxy.index(r, UsersTableModel.USERNAME).data() for r in range(page.proxy.rowCount())]
    assert names == sorted(names)
    page.table.selectRow(0)
    assert page.selected().member.username == names[0]


def test_a_refusal_is_cleared_when_another_account_is_chosen(qtbot, page):
    """The message is about the account it was refused for: choosing another one clears it."""
    page.select("adeyemi")
    page.toggle_active()
    assert page.error.isVisibleTo(page)
    page.select("okafor")
    assert not page.error.isVisibleTo(page) and page.hint.text() == "Selected: Dr Imani Okafor, MD (okafor)"

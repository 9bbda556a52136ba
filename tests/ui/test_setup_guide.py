"""A new clinic's first run: the guide after the first administrator (clinic details, chairs, accounts, each
skippable), and today's board saying what is still missing until it is all in place."""

from __future__ import annotations

from PySide6.QtCore import Qt

from clinic_desktop.domain.clinic_profile import ClinicProfile
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.setup import SetupStatus, SetupStep
from clinic_desktop.ui.setup_guide import SetupGuide

NEW_PASSWORD = "quiet meadow lantern 58"


def first_administrator(qtbot, make_window, role_text: str = "Physician"):
    """The window on an empty database, the first administrator created through the page (a physician)."""
    window = make_window()
    page = window.first_admin_page
    page.full_name.setText("Sam Adeyemi")
    page.username.setText("sam.admin")
    page.password.setText(NEW_PASSWORD)
    page.confirm.setText(NEW_PASSWORD)
    index = page.role.findText(role_text, Qt.MatchFlag.MatchContains)
    if index >= 0:
        page.role.setCurrentIndex(index)
    qtbot.keyClick(page.confirm, Qt.Key.Key_Return)
    assert window.principal is not None
    return window


def test_the_first_administrator_is_walked_through_the_three_steps(qtbot, make_window, services):
    """Guide on show; clinic details saved returns to it with chairs next; chairs skipped; accounts next."""
    window = first_administrator(qtbot, make_window)
    guide = window.workspace.setup_guide
    assert isinstance(guide, SetupGuide) and window.workspace.tabs.currentWidget() is guide
    assert guide.current is SetupStep.CLINIC
    assert guide.cards[SetupStep.CLINIC].state.text() == ("Set the clinic's name, its address and its phone "
                                                          "number.")
    guide.cards[SetupStep.CLINIC].open_button.click()
    clinic = window.workspace.clinic
    assert window.workspace.tabs.currentWidget() is clinic
    clinic.fields["name"].setText("Harbor View Clinic")
    clinic.fields["address"].setPlainText("12 Quay Street")
    clinic.fields["phone"].setText("(503) 555-0142")
    assert clinic.save()
    assert window.workspace.tabs.currentWidget() is guide, "saving the step's page returns to the guide"
    assert guide.cards[SetupStep.CLINIC].state.text() == "✓ Done. The letterhead is complete."
    assert guide.current is SetupStep.CHAIRS
    guide.cards[SetupStep.CHAIRS].skip_button.click()
    assert guide.current is SetupStep.ACCOUNTS
    assert guide.cards[SetupStep.CHAIRS].state.text() == "Skipped for now. Add the clinic's chairs."
    guide.cards[SetupStep.ACCOUNTS].open_button.click()
    assert window.workspace.tabs.currentWidget() is window.workspace.users


def test_what_was_done_on_the_pages_shows_when_the_guide_is_back_on_show(qtbot, make_window, services):
    """Chairs and an account added elsewhere: back on the guide, every step is done and it says so."""
    window = first_administrator(qtbot, make_window)
    admin = window.principal
    services.settings.update_profile(admin, ClinicProfile("Harbor View Clinic", "12 Quay Street", "503-555-0142"))
    services.chairs.add(admin, "Chair 1")
    services.auth.add_user(admin, "nina", "Nina Ruiz", StaffRole.NURSE, "lantern quiet 42 harbor", "RN")
    guide = window.workspace.setup_guide
    window.workspace.show_board()
    window.workspace.tabs.setCurrentWidget(guide)
    assert guide.status.complete and guide.current is None
    assert guide.summary.text() == "The clinic is ready: its details, chairs and staff accounts are in place."
    guide.done_button.click()
    assert window.workspace.setup_guide is None
    assert window.workspace.tabs.currentWidget() is window.workspace.front_desk.board
    assert window.workspace.front_desk.board.setup_bar.isHidden()


def test_the_board_lists_what_setup_still_misses_and_opens_the_guide(qtbot, make_window, services):
    """Until chairs and accounts exist the board says so; its button brings the guide back."""
    window = first_administrator(qtbot, make_window)
    window.workspace.setup_guide.done_button.click()
    board = window.workspace.front_desk.board
    assert not board.setup_bar.isHidden()
    assert board.setup_note.text() == (
        "Before the first infusion day — Clinic details: set the clinic's name, its address and its phone number. · "
        "Treatment chairs: add the clinic's chairs. · Staff accounts: add an account for each member of staff.")
    board.setup_button.click()
    assert window.workspace.tabs.currentWidget() is window.workspace.setup_guide


def test_a_nurse_sees_what_is_missing_but_not_the_administrators_buttons(qtbot, make_window, services, staff):
    """The reminder is for everyone; only those who may take a step get a way to it."""
    for chair in services.chairs.list(staff["admin"]):
        services.chairs.retire(staff["admin"], chair.id)
    window = make_window()
    window.sign_in(staff["nurse"])
    board = window.workspace.front_desk.board
    assert not board.setup_bar.isHidden() and board.setup_button.isHidden()
    guide = window.workspace.show_setup_guide()
    card = guide.cards[SetupStep.CHAIRS]
    assert card.open_button.isHidden() and card.state.text().endswith("An administrator adds the chairs.")


def test_setup_status_in_words():
    """Each open step says what it needs; a done one what is in place."""
    status = SetupStatus(("its phone number",), 2, 0)
    assert status.open_steps == (SetupStep.CLINIC, SetupStep.ACCOUNTS)
    assert status.remaining(SetupStep.CLINIC) == "Set its phone number."
    assert status.progress(SetupStep.CHAIRS) == "2 chairs on the board."
    assert SetupStatus((), 1, 3).complete

"""A new clinic from an empty database through the window: the first administrator, the clinic's details on its
page, two chairs, a nurse's account; then a patient and a series, and the discharge sheet carries the clinic's
real numbers on the chosen paper."""

from __future__ import annotations

import io
from datetime import time

import pypdf

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.ui.user_dialogs import AddUserDialog
from tests.pdf_text import flat, page_texts
from tests.ui.test_setup_guide import first_administrator
from tests.ui.ui_support import while_dialog_open

NURSE_PASSWORD = "orchard lantern seventeen blue"


def test_a_new_clinic_sets_itself_up_and_its_sheets_carry_its_details(qtbot, make_window, services):
    """Every setup step through its page; the guide and the board end with nothing missing."""
    window = first_administrator(qtbot, make_window)
    guide = window.workspace.setup_guide
    admin = window.principal

    guide.cards[guide.current].open_button.click()  # 1. clinic details
    clinic = window.workspace.clinic
    clinic.fields["name"].setText("Harbor View Ketamine Clinic")
    clinic.fields["address"].setPlainText("12 Quay Street\nFairview, OR 97024")
    clinic.fields["phone"].setText("(503) 555-0142")
    clinic.fields["after_hours_phone"].setText("(503) 555-0199")
    clinic.fields["paper"].setCurrentIndex(clinic.fields["paper"].findData("a4"))
    clinic.save_button.click()

    guide.cards[guide.current].open_button.click()  # 2. two chairs
    chairs = window.workspace.chairs
    for name in ("Window chair", "Quiet room"):
        chairs.new_name.setText(name)
        chairs.add_button.click()
    window.workspace.tabs.setCurrentWidget(guide)

    guide.cards[guide.current].open_button.click()  # 3. a nurse's account
    def fill(dialog: AddUserDialog) -> None:
        dialog.full_name.setText("Nina Ruiz")
        dialog.username.setText("nruiz")
        dialog.credentials.setText("RN")
        dialog.role.setCurrentIndex(dialog.role.findText("Nurse"))
        dialog.password.setText(NURSE_PASSWORD)
        dialog.confirm.setText(NURSE_PASSWORD)
        dialog.submit()
    while_dialog_open(AddUserDialog, fill)
    window.workspace.users.add_button.click()
    window.workspace.tabs.setCurrentWidget(guide)
    assert guide.status.complete, [guide.status.remaining(s) for s in guide.status.open_steps]
    guide.done_button.click()
    board = window.workspace.front_desk.board
    assert board.setup_bar.isHidden()
    assert [c.name for c in board.columns.values()] == ["Window chair", "Quiet room"]

    nurse = services.auth.login("nruiz", NURSE_PASSWORD)
    patient = services.patients.register(nurse, PatientInput(
        given_names="Marisol", family_name="Okonkwo-Reyes", date_of_birth="1979-04-12", sex="female",
        escort_name="Teo Reyes", height="168"))
    chair = services.chairs.list(admin)[0]
    series = services.series.plan(admin, patient.id, Protocol.IV_INDUCTION, services.context.today(), (0, 2, 4),
                                  6, time(9, 0), "0.5", chair.id)
    sheet = services.paperwork.discharge(nurse, series.sessions[0].id)
    text = flat(" ".join(page_texts(sheet.pdf)))
    assert "Harbor View Ketamine Clinic" in text and "12 Quay Street" in text
    assert "Call Harbor View Ketamine Clinic at (503) 555-0142. After hours, call (503) 555-0199." in text
    page = pypdf.PdfReader(io.BytesIO(sheet.pdf)).pages[0]
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842

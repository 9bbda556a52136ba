"""Two workstations edit the same patient: the second save is refused, says who changed it and when, keeps
what was typed, and Reload shows the stored version."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.screening import QUESTIONS
from tests.ui.session_support import PASSWORD, Acting, checked_in, given, screen_for
from tests.ui.front_desk_support import signed_in
from tests.ui.ui_support import visible_texts


def test_stale_patient_edit_shows_the_other_change_and_keeps_the_typing(qtbot, services, other, staff, make_window):
    """The front desk renames the patient elsewhere while this nurse edits the phone: the save is refused with
    "Changed by Pat Lindqvist at 09:00", the typed phone stays, and Reload brings in the new name."""
    window = signed_in(make_window, staff["nurse"])
    pid, _sid, _ = checked_in(services, staff)
    window.workspace.open_patient(pid)
    form = window.workspace.front_desk.edit_patient(pid)
    form.edits["phone"].setText("555-0142")  # fictional
    seen = other.patients.chart(staff["front_desk"], pid)
    other.patients.update(staff["front_desk"], pid, PatientInput(
        given_names=seen.given_names, family_name="Byron", date_of_birth=seen.date_of_birth.isoformat(),
        sex=seen.sex, escort_name=seen.escort_name), expected_version=seen.row_version)
    assert form.save() is None
    QApplication.processEvents()
    shown = form.errors.form_error
    assert shown.isVisible() and "changed on another workstation" in shown.text()
    assert "Changed by Pat Lindqvist at 09:00. They changed family name from Lovelace to Byron" in shown.text()
    assert form.edits["phone"].text() == "555-0142" and form.edits["family_name"].text() == "Lovelace"
    assert form.reload_button.isVisible()
    assert services.patients.chart(staff["nurse"], pid).phone == "", "nothing of the stale form was saved"
    form.reload_button.click()  # asks before discarding the typing: answered "Discard" (tests/ui/conftest.py)
    assert form.edits["family_name"].text() == "Byron" and form.chart.row_version == seen.row_version + 1


def test_an_open_patient_form_catches_up_or_offers_reload(qtbot, services, other, staff, make_window):
    """A clean edit form shows the other workstation's rename after a poll; a half-typed one keeps the typing
    and shows "Changed at another workstation" with its Reload button."""
    window = signed_in(make_window, staff["nurse"])
    ws = window.workspace
    pid, _sid, _ = checked_in(services, staff)
    ws.open_patient(pid)
    form = ws.front_desk.edit_patient(pid)
    ws.watcher.poll()

    def rename(family: str) -> None:
        seen = other.patients.chart(staff["front_desk"], pid)
        other.patients.update(staff["front_desk"], pid, PatientInput(
            given_names=seen.given_names, family_name=family, date_of_birth=seen.date_of_birth.isoformat(),
            sex=seen.sex, escort_name=seen.escort_name), expected_version=seen.row_version)

    rename("Byron")
    ws.watcher.poll()
    assert form.edits["family_name"].text() == "Byron" and not form.reload_button.isVisible()
    form.edits["phone"].setText("555-0142")  # fictional
    rename("King")
    ws.watcher.poll()
    assert form.edits["family_name"].text() == "Byron" and form.edits["phone"].text() == "555-0142"
    assert form.reload_button.isVisible() and "Changed at another workstation" in form.errors.form_error.text()


def test_a_stale_administration_amendment_keeps_the_typing_and_goes_through_after_reload(
        qtbot, services, other, staff, clock):
    """Another nurse corrects the lot while this one amends the volume: the signature is refused beside the form
    with who changed what, the typed volume and reason stay; after Reload the same amendment is signed and does
    not put the old lot back."""
    _pid, sid, _ = checked_in(services, staff)
    given(services, staff, clock, sid)
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    screen.show_section("dose")
    admin = screen.dose.administration
    admin.amend_link.click()
    admin.given.setText("99")
    admin.amend_reason.setText("Pump residue not given")
    seen = other.sessions.detail(staff["nurse2"], sid).dose
    other.doses.amend_administration(staff["nurse2"], sid, "Lot misread", PASSWORD, lot_number="LOT-2",
                                     expected_version=seen.row_version)
    qtbot.keyClicks(admin.sign.password, PASSWORD)
    qtbot.keyClick(admin.sign.password, Qt.Key.Key_Return)
    shown = admin.errors.form_error
    assert shown.isVisible() and "This dose record was changed on another workstation" in shown.text()
    assert "Changed by Luis Ferreira, RN at 09:40. They changed lot number from LOT-1 to LOT-2." in shown.text()
    assert admin.mode == "amend" and admin.given.text() == "99"
    assert admin.amend_reason.text() == "Pump residue not given"
    QApplication.processEvents()
    assert services.sessions.detail(staff["nurse"], sid).dose.volume_given_ml == Decimal("100.8"), "nothing saved"
    screen.reload()  # what the "Changed at another workstation" bar's Reload does
    assert admin.mode == "amend" and admin.given.text() == "99" and "Lot LOT-2, expires 2027-01-01" in \
        visible_texts(admin)
    qtbot.keyClicks(admin.sign.password, PASSWORD)
    qtbot.keyClick(admin.sign.password, Qt.Key.Key_Return)
    dose = services.sessions.detail(staff["nurse"], sid).dose
    assert (dose.volume_given_ml, dose.lot_number, admin.mode) == (Decimal("99"), "LOT-2", "done")


def test_a_stale_checklist_explanation_keeps_the_typing(qtbot, services, other, staff):
    """Fasting is answered at another workstation while this nurse explains it: the explanation is refused in its
    row with who answered what, the text stays in the box through a reload, and saved again it is kept."""
    _pid, sid, _ = checked_in(services, staff, npo=None)
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    checks = screen.checks
    checks.rows["npo"].explain.click()
    checks.rows["npo"].note.setPlainText("Clear water at 07:00 only")
    seen = other.sessions.detail(staff["nurse2"], sid).row_version
    other.sessions.update_day_answers(staff["nurse2"], sid, npo_confirmed=True, expected_version=seen)
    checks.rows["npo"].save.click()
    row = checks.rows["npo"]
    words = row.errors.form_error.text()
    assert row.errors.form_error.isVisible() and "This session was changed on another workstation" in words
    assert "Changed by Luis Ferreira, RN at 09:00. They changed npo confirmed from nothing to True." in words
    assert row.editing and row.note_text() == "Clear water at 07:00 only"
    assert "npo" not in services.sessions.detail(staff["nurse"], sid).check_notes, "nothing saved"
    screen.reload()
    row = checks.rows["npo"]
    assert row.tag.text() == "✓ OK" and row.editing and row.note_text() == "Clear water at 07:00 only"
    row.save.click()
    assert services.sessions.detail(staff["nurse"], sid).check_notes["npo"][0] == "Clear water at 07:00 only"
    assert not checks.rows["npo"].editing


def test_a_save_here_is_news_to_the_other_pages_of_this_window_only(qtbot, services, other, staff, make_window):
    """A screening saved here: the screening form hears nothing of its own save; the patient's clean edit form
    follows silently, a half-typed one offers Reload "Changed in another screen of this window"; a change from
    another workstation still says "Changed at another workstation"."""
    window = signed_in(make_window, staff["nurse"])
    ws = window.workspace
    pid, _sid, _ = checked_in(services, staff)
    ws.open_patient(pid)
    form = ws.front_desk.edit_patient(pid)
    ws.watcher.poll()

    def screen_again() -> None:
        screening = ws.front_desk.screening(pid)
        screening.set_answer(QUESTIONS[0].key, "no")
        said: list[str] = []
        screening.message.connect(lambda text, _ms: said.append(text))
        assert screening.save() is not None
        assert not any("Changed" in t for t in said + [screening.errors.form_error.text()]), "not news to itself"

    version = form.chart.row_version
    screen_again()
    assert form.reload_button.isHidden() and form.errors.form_error.text() == ""
    assert form.chart.screening is not None and form.chart.row_version >= version, "the clean form read it again"
    form.edits["phone"].setText("555-0142")  # fictional
    screen_again()
    assert form.edits["phone"].text() == "555-0142" and not form.reload_button.isHidden()  # (its tab is behind)
    assert "Changed in another screen of this window" in form.errors.form_error.text()

    seen = other.patients.chart(staff["front_desk"], pid)
    other.patients.update(staff["front_desk"], pid, PatientInput(
        given_names=seen.given_names, family_name="King", date_of_birth=seen.date_of_birth.isoformat(),
        sex=seen.sex, escort_name=seen.escort_name), expected_version=seen.row_version)
    ws.watcher.poll()
    assert "Changed at another workstation" in form.errors.form_error.text()

"""The monitoring notes section: CADSS and MOAA/S entry, side effects, adverse events and the notes list."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from clinic_desktop.domain.enums import NoteKind, Timepoint
from clinic_desktop.ui.session_screen.notes_panel import NotesPanel

from tests.conftest import PASSWORD
from tests.services.service_support import IV_ORDER, LOT_EXPIRY, Clinic
from tests.ui.session_support import hosted


@pytest.fixture
def infusing(services, staff, clock):
    """A session whose dose has been running for 20 minutes; returns the session id."""
    clinic = Clinic(services, staff, clock, services.chairs.add(staff["admin"], "Chair 1").id)
    patient = clinic.patient()
    sid = clinic.plan(patient.id).sessions[0].id
    clinic.prepare(patient.id, sid)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
    clock.advance(minutes=20)
    return sid


@pytest.fixture
def panel(qtbot, services, staff, infusing) -> NotesPanel:
    view = NotesPanel(services, lambda: staff["nurse"], infusing)
    qtbot.addWidget(view)
    hosted(view, services, staff["nurse"], infusing)
    view.resize(1000, 900)
    view.show()
    return view


def test_cadss_total_is_shown_as_rated_and_saved(qtbot, panel, services, staff, infusing):
    """Rating the 23 CADSS items shows the running total; saving stores it as a scale and a note."""
    form = panel.cadss
    answers = [2, 1, 0, 0, 0, 3] + [0] * 16 + [1]
    form.grid.set_answers(answers[:-1] + [None])
    assert form.total.text().startswith("Total 6 of 92") and "1 item not rated yet" in form.total.text()
    form.save_button.click()
    assert "item 23 must be answered" in form.error.text()
    qtbot.mouseClick(form.grid.rows[22].buttons[1], Qt.MouseButton.LeftButton)
    assert form.total.text().startswith("Total 7 of 92  ·  CADSS-6 subtotal 6")
    with qtbot.waitSignal(panel.message) as said:
        form.save_button.click()
    assert said.args == ["CADSS recorded: total 7. CADSS total 7 is above 4: dissociation present (CADSS-6 subtotal "
                         "6). Expected with ketamine; re-assess before discharge."]
    score = services.sessions.detail(staff["nurse"], infusing).scores[-1]
    assert (score.instrument, score.total, score.timepoint) == ("cadss", 7, Timepoint.DURING)
    assert panel.note_lines()[-1] == "09:20 | Dissociation (CADSS) | CADSS total 7 | Dana Whitlock, RN"
    assert form.grid.answers() == [None] * 23


def test_moaas_records_the_chosen_description(panel, services, staff, infusing):
    """MOAA/S 3 is saved with its description, which the notes list shows."""
    panel.moaas.buttons[3].setChecked(True)
    panel.moaas.save_button.click()
    assert panel.note_lines()[-1].startswith("09:20 | Sedation (MOAA/S) | MOAA/S 3: Responds only after name is called")


def test_adverse_event_needs_its_fields(panel, services, staff, infusing):
    """An empty adverse event names every missing field; filled in, it is saved with onset and medication."""
    form = panel.adverse_event
    assert form.onset.text() == "20"  # minutes since the dose started
    form.save_button.click()
    assert set(form.errors.shown()) == {"event", "severity", "action", "outcome", "physician_notified"}
    form.event_box.setCurrentIndex(form.event_box.findData("hypertension"))
    form.severity.setCurrentIndex(form.severity.findData("moderate"))
    form.action.setCurrentIndex(form.action.findData("medication_given"))
    form.outcome.setCurrentIndex(form.outcome.findData("resolving"))
    form.notified_yes.setChecked(True)
    form.save_button.click()
    assert form.errors.shown() == {"medication": "Name the medication, dose, route and time."}
    form.medication.setText("Labetalol 10 mg IV at 09:18")
    form.save_button.click()
    note = services.sessions.detail(staff["nurse"], infusing).notes[-1]
    assert note.kind is NoteKind.ADVERSE_EVENT
    assert (note.values["onset_minutes"], note.values["medication"], note.values["physician_notified"]) == (
        20, "Labetalol 10 mg IV at 09:18", True)
    assert "Hypertension, moderate; onset 20 min after the start; action: Medication given (Labetalol" in \
        panel.note_lines()[-1]


def test_side_effects_and_free_text_are_listed_in_time_order(panel, services, staff, clock, infusing):
    """A side-effect checklist and a later free-text note appear in the list in the order they happened."""
    form = panel.side_effects
    form.save_button.click()
    assert set(form.errors.shown()) == {"effects", "severity"}
    form.checks["nausea"].setChecked(True)
    form.checks["dizziness"].setChecked(True)
    form.severity.setCurrentIndex(form.severity.findData("mild"))
    form.save_button.click()
    clock.advance(minutes=5)
    panel.free_text.text.setPlainText("Patient comfortable, <b>talking</b> with escort.")
    panel.free_text.save_button.click()
    assert panel.note_lines() == [
        "09:20 | Side effect | Nausea, Dizziness (mild) | Dana Whitlock, RN",
        "09:25 | Note | Patient comfortable, <b>talking</b> with escort. | Dana Whitlock, RN"]


def test_front_desk_reads_the_notes_but_cannot_write_them(qtbot, services, staff, infusing):
    """Without the right to add notes the forms are hidden and the page says who writes them."""
    view = NotesPanel(services, lambda: staff["front_desk"], infusing)
    qtbot.addWidget(view)
    hosted(view, services, staff["front_desk"], infusing)
    view.show()
    assert not view.tabs.isVisible() and "nurse or a physician" in view.forms_note.text()

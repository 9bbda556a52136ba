"""Registering and editing a patient on one page: errors beside their fields, units always visible, conflicts kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from clinic_desktop.domain.enums import MedicationClass, WeightUnit
from clinic_desktop.domain.patients import PATIENT_FIELDS, PatientInput, input_name
from clinic_desktop.domain.quantities import KG_PER_LB
from clinic_desktop.ui.measure_fields import RecordWeightDialog
from clinic_desktop.ui.patient_form import PatientForm
from tests.patient_support import every_field_edited
from tests.ui.front_desk_support import buttons, patient, signed_in, texts


def _fill(form: PatientForm, **values: str) -> None:
    for name, value in values.items():
        form.edits[name].setText(value)


def test_errors_show_beside_their_fields_then_the_patient_is_registered(qtbot, services, staff, make_window):
    """Every problem at once, each beside its field and nothing saved; corrected, the chart opens with the
    weight stored exactly as typed in pounds."""
    window = signed_in(make_window, staff["nurse"])
    ws = window.workspace
    form = ws.new_patient()
    assert ws.tabs.currentWidget() is form
    _fill(form, given_names="Zoë", family_name="", date_of_birth="2031-01-01", phone="12")
    form.weight.value.setText("150")
    form.weight.unit.setCurrentIndex(form.weight.unit.findData("lb"))
    assert form.weight.other.text() == "= 68.0 kg", "the other unit is shown as the weight is typed"
    assert form.save() is None
    shown = form.errors.shown()
    assert shown["family_name"] == "Family name is required."
    assert shown["date_of_birth"] == "Date of birth cannot be in the future."
    assert "7 to 15 digits" in shown["phone"]
    assert shown["sex"] == "Sex must be female, male or other."
    assert services.patients.count(staff["nurse"]) == 0, "nothing is saved while any field is wrong"

    _fill(form, family_name="Nguyễn", date_of_birth="1980-01-02", phone="(555) 010-2345")
    form.sex.setCurrentIndex(form.sex.findData("female"))
    chart = form.save()
    assert chart is not None and form.errors.shown() == {}
    assert ws.chart.chart.id == chart.id and ws.tabs.currentWidget() is ws.splitter
    assert ws.tabs.indexOf(form) == -1, "the form's tab closed after registering"
    weight = ws.chart.chart.latest_weight
    assert weight.weight_kg == Decimal("150") * KG_PER_LB and weight.entered_unit is WeightUnit.LB
    assert any(t.startswith("Nguyễn, Zoë") for t in texts(ws.chart))


@pytest.mark.parametrize("given, family", [("Liam", "O'Brien"), ("Mei", "王"), ("Zoë", "Nguyễn")])
def test_unicode_names_are_kept_as_typed(qtbot, services, staff, make_window, given, family):
    """Apostrophes, diacritics and CJK names register and show unchanged."""
    ws = signed_in(make_window, staff["front_desk"]).workspace
    form = ws.new_patient()
    _fill(form, given_names=given, family_name=family, date_of_birth="1975-06-30")
    form.sex.setCurrentIndex(form.sex.findData("other"))
    chart = form.save()
    assert (chart.given_names, chart.family_name) == (given, family)
    assert ws.chart.chart.display_name == f"{family}, {given}"


def test_lists_height_and_a_new_referring_clinician_are_saved(qtbot, services, staff, make_window):
    """Diagnoses, allergies and medications (with class), height in inches and a clinician added inline."""
    ws = signed_in(make_window, staff["nurse"]).workspace
    form = ws.new_patient()
    _fill(form, given_names="Ada", family_name="Lovelace", date_of_birth="1980-05-01")
    form.sex.setCurrentIndex(form.sex.findData("female"))
    form.height.set(Decimal("65"), "in")
    assert form.height.other.text() == "= 165.1 cm"
    form.lists["diagnoses"].add_row({"description": "Treatment-resistant depression", "code": "F33.2",
                                     "is_primary": True})
    form.lists["allergies"].add_row({"substance": "Penicillin", "reaction": "rash"})
    form.lists["medications"].add_row({"name": "Phenelzine", "drug_class": MedicationClass.MAOI, "dose": "15 mg"})
    form.lists["medications"].add_row()  # left blank: ignored
    form.referrer.open_panel()
    qtbot.keyClick(form.referrer.full_name, Qt.Key.Key_Escape)
    assert form.referrer.panel.isHidden() and ws.tabs.indexOf(form) != -1, "Esc closed only the inline fields"
    form.referrer.open_panel()
    assert form.referrer.add_clinician() is None
    assert form.referrer.errors.shown() == {"full_name": "Clinician name is required."}
    form.referrer.full_name.setText("Dr Ana Souza")
    form.referrer.practice.setText("Riverside Psychiatry")
    added = form.referrer.add_clinician()
    assert added is not None and form.referrer.selected_id() == added.id and form.referrer.panel.isHidden()
    chart = form.save()
    assert chart.height_cm == Decimal("65") * Decimal("2.54")
    assert [d.code for d in chart.diagnoses] == ["F33.2"] and chart.diagnoses[0].is_primary
    assert [(a.substance, a.reaction) for a in chart.allergies] == [("Penicillin", "rash")]
    assert [(m.name, m.drug_class) for m in chart.medications] == [("Phenelzine", MedicationClass.MAOI)]
    assert chart.referring_clinician.full_name == "Dr Ana Souza"


def test_an_edit_over_a_stale_version_says_so_and_keeps_the_input(qtbot, services, other, staff, make_window):
    """Someone else saved first: the form says so, keeps what was typed, and offers to reload."""
    p = patient(services, staff)
    ws = signed_in(make_window, staff["front_desk"]).workspace
    ws.open_patient(p.id)
    ws.chart.editRequested.emit(p.id)
    form = ws.tabs.currentWidget()
    assert isinstance(form, PatientForm) and form.edits["family_name"].text() == "Lovelace"
    other.patients.update(staff["nurse"], p.id, PatientInput("Ada", "Byron", "1980-05-01", "female"),
                          expected_version=p.row_version)
    form.edits["phone"].setText("(555) 010-9999")
    assert form.save() is None
    assert "changed on another workstation" in form.errors.shown()[""]
    assert form.edits["phone"].text() == "(555) 010-9999" and ws.tabs.indexOf(form) != -1
    assert form.reload_button.isVisible()
    assert services.patients.chart(staff["nurse"], p.id).phone == "", "nothing was overwritten"


def test_an_edit_saves_and_moves_the_version_on(qtbot, services, staff, make_window):
    """A correction (lists included) is saved with the version it was made on; the chart shows it."""
    p = patient(services, staff)
    ws = signed_in(make_window, staff["nurse"]).workspace
    form = ws.front_desk.edit_patient(p.id)
    form.edits["preferred_name"].setText("Addie")
    form.lists["allergies"].add_row({"substance": "Latex"})
    chart = form.save()
    assert chart.preferred_name == "Addie" and chart.row_version == p.row_version + 1
    assert [a.substance for a in ws.chart.chart.allergies] == ["Latex"]


def test_ctrl_n_opens_one_new_patient_form_for_roles_that_register(qtbot, services, staff, make_window):
    """Patients > New patient (Ctrl+N) for front desk; asked twice, the same form comes forward."""
    window = signed_in(make_window, staff["front_desk"])
    assert window.menus.new_patient.isVisible()
    assert window.menus.new_patient.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    window.menus.new_patient.trigger()
    form = window.workspace.tabs.currentWidget()
    assert isinstance(form, PatientForm)
    window.menus.new_patient.trigger()
    assert window.workspace.tabs.currentWidget() is form
    assert sum(isinstance(window.workspace.tabs.widget(i), PatientForm)
               for i in range(window.workspace.tabs.count())) == 1


def test_a_dirty_form_asks_before_closing(qtbot, services, staff, make_window, monkeypatch):
    """Esc on a form with typing asks; Cancel keeps it open, Discard closes it; a clean form just closes."""
    ws = signed_in(make_window, staff["front_desk"]).workspace
    form = ws.new_patient()
    answers = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    form.edits["given_names"].setText("Ada")
    answers.append(QMessageBox.StandardButton.Cancel)
    qtbot.keyClick(form.edits["given_names"], Qt.Key.Key_Escape)
    assert ws.tabs.indexOf(form) != -1
    answers.append(QMessageBox.StandardButton.Discard)
    ws.tabs.tabCloseRequested.emit(ws.tabs.indexOf(form))
    assert ws.tabs.indexOf(form) == -1 and not answers
    clean = ws.new_patient()
    qtbot.keyClick(clean.edits["family_name"], Qt.Key.Key_Escape)
    assert ws.tabs.indexOf(clean) == -1


def test_enter_in_a_field_saves(qtbot, services, staff, make_window):
    """Typing the last field and pressing Enter registers the patient."""
    ws = signed_in(make_window, staff["front_desk"]).workspace
    form = ws.new_patient()
    _fill(form, given_names="Ada", family_name="Lovelace")
    form.sex.setCurrentIndex(form.sex.findData("female"))
    qtbot.keyClicks(form.edits["date_of_birth"], "1980-05-01")
    with qtbot.waitSignal(form.saved):
        qtbot.keyClick(form.edits["date_of_birth"], Qt.Key.Key_Return)
    assert services.patients.count(staff["nurse"]) == 1


def test_front_desk_sees_only_its_own_buttons_and_no_dose_actions(qtbot, services, staff, make_window):
    """Front desk: Edit patient and Plan series on the chart; no weight, screening or dose buttons; the weight
    field says a nurse records it."""
    p = patient(services, staff)
    ws = signed_in(make_window, staff["front_desk"]).workspace
    ws.open_patient(p.id)
    shown = buttons(ws.chart)
    assert "Edit patient" in shown and "Plan series" in shown
    assert "Record weight" not in shown and "Screening" not in shown
    assert not any("dose" in b.lower() for b in shown + buttons(ws.front_desk.board))
    form = ws.new_patient()
    assert not form.weight.isEnabled() and "A nurse or physician records the weight." in texts(form)
    nurse_ws = signed_in(make_window, staff["nurse"]).workspace
    nurse_ws.open_patient(p.id)
    assert {"Edit patient", "Record weight", "Screening", "Plan series"} <= set(buttons(nurse_ws.chart))


def test_record_weight_from_the_chart(qtbot, services, staff, make_window, monkeypatch):
    """A nurse records today's weight in pounds from the chart: refused when implausible, then stored exactly."""
    p = patient(services, staff)
    ws = signed_in(make_window, staff["nurse"]).workspace
    ws.open_patient(p.id)
    seen = []

    def exec_(dialog):
        dialog.weight.set(Decimal("9"), "lb")
        assert dialog.submit() is None
        seen.append(dialog.errors.shown()["weight"])
        dialog.weight.set(Decimal("176.5"), "lb")
        assert dialog.weight.other.text() == "= 80.1 kg"
        return dialog.submit() is not None
    monkeypatch.setattr(RecordWeightDialog, "exec", exec_)
    ws.chart.weightRequested.emit(p.id)
    assert seen and seen[0].startswith("Weight must be between 20 and 350 kg")
    weight = ws.chart.chart.latest_weight
    assert weight.weight_kg == Decimal("176.5") * KG_PER_LB and weight.entered_unit is WeightUnit.LB


def test_a_new_form_starts_at_its_first_field(qtbot, services, staff, make_window):
    """The cursor waits in Given name(s), so registering starts with typing; no stray window opens."""
    window = signed_in(make_window, staff["front_desk"])
    with qtbot.waitActive(window):
        window.activateWindow()
    form = window.workspace.new_patient()
    qtbot.waitUntil(lambda: form.edits["given_names"].hasFocus())
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [window]


def test_signing_out_or_closing_the_window_asks_about_unsaved_typing(qtbot, services, staff, make_window,
                                                                      monkeypatch):
    """A half-typed registration is never dropped silently: sign-out and window close both ask first."""
    window = signed_in(make_window, staff["front_desk"])
    form = window.workspace.new_patient()
    form.edits["given_names"].setText("Ada")
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    window.sign_out()
    assert window.current is not None and window.workspace.tabs.currentWidget() is form
    window.close()
    assert window.isVisible() and window.current is not None and not answers
    answers.append(QMessageBox.StandardButton.Discard)
    window.sign_out()
    assert window.current is None


def test_the_form_edits_every_patient_field(qtbot, services, staff, make_window):
    """Opened on a patient with every listed field filled in, the form gives each value back unchanged and has a
    place beside each field for its error (a field missing from the form fails here)."""
    clinician = services.patients.add_referring_clinician(staff["physician"], "Dr. Mary Somerville")
    saved = services.patients.register(staff["nurse"], every_field_edited(clinician.id))
    form = signed_in(make_window, staff["nurse"]).workspace.front_desk.edit_patient(saved.id)
    today = services.context.today()
    typed = form.input().validated(today).stored_values()
    assert typed == every_field_edited(clinician.id).validated(today).stored_values()
    assert {input_name(name) for name in PATIENT_FIELDS} <= set(form.errors.labels)

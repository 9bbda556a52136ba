"""The contraindication screening form: every question yes / no / unknown, saved, and its flags on the chart."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QPushButton

from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.screening import QUESTIONS
from clinic_desktop.ui.screening_form import ScreeningForm
from tests.ui.front_desk_support import patient, signed_in, texts

PSYCHOSIS = next(q for q in QUESTIONS if q.key == "psychosis")


def test_a_yes_is_saved_and_shows_as_a_flag_on_the_chart(qtbot, services, staff, make_window):
    """All "no" but psychosis "yes": saved with notes and date, the chart reopens showing that flag."""
    p = patient(services, staff)
    ws = signed_in(make_window, staff["nurse"]).workspace
    ws.open_patient(p.id)
    assert "No contraindication screening on file" in " ".join(texts(ws.chart))
    ws.chart.screeningRequested.emit(p.id)
    form = ws.tabs.currentWidget()
    assert isinstance(form, ScreeningForm)
    assert len(form.groups) == len(QUESTIONS), "every question is asked"
    for q in QUESTIONS:
        form.set_answer(q.key, "no")
    form.set_answer("psychosis", "yes")
    form.notes.setPlainText("Psychotic features during a depressive episode in 2019.")
    form.screened_on.setDate(QDate(2026, 2, 27))
    summary = form.save()
    assert summary is not None and summary.answers["psychosis"] == "yes"
    assert summary.screened_on == date(2026, 2, 27)
    assert ws.tabs.currentWidget() is ws.splitter and ws.tabs.indexOf(form) == -1
    chart = ws.chart.chart
    assert [f.code for f in chart.screening.findings] == ["screen_psychosis"]
    assert chart.screening.findings[0].grade is Grade.OVERRIDE
    shown = " ".join(texts(ws.chart))
    assert PSYCHOSIS.text in shown and "No contraindication screening on file" not in shown


def test_unanswered_questions_are_saved_as_unknown_and_flagged(qtbot, services, staff, make_window):
    """Only a few answered: the rest are stored "unknown" and the chart warns they are unanswered."""
    p = patient(services, staff)
    ws = signed_in(make_window, staff["physician"]).workspace
    form = ws.front_desk.screening(p.id)
    form.set_answer("hypersensitivity", "no")
    form.set_answer("stroke", "unknown")
    summary = form.save()
    assert summary.answers["hypersensitivity"] == "no"
    assert all(summary.answers[q.key] == "unknown" for q in QUESTIONS if q.key != "hypersensitivity")
    assert any(f.code == "screen_unanswered" for f in ws.chart.chart.screening.findings)


def test_the_date_cannot_be_in_the_future_and_an_error_shows_beside_its_field(qtbot, services, staff, make_window):
    """The date picker stops at today; an error from the service lands beside its field, the form stays open."""
    p = patient(services, staff)
    ws = signed_in(make_window, staff["nurse"]).workspace
    form = ws.front_desk.screening(p.id)
    form.screened_on.setDate(QDate(2026, 3, 20))
    assert form.screened_on.date() == QDate(2026, 3, 2), "today is the latest date offered"
    form.notes.setPlainText("bad\x00text")
    assert form.save() is None
    assert "cannot be stored" in form.errors.shown()["notes"]
    assert ws.tabs.indexOf(form) != -1


def test_a_screening_dated_before_the_birth_is_refused_beside_its_date(qtbot, services, staff, make_window):
    p = patient(services, staff)
    ws = signed_in(make_window, staff["nurse"]).workspace
    form = ws.front_desk.screening(p.id)
    form.screened_on.setDate(QDate(1979, 12, 31))
    assert form.save() is None
    assert form.errors.shown() == {
        "screened_on": "Screening cannot be dated before the patient's date of birth (1980-05-01)."}
    assert services.patients.chart(staff["nurse"], p.id).screening is None


def test_front_desk_has_no_screening_button(qtbot, services, staff, make_window):
    """Screening is recorded by nurses and physicians: front desk does not see the button."""
    p = patient(services, staff)
    ws = signed_in(make_window, staff["front_desk"]).workspace
    ws.open_patient(p.id)
    assert ws.chart.findChild(QPushButton, "screeningRequested") is None
    assert ws.chart.findChild(QPushButton, "editRequested") is not None
    assert ws.front_desk.screening(p.id) is None and ws.tabs.currentWidget() is ws.splitter

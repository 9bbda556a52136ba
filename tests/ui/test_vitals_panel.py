"""The vital-signs section: due rows with late and overdue readings, the alert that needs an action, the chart."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtGui import QColor

from clinic_desktop.domain.enums import AlertAction, VitalsPhase
from clinic_desktop.storage import models
from clinic_desktop.ui.session_screen.vitals_chart import BP_COLOUR, HR_COLOUR
from clinic_desktop.ui.session_screen.vitals_panel import STATUS, VitalsPanel
from clinic_desktop.ui.session_screen.vitals_rows import DUE, LATE, ON_TIME, OVERDUE

from tests.services.service_support import NORMAL, Clinic
from tests.ui.session_support import hosted


@pytest.fixture
def infusing(services, staff, clock):
    """A session whose dose started at the clock's time, with its baseline reading; returns the session id."""
    return Clinic(services, staff, clock, services.chairs.add(staff["admin"], "Chair 1").id).infusing()


def _panel(qtbot, services, staff, sid, who="nurse") -> VitalsPanel:
    panel = VitalsPanel(services, lambda: staff[who], sid)
    qtbot.addWidget(panel)
    hosted(panel, services, staff[who], sid)
    panel.resize(1100, 900)
    panel.show()
    return panel


def _states(panel: VitalsPanel) -> list[tuple[str, str]]:
    """(due time, status) of each line of the grid."""
    return [(line[0], line[STATUS]) for line in panel.row_texts()]


def test_grid_marks_late_and_overdue_readings(qtbot, services, staff, clock, infusing):
    """Rows fall due at 10, 20, 30, 40 min; a reading 4 min after its time is late, a missing one overdue."""
    nurse = staff["nurse"]
    clock.advance(minutes=10)
    services.monitoring.record_vitals(nurse, infusing, VitalsPhase.DURING, NORMAL)
    clock.advance(minutes=14)  # 24 min in: the 20-minute reading, 4 min late
    services.monitoring.record_vitals(nurse, infusing, VitalsPhase.DURING, NORMAL)
    panel = _panel(qtbot, services, staff, infusing)
    assert [r.state for r in panel.rows] == ["baseline", ON_TIME, LATE, DUE]
    assert [r.state_text for r in panel.rows][1:] == ["On time", "Late by 4 min", "Due in 6 min"]
    clock.advance(minutes=19)  # 43 min in: the 30- and 40-minute readings were never taken
    panel.render()
    assert [r.state for r in panel.rows] == ["baseline", ON_TIME, LATE, OVERDUE, OVERDUE, DUE]
    due_times = [text for text, _state in _states(panel)][1:]
    assert due_times == ["09:15", "09:25", "09:35", "09:45", "09:55"]
    assert _states(panel)[3][1] == "Overdue by 13 min" and _states(panel)[4][1] == "Overdue by 3 min"
    assert "2 readings overdue" in panel.summary.text()
    colours = [(panel.table.item(r, STATUS).background().color().name(),
                panel.table.item(r, STATUS).foreground().color().name()) for r in (2, 3)]
    assert colours == [("#fef7e0", "#7a4f01"), ("#fde7e9", "#8c1d18")]  # late: amber; overdue: pale and dark red


def test_out_of_range_reading_needs_an_action_before_it_is_saved(qtbot, services, staff, clock, infusing):
    """A systolic of 190 shows its alert and saves only with the action taken and a note."""
    clock.advance(minutes=10)
    panel = _panel(qtbot, services, staff, infusing)
    form = panel.form
    for name, value in {"systolic": "190", "diastolic": "100", "heart_rate": "88", "spo2": "97"}.items():
        form.fields[name].setText(value)
    form.save_button.click()
    assert form.alert_box.isVisible()
    assert "Systolic blood pressure 190 mmHg" in form.alert_text.text()
    assert len(services.sessions.detail(staff["nurse"], infusing).vitals) == 1  # only the baseline
    form.save_button.click()  # still no action chosen
    assert form.errors.shown()["alert_action"] == "Choose the action taken."
    assert "(suggested)" in form.action.itemText(1)
    form.action.setCurrentIndex(form.action.findData(AlertAction.PHYSICIAN_NOTIFIED))
    form.note.setText("Dr Okafor informed; re-check in 5 minutes")
    with qtbot.waitSignal(panel.updated):
        form.save_button.click()
    saved = services.sessions.detail(staff["nurse"], infusing).vitals[-1]
    assert (saved.systolic, saved.alert_action, saved.phase) == (190, AlertAction.PHYSICIAN_NOTIFIED, VitalsPhase.DURING)
    assert not form.alert_box.isVisible() and form.fields["systolic"].text() == ""
    reading, alert_line = panel.row_texts()[1:3]
    assert reading[3] == "190/100" and len(alert_line) == 1
    assert alert_line[0].startswith("Alert: Systolic blood pressure 190 mmHg is above 180 mmHg")
    assert alert_line[0].endswith("Action: Physician notified — Dr Okafor informed; re-check in 5 minutes")


def test_front_desk_sees_the_grid_but_no_entry_form(qtbot, services, staff, infusing):
    """Only nurses and physicians chart vital signs: the form is hidden and the page says why."""
    panel = _panel(qtbot, services, staff, infusing, who="front_desk")
    assert not panel.form_box.isVisible()
    assert "nurse or a physician" in panel.form_note.text()


def test_chart_paints_blood_pressure_and_heart_rate(qtbot, services, staff, clock, infusing):
    """The chart paints its readings: the grab holds the blood-pressure and heart-rate colours."""
    for minutes, systolic in ((10, 130), (10, 150), (10, 140)):
        clock.advance(minutes=minutes)
        services.monitoring.record_vitals(staff["nurse"], infusing, VitalsPhase.DURING,
                                          {**NORMAL, "systolic": systolic})
    panel = _panel(qtbot, services, staff, infusing)
    image = panel.chart.grab().toImage()
    assert not image.isNull() and image.width() > 100 and image.height() > 100
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}
    assert BP_COLOUR.name() in colours and HR_COLOUR.name() in colours
    assert QColor("#ffffff").name() in colours
    assert "09:15 130/78" in panel.chart.summary()


def test_a_reading_stored_decades_away_is_left_off_the_chart(qtbot, services, staff, clock, infusing, db):
    """A reading inserted straight into the table at year 1 neither squeezes the session's readings nor stalls
    the painting; the session's own readings are all drawn."""
    with db.session() as s:
        s.add(models.VitalSignsReading(session_id=infusing, taken_at=datetime(1, 1, 1, tzinfo=timezone.utc),
                                       phase=VitalsPhase.BASELINE, systolic=120, diastolic=80, heart_rate=70,
                                       alert_note="", recorded_by_id=staff["nurse"].id, created_at=clock.now()))
        s.commit()
    panel = _panel(qtbot, services, staff, infusing)
    assert [p.at for p in panel.chart.points] == [clock.now() - timedelta(minutes=5)]  # the baseline only
    first, last = panel.chart.time_range()
    assert last - first < timedelta(hours=2)
    assert not panel.chart.grab().toImage().isNull()

"""Planning a series with a live preview of its dates; moving, cancelling or marking a no-show of one session;
extending and stopping."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QTreeWidget

from clinic_desktop.domain.enums import Protocol, SeriesStatus, SessionStatus
from clinic_desktop.ui.series_actions import ActionDialog, ExtendSeriesDialog, StopSeriesDialog
from clinic_desktop.ui.series_dialog import PlanSeriesPage
from tests.conftest import ZONE
from tests.ui.front_desk_support import chair, induction, patient, signed_in


@pytest.fixture
def answer_dialogs(monkeypatch):
    """Dialogs run without blocking: each `exec` fills the dialog with the next queued function and submits."""
    queue = []

    def exec_(dialog):
        queue.pop(0)(dialog)
        return dialog.submit() is not None

    monkeypatch.setattr(ActionDialog, "exec", exec_)
    return queue


def _shown(ws, kind: type, name: str):
    """The chart's widget of that name on show now (a chart shown again replaces its widgets)."""
    QApplication.processEvents()  # widgets added to a shown page appear on the next turn of the event loop
    return next(w for w in ws.chart.findChildren(kind, name) if w.isVisible())


def _tree(ws) -> QTreeWidget:
    return _shown(ws, QTreeWidget, "seriesTree")


def _select_session(ws, sequence: int) -> None:
    tree = _tree(ws)
    tree.setCurrentItem(tree.topLevelItem(0).child(sequence - 1))


def _click(ws, name: str) -> None:
    _shown(ws, QPushButton, name).click()


def test_the_plan_previews_each_date_and_its_sessions_appear_on_the_chart(qtbot, services, staff, make_window):
    """IV induction from Monday: six dates Mon/Wed/Fri shown as "Session k of 6"; esketamine's template
    changes the pattern; an error stays beside its field; saved, the chart lists the sessions."""
    p = patient(services, staff)
    chair_id = chair(services, staff)
    ws = signed_in(make_window, staff["front_desk"]).workspace
    ws.open_patient(p.id)
    ws.chart.planRequested.emit(p.id)
    page = ws.tabs.currentWidget()
    assert isinstance(page, PlanSeriesPage) and page.protocol_value() is Protocol.IV_INDUCTION
    lines = page.preview.text().splitlines()
    assert lines[0] == "Session 1 of 6 — Mon 2026-03-02 09:00"
    assert lines[-1] == "Session 6 of 6 — Fri 2026-03-13 09:00" and len(lines) == 6

    page.protocol.setCurrentIndex(page.protocol.findData(Protocol.ESKETAMINE.value))
    assert page.weekdays() == (0, 3) and page.sessions.value() == 8
    assert (page.dose.text(), page.dose_unit.text()) == ("56", "mg")
    assert page.preview.text().splitlines()[1] == "Session 2 of 8 — Thu 2026-03-05 09:00"

    page.protocol.setCurrentIndex(page.protocol.findData(Protocol.IV_INDUCTION.value))
    for box in page.weekday_boxes:
        box.setChecked(False)
    assert page.preview.text() == "Choose at least one weekday for the sessions."
    page.dose.setText("5")
    assert page.save() is None
    assert page.errors.shown()["weekdays"] == "Choose at least one weekday for the sessions."
    page.weekday_boxes[1].setChecked(True)
    page.weekday_boxes[3].setChecked(True)
    assert page.save() is None and "at most" in page.errors.shown()["target_dose"]
    page.dose.setText("0.5")
    page.time.setTime(QTime(10, 30))
    assert page.chair.currentData() == chair_id
    series = page.save()
    assert series is not None and ws.tabs.indexOf(page) == -1
    assert [s.label for s in series.sessions][:2] == ["Session 1 of 6", "Session 2 of 6"]
    first = series.sessions[0].scheduled_at.astimezone(ZONE)
    assert (first.day, first.hour, first.minute) == (3, 10, 30), "Tuesday 3 March at 10:30"
    tree = _tree(ws)
    assert tree.topLevelItem(0).childCount() == 6 and tree.topLevelItem(0).child(0).text(0) == "Session 1 of 6"


def test_rescheduling_one_session_leaves_the_others(qtbot, services, staff, make_window, answer_dialogs):
    """Session 3 moves to Saturday 11:00 from the chart; sessions 1, 2, 4, 5 and 6 keep their times."""
    p = patient(services, staff)
    series = induction(services, staff, p.id, chair(services, staff))
    before = {s.id: s.scheduled_at for s in series.sessions}
    ws = signed_in(make_window, staff["front_desk"]).workspace
    ws.open_patient(p.id)
    _select_session(ws, 3)

    def move(dialog) -> None:
        dialog.day.setDate(QDate(2026, 3, 7))
        dialog.time.setTime(QTime(11, 0))
        dialog.reason.setText("Patient's request")
    answer_dialogs.append(move)
    _click(ws, "series_reschedule")
    after = {s.id: s.scheduled_at for s in ws.chart.chart.series[0].sessions}
    third = series.sessions[2].id
    assert after[third] == datetime(2026, 3, 7, 11, 0, tzinfo=ZONE)
    assert all(after[k] == v for k, v in before.items() if k != third)
    assert not answer_dialogs


def test_cancelling_one_session_needs_a_reason_and_leaves_the_others(qtbot, services, staff, make_window,
                                                                     answer_dialogs):
    """Without a reason the dialog says so beside the field; with one, only session 2 is cancelled."""
    p = patient(services, staff)
    induction(services, staff, p.id, chair(services, staff))
    ws = signed_in(make_window, staff["nurse"]).workspace
    ws.open_patient(p.id)
    _select_session(ws, 2)
    seen = []
    answer_dialogs.append(lambda d: seen.append(d))
    _click(ws, "series_cancel")
    assert seen[0].errors.shown() == {"reason": "Reason for cancelling is required."}
    assert all(s.status is SessionStatus.SCHEDULED for s in ws.chart.chart.series[0].sessions)
    _select_session(ws, 2)
    answer_dialogs.append(lambda d: d.reason.setText("Unwell today"))
    _click(ws, "series_cancel")
    statuses = [s.status for s in ws.chart.chart.series[0].sessions]
    assert statuses[1] is SessionStatus.CANCELLED and statuses.count(SessionStatus.SCHEDULED) == 5


def test_a_missed_session_is_marked_as_a_no_show_once_its_time_has_come(qtbot, services, staff, make_window,
                                                                       answer_dialogs):
    """Today's 09:00 session (it is 09:00) is marked from the chart; Wednesday's cannot be yet (button disabled);
    a session later today is refused in the dialog, which says why and changes nothing."""
    chair_id = chair(services, staff)
    early, later = patient(services, staff), patient(services, staff, "Marlow")
    induction(services, staff, early.id, chair_id)
    induction(services, staff, later.id, chair_id, time(11, 0))
    ws = signed_in(make_window, staff["front_desk"]).workspace
    ws.open_patient(early.id)
    _select_session(ws, 2)
    assert not _shown(ws, QPushButton, "series_no_show").isEnabled()
    _select_session(ws, 1)
    assert _shown(ws, QPushButton, "series_no_show").isEnabled()
    answer_dialogs.append(lambda d: None)
    _click(ws, "series_no_show")
    statuses = [s.status for s in ws.chart.chart.series[0].sessions]
    assert statuses[0] is SessionStatus.NO_SHOW and statuses.count(SessionStatus.SCHEDULED) == 5

    ws.open_patient(later.id)
    _select_session(ws, 1)
    seen = []
    answer_dialogs.append(seen.append)
    _click(ws, "series_no_show")
    assert "time has not come yet" in seen[0].errors.shown()[""]
    assert ws.chart.chart.series[0].sessions[0].status is SessionStatus.SCHEDULED


def test_extending_and_stopping_require_a_reason(qtbot, services, staff):
    """Empty reasons are refused beside the field and change nothing; with reasons the series grows, then stops."""
    p = patient(services, staff)
    series = induction(services, staff, p.id, chair(services, staff))
    md = staff["physician"]
    extend = ExtendSeriesDialog(series, lambda n, reason: services.series.extend(md, series.id, n, reason))
    qtbot.addWidget(extend)
    assert extend.submit() is None and extend.errors.shown() == {"reason": "Reason for extending is required."}
    assert services.series.get(md, series.id).planned_sessions == 6
    extend.reason.setText("Partial response: two more infusions")
    longer = extend.submit()
    assert longer.planned_sessions == 8 and [s.label for s in longer.sessions][-1] == "Session 8 of 8"

    stop = StopSeriesDialog(longer, lambda reason: services.series.stop(md, series.id, reason))
    qtbot.addWidget(stop)
    assert "8 scheduled sessions will be cancelled." in [label.text() for label in stop.findChildren(QLabel)]
    assert stop.submit() is None and stop.errors.shown() == {"reason": "Reason for stopping is required."}
    assert services.series.get(md, series.id).status is SeriesStatus.PLANNED
    stop.reason.setText("Patient moved away")
    stopped = stop.submit()
    assert stopped.status is SeriesStatus.STOPPED and stopped.stop_reason == "Patient moved away"
    assert all(s.status is SessionStatus.CANCELLED for s in stopped.sessions)


def test_the_series_buttons_follow_the_selection(qtbot, services, staff, make_window, answer_dialogs):
    """A session row enables all four (the series is its own); a series row only extending and stopping; a
    stopped series none."""
    p = patient(services, staff)
    induction(services, staff, p.id, chair(services, staff))
    ws = signed_in(make_window, staff["nurse"]).workspace
    ws.open_patient(p.id)

    def enabled() -> dict[str, bool]:
        return {n: _shown(ws, QPushButton, f"series_{n}").isEnabled()
                for n in ("reschedule", "cancel", "extend", "stop")}
    assert not any(enabled().values()), "nothing is selected yet"
    _select_session(ws, 1)
    assert enabled() == {"reschedule": True, "cancel": True, "extend": True, "stop": True}
    _tree(ws).setCurrentItem(_tree(ws).topLevelItem(0))
    assert enabled() == {"reschedule": False, "cancel": False, "extend": True, "stop": True}
    answer_dialogs.append(lambda d: d.reason.setText("Patient declined further treatment"))
    _click(ws, "series_stop")
    assert ws.chart.chart.series[0].status is SeriesStatus.STOPPED
    _tree(ws).setCurrentItem(_tree(ws).topLevelItem(0))
    assert not any(enabled().values())

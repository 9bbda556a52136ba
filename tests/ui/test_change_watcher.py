"""A workstation catches up with another's changes: the open chart, the board and session screens reload; a
screen with unsaved entries keeps them and offers a Reload bar instead."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from clinic_desktop.domain.enums import VitalsPhase
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.settings import Locations
from clinic_desktop.ui.change_watcher import CHANGED_ELSEWHERE
from clinic_desktop.ui.main_window import MainWindow
from tests.services.signing_support import NORMAL
from tests.ui.session_support import checked_in


@pytest.fixture
def workspace(qtbot, services, tmp_path, staff):
    window = MainWindow(services, Locations(tmp_path, str(services.context.db.engine.url)))
    qtbot.addWidget(window)
    window.show()
    window.sign_in(staff["nurse"])
    return window.workspace


def _labels(widget) -> list[str]:
    # Twice: a refresh announced by the first round lays out new labels, which Qt shows in the next.
    QApplication.processEvents()
    QApplication.processEvents()
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisible()]


def _rename(services, actor, patient_id: int, family: str) -> None:
    chart = services.patients.chart(actor, patient_id)
    services.patients.update(actor, patient_id, PatientInput(
        given_names=chart.given_names, family_name=family, date_of_birth=chart.date_of_birth.isoformat(),
        sex=chart.sex, escort_name=chart.escort_name), expected_version=chart.row_version)


def test_open_chart_shows_another_workstations_edit_when_the_timer_fires(qtbot, workspace, services, other, staff):
    """The front desk renames the patient elsewhere; within a few polls the open chart shows the new name."""
    pid, _sid, _ = checked_in(services, staff)
    workspace.open_patient(pid)
    assert any("Lovelace" in t for t in _labels(workspace.chart))
    workspace.watcher.poll()  # the marker now includes everything this workstation did
    workspace.watcher.timer.setInterval(20)  # the real 3 s would only slow the test down
    _rename(other, staff["front_desk"], pid, "Byron")
    qtbot.waitUntil(lambda: any("Byron" in t for t in _labels(workspace.chart)), timeout=5000)
    assert workspace.chart.chart.family_name == "Byron"
    assert not any("Lovelace" in t and "Tom" not in t for t in _labels(workspace.chart))


def test_the_board_catches_up_with_a_check_in_elsewhere(workspace, services, other, staff):
    """A session checked in at the front desk's workstation moves on this workstation's board after a poll."""
    pid, sid, sessions = checked_in(services, staff)
    board = workspace.front_desk.board
    board.refresh()
    second = sessions[1]
    workspace.watcher.poll()
    before = board.board
    other.sessions.cancel(staff["front_desk"], second, "Patient has the flu")  # fictional reason
    workspace.watcher.poll()
    assert board.board is not before, "the board read the day again"


def test_a_session_screen_reloads_or_offers_reload_when_entries_are_unsaved(qtbot, workspace, services, other,
                                                                           staff):
    """Clean screen: vitals taken elsewhere appear at once. With a half-typed note: the note stays and a
    "Changed at another workstation" bar offers Reload; Reload (after discarding) shows the new reading."""
    pid, sid, _ = checked_in(services, staff)
    screen = workspace.open_session(sid)
    workspace.watcher.poll()
    readings = len(screen.detail.vitals)
    other.monitoring.record_vitals(staff["nurse2"], sid, VitalsPhase.BASELINE, NORMAL)
    workspace.watcher.poll()
    assert len(screen.detail.vitals) == readings + 1 and screen.changed_bar.isHidden()

    note = screen.panels["notes"].free_text.text
    note.setPlainText("Patient reports mild dizziness")  # fictional
    assert screen.is_dirty()
    other.monitoring.record_vitals(staff["nurse2"], sid, VitalsPhase.BASELINE, NORMAL)
    workspace.watcher.poll()
    assert not screen.changed_bar.isHidden() and screen.changed_bar.label.text() == CHANGED_ELSEWHERE
    assert len(screen.detail.vitals) == readings + 1, "not reloaded under the typed note"
    assert note.toPlainText() == "Patient reports mild dizziness"
    workspace.tabs.setCurrentWidget(screen)
    screen.changed_bar.button.click()  # the question is answered "Discard" (tests/ui/conftest.py)
    assert screen.changed_bar.isHidden() and len(screen.detail.vitals) == readings + 2


def test_a_stale_day_answer_is_refused_on_the_screen_with_who_changed_it(workspace, services, other, staff):
    """Another workstation records the fasting answer after this screen was read: this workstation's answer
    is refused, the screen says who changed it and when, and the watcher then shows the stored answer."""
    _pid, sid, _ = checked_in(services, staff, npo=None)
    screen = workspace.open_session(sid)
    workspace.watcher.poll()
    checks = screen.checks
    other.sessions.update_day_answers(staff["nurse2"], sid, npo_confirmed=True,
                                      expected_version=screen.detail.row_version)
    checks.npo.setCurrentIndex(checks.npo.findData(False))
    checks.npo.activated.emit(checks.npo.currentIndex())
    shown = " ".join(_labels(screen))
    assert "changed on another workstation" in shown and "Changed by Luis Ferreira, RN at 09:00." in shown
    assert services.sessions.detail(staff["nurse"], sid).npo_confirmed is True, "the other answer stands"
    workspace.watcher.poll()
    assert screen.detail.npo_confirmed is True and checks.npo.currentData() is True


def test_a_new_consent_text_stored_elsewhere_shows_re_consent_on_the_open_chart(qtbot, workspace, services, other,
                                                                                staff):
    """The administrator stores consent 2026.2 on another workstation; the open chart says re-consent is needed."""
    from tests.conftest import revised_consent_text

    pid, _sid, _ = checked_in(services, staff)
    workspace.open_patient(pid)
    assert not any("Re-consent needed" in t for t in _labels(workspace.chart))
    workspace.watcher.poll()
    workspace.watcher.timer.setInterval(20)
    other.sheet_texts.import_text(staff["admin"], "consent-racemic", revised_consent_text())
    qtbot.waitUntil(lambda: any("Re-consent needed: form 2026.2 is current" in t for t in _labels(workspace.chart)),
                    timeout=5000)

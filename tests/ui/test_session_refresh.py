"""The session screen reads the session once per refresh, and a nurse's own save is never announced to her as
another workstation's change."""

from __future__ import annotations

from clinic_desktop.domain.enums import NoteKind, VitalsPhase
from clinic_desktop.ui.change_watcher import CHANGED_ELSEWHERE
from tests.perf.session_reload import counting_statements
from tests.services.signing_support import NORMAL
from tests.ui.session_support import Acting, checked_in, screen_for
from tests.ui.test_change_watcher import workspace  # noqa: F401 (the signed-in window fixture)

#: Statements one refresh may take. One read in one transaction (the session with its dose, readings, notes,
#: scores and who charted them; the patient's chart; the checklist computed once; the previous dose) is 36 on
#: this session and 41 on the demo clinic's busiest one (tests/perf/session_reload.py); before the single read
#: it was 119 there (the chart read twice, the checklist three times). 45 leaves room for a new field of the
#: chart and none for a second read of the chart (19 statements) or of the checklist (16).
MAX_STATEMENTS = 45


def _refresh_statements(services, screen) -> int:
    with counting_statements(services.context.db.engine) as statements:
        screen.reload()
    return len(statements)


def test_a_refresh_reads_the_session_once_within_a_bound(qtbot, services, staff, clock):
    """One refresh stays within MAX_STATEMENTS, and more readings and notes do not add statements (no read per
    row, no panel reading the chart or the checklist on its own)."""
    _pid, sid, _ = checked_in(services, staff)
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    first = _refresh_statements(services, screen)
    assert first <= MAX_STATEMENTS
    for minute in range(4):
        clock.advance(minutes=1)
        services.monitoring.record_vitals(staff["nurse"], sid, VitalsPhase.BASELINE, NORMAL)
        services.monitoring.add_note(staff["nurse"], sid, NoteKind.FREE_TEXT, {}, f"Comfortable ({minute})")
    assert _refresh_statements(services, screen) == first
    assert len(screen.detail.vitals) == 5 and len(screen.panels["notes"].note_lines()) == 4


def test_a_reading_saved_here_shows_without_reading_the_session_again(qtbot, services, staff, clock):
    """Saving a reading costs the save and the checklist it may change, not a refresh: fewer statements than
    one refresh, and the grid shows it."""
    _pid, sid, _ = checked_in(services, staff)
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    refresh = _refresh_statements(services, screen)
    form = screen.panels["vitals"].form
    for name, value in {"systolic": "124", "diastolic": "78", "heart_rate": "72", "spo2": "98"}.items():
        form.fields[name].setText(value)
    clock.advance(minutes=2)
    with counting_statements(services.context.db.engine) as statements:
        form.save_button.click()
    assert len(screen.detail.vitals) == 2 and form.values()["systolic"] == ""
    assert len(statements) < refresh, statements


def test_no_changed_elsewhere_after_ones_own_save(qtbot, workspace, services, other, staff, clock):  # noqa: F811
    """A screen with a half-typed note saves a reading: the reading shows, the bar stays hidden and the note
    stays typed. A reading from the other workstation still brings the bar."""
    _pid, sid, _ = checked_in(services, staff)
    screen = workspace.open_session(sid)
    workspace.watcher.poll()
    note = screen.panels["notes"].free_text.text
    note.setPlainText("Patient reports mild dizziness")  # fictional
    form = screen.panels["vitals"].form
    for name, value in {"systolic": "124", "diastolic": "78", "heart_rate": "72", "spo2": "98"}.items():
        form.fields[name].setText(value)
    clock.advance(minutes=2)
    form.save_button.click()
    workspace.watcher.poll()
    assert len(screen.detail.vitals) == 2
    assert screen.changed_bar.isHidden()
    assert note.toPlainText() == "Patient reports mild dizziness"

    other.monitoring.record_vitals(staff["nurse2"], sid, VitalsPhase.BASELINE, NORMAL)
    workspace.watcher.poll()
    assert not screen.changed_bar.isHidden() and screen.changed_bar.label.text() == CHANGED_ELSEWHERE
    assert note.toPlainText() == "Patient reports mild dizziness"

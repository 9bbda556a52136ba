"""Today's board: sessions by chair, the day picker, check-in and no-show, and vitals countdowns that follow the
clock."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from clinic_desktop.domain.enums import PregnancyStatus, SessionStatus
from clinic_desktop.ui.board import TICK_MS, TodayBoard
from clinic_desktop.ui.series_actions import NoShowDialog
from tests.conftest import PASSWORD, sign_in_again
from tests.services.signing_support import IV_ORDER, LOT_EXPIRY, ready_session
from tests.ui.front_desk_support import buttons, chair, induction, patient, signed_in


def _rows(board: TodayBoard) -> dict[str, list[str]]:
    """Each column's title and the text of its rows."""
    return {c.title.text(): [c.list.item(i).text() for i in range(c.list.count())] for c in board.columns.values()}


def _item(board: TodayBoard, session_id: int):
    for column in board.columns.values():
        for i in range(column.list.count()):
            if column.list.item(i).data(Qt.ItemDataRole.UserRole) == session_id:
                return column.list.item(i)
    raise AssertionError(f"session {session_id} is not on the board")


@pytest.fixture
def day(services, staff):
    """Three patients today: 09:00 in Chair 1, 10:30 in Chair 2, 13:00 without a chair."""
    one, two = chair(services, staff, "Chair 1"), chair(services, staff, "Chair 2")
    a = induction(services, staff, patient(services, staff, "Lovelace").id, one)
    b = induction(services, staff, patient(services, staff, "Nguyễn", given_names="Zoë").id, two, time(10, 30))
    c = induction(services, staff, patient(services, staff, "O'Brien", given_names="Liam").id, None, time(13, 0))
    return a, b, c


def test_the_board_shows_todays_sessions_by_chair(qtbot, services, staff, make_window, day):
    """One column per chair and one for sessions without a chair, each row with time, name and session k of N."""
    ws = signed_in(make_window, staff["front_desk"]).workspace
    board = ws.front_desk.board
    assert ws.tabs.currentWidget() is board and ws.tabs.tabText(ws.tabs.indexOf(board)) == "Today"
    assert board.day_label.text() == "Monday 2026-03-02 (today)"
    assert _rows(board) == {
        "Chair 1 · 1 session": ["09:00  Lovelace, Ada\nSession 1 of 6 · Scheduled"],
        "Chair 2 · 1 session": ["10:30  Nguyễn, Zoë\nSession 1 of 6 · Scheduled"],
        "No chair · 1 session": ["13:00  O'Brien, Liam\nSession 1 of 6 · Scheduled"],
    }


def test_the_day_picker_moves_between_days(qtbot, services, staff, make_window, day):
    """Tuesday has nothing; Wednesday has session 2 of 6; check-in is only offered for today; Today comes back."""
    board = signed_in(make_window, staff["front_desk"]).workspace.front_desk.board
    board.next_button.click()
    assert board.day_label.text() == "Tuesday 2026-03-03" and board.empty.text() == "No sessions booked on this day."
    board.next_button.click()
    assert _rows(board)["Chair 1 · 1 session"] == ["09:00  Lovelace, Ada\nSession 2 of 6 · Scheduled"]
    board.select(day[0].sessions[1].id)
    assert board.open_button.isEnabled() and not board.check_in_button.isEnabled()
    board.today_button.click()
    assert board.day_label.text().endswith("(today)") and not board.today_button.isEnabled()


def test_checking_a_patient_in(qtbot, services, staff, make_window, day):
    """The inline form: a bad phone is refused beside the field; then the usual escort, confirmed, fasting,
    a negative test: the row says Checked in and the session holds the answers."""
    ws = signed_in(make_window, staff["front_desk"]).workspace
    board = ws.front_desk.board
    sid = day[0].sessions[0].id
    board.select(sid)
    board.check_in_button.click()
    panel = board.check_in_panel
    assert panel.isVisible() and panel.heading.text() == "Check in Lovelace, Ada — Session 1 of 6"
    panel.escort_phone.setText("12")
    assert panel.submit() is None and "7 to 15 digits" in panel.errors.shown()["escort_phone"]
    panel.escort_phone.clear()
    panel.escort_confirmed.setChecked(True)
    panel.npo.setCurrentIndex(panel.npo.findData(True))
    panel.pregnancy.setCurrentIndex(panel.pregnancy.findData(PregnancyStatus.NEGATIVE.value))
    with qtbot.waitSignal(panel.checkedIn):
        qtbot.keyClick(panel.escort_name, Qt.Key.Key_Return)
    assert panel.isHidden()
    assert _item(board, sid).text().endswith("Session 1 of 6 · Checked in")
    detail = services.sessions.detail(staff["nurse"], sid)
    assert detail.summary.status is SessionStatus.CHECKED_IN and detail.escort_name == "Tom Lovelace"
    assert (detail.escort_confirmed, detail.npo_confirmed, detail.pregnancy_status) == (True, True,
                                                                                       PregnancyStatus.NEGATIVE)
    assert not board.check_in_button.isEnabled(), "a checked-in session is not checked in twice"


def test_a_patient_who_did_not_come_is_marked_as_a_no_show(qtbot, services, staff, clock, make_window, day,
                                                           monkeypatch):
    """At 09:00 the 10:30 session cannot be missed yet; at 09:20 the 09:00 one is marked after the question,
    the row says No-show and the session can no longer be checked in."""
    board = signed_in(make_window, staff["front_desk"]).workspace.front_desk.board
    board.select(day[1].sessions[0].id)
    assert board.no_show_button.isVisible() and not board.no_show_button.isEnabled()
    clock.advance(minutes=20)
    asked = []
    monkeypatch.setattr(NoShowDialog, "exec", lambda d: asked.append(d.findChild(QLabel, "subheading").text())
                        or d.submit())
    sid = day[0].sessions[0].id
    board.refresh()
    board.select(sid)
    board.no_show_button.click()
    assert asked == ["Mark session 1 of 6 for Lovelace, Ada on Mon 2026-03-02 09:00 as a no-show?"]
    assert _item(board, sid).text().endswith("Session 1 of 6 · No-show")
    assert services.sessions.detail(staff["nurse"], sid).summary.status is SessionStatus.NO_SHOW
    assert not board.no_show_button.isEnabled() and not board.check_in_button.isEnabled()


def test_the_vitals_countdown_and_overdue_mark_follow_the_clock(qtbot, services, staff, clock, make_window):
    """Started at 09:00: "vitals in 10 min", at 09:06 "in 4 min", at 09:13 "overdue 3 min" in red; the board
    redraws every few seconds (it reads the day again when the change hub says something changed)."""
    _pid, sid = ready_session(services, staff)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
    board = signed_in(make_window, staff["nurse"]).workspace.front_desk.board
    assert TICK_MS <= 5_000 and not hasattr(board, "refresh_timer")
    board.refresh()
    item = _item(board, sid)
    assert item.text().splitlines()[1:] == ["Session 1 of 6 · Infusing", "infusing since 09:00", "vitals in 10 min"]
    clock.advance(minutes=6)
    board.tick()
    assert item.text().endswith("vitals in 4 min") and item.foreground().color() == QColor("#5c3c00")  # infusing
    clock.advance(minutes=7)
    board.tick()
    assert item.text().endswith("vitals overdue 3 min")
    assert item.foreground().color() == QColor("#a50e0e") and item.font().bold()  # dark red
    board.refresh()
    assert _item(board, sid).text().endswith("vitals overdue 3 min"), "the re-read board says the same"


def test_enter_on_a_session_opens_it(qtbot, services, staff, make_window, day):
    """Enter (or a double-click) on a row asks the workspace to open that session."""
    ws = signed_in(make_window, staff["nurse"]).workspace
    board = ws.front_desk.board
    sid = day[1].sessions[0].id
    board.select(sid)
    column = next(c for c in board.columns.values() if c.list.currentItem() is not None)
    with qtbot.waitSignal(board.sessionChosen, check_params_cb=lambda s: s == sid):
        qtbot.keyClick(column.list, Qt.Key.Key_Return)
    assert ws.tabs.currentWidget() is not board


def test_who_starts_at_the_board_and_what_front_desk_may_do_there(qtbot, services, staff, make_window, day):
    """Front desk and nurses start at the board, physicians at the patient search; View > Today's board brings
    it back; front desk sees check-in but no dose actions."""
    physician = signed_in(make_window, staff["physician"])
    assert physician.workspace.tabs.currentWidget() is physician.workspace.splitter
    physician.menus.board.trigger()
    assert physician.workspace.tabs.currentWidget() is physician.workspace.front_desk.board
    desk = signed_in(make_window, staff["front_desk"])
    shown = buttons(desk.workspace.front_desk.board)
    assert "Check in…" in shown and "Open session" in shown
    assert not any("dose" in b.lower() or "order" in b.lower() for b in shown)


def test_a_board_left_on_today_moves_on_to_the_next_day_after_midnight(services, staff, clock, make_window):
    """No timed re-read any more: the countdown tick notices the date changed and reads the new day; a board
    the user turned to another day stays on that day."""
    clock.set(datetime(2026, 3, 3, 4, 30, tzinfo=timezone.utc))  # 23:30 in the clinic
    sign_in_again(staff, clock)
    board = signed_in(make_window, staff["nurse"]).workspace.front_desk.board
    first = board.day
    assert first == services.context.today()
    clock.advance(hours=1)
    board.tick()
    assert board.day == services.context.today() != first and board.board.day == board.day
    board.show_day(first)
    clock.advance(minutes=10)
    board.tick()
    assert board.day == first, "a day chosen by the user is left alone"

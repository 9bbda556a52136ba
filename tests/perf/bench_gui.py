"""Timings in the window (offscreen, with the real worker thread): sign-in, keystroke to rows, a chart, a session
screen, a reading saved and shown, a signature, a backup and a preview, each with the GUI thread's longest stall.

Only the public entry points are used (MainWindow.sign_in_page, the workspace's open_patient / open_session /
paperwork, the panels' fields and buttons), and "done" is what a person would see (the rows, the chart, the new
line in the grid, the first page), so the figures stay meaningful while screens move onto background operations."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QEvent, QEventLoop, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from clinic_desktop.ui.main_window import MainWindow
from clinic_desktop.ui.session_screen.session_screen import SessionScreen

#: The longest any one step may take before the benchmark gives up on it.
TIMEOUT_S = 120.0


class StallMeter:
    """A 10 ms timer on the GUI thread; `worst_ms` is the longest gap between its ticks (a frozen window shows as
    a long gap). The gap up to the end of the measured block counts too."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.worst_ms = 0.0
        self._last = 0.0

    def __enter__(self) -> "StallMeter":
        self._last = time.perf_counter()
        self.timer.start()
        return self

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst_ms = max(self.worst_ms, (now - self._last) * 1000)
        self._last = now

    def __exit__(self, *_exc: object) -> None:
        self._tick()
        self.timer.stop()


def wait_until(condition: Callable[[], bool], timeout_s: float = TIMEOUT_S) -> float:
    """Run the event loop until `condition()` holds (checked every millisecond); the perf_counter time it held."""
    if condition():
        return time.perf_counter()
    loop = QEventLoop()
    held: list[float] = []

    def check() -> None:
        if condition():
            held.append(time.perf_counter())
            loop.quit()
    poll = QTimer()
    poll.setTimerType(Qt.TimerType.PreciseTimer)
    poll.setInterval(1)
    poll.timeout.connect(check)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    poll.start()
    loop.exec()
    poll.stop()
    if not held:
        raise TimeoutError(f"not done within {timeout_s:.0f} s")
    return held[0]


def settle() -> None:
    """Let what the last step posted (layouts, paints, deleted widgets) happen before the next one is timed."""
    for _ in range(3):
        QApplication.processEvents()
    QApplication.sendPostedEvents(None, 0)


@dataclass
class Timed:
    """Durations of a step's runs and the worst GUI stall of each, in milliseconds."""

    ms: list[float] = field(default_factory=list)
    stall_ms: list[float] = field(default_factory=list)

    def run(self, start: Callable[[], object], done: Callable[[], bool]) -> None:
        settle()
        with StallMeter() as meter:
            began = time.perf_counter()
            start()
            ended = wait_until(done)
        self.ms.append((ended - began) * 1000)
        self.stall_ms.append(meter.worst_ms)


# --- sign-in ------------------------------------------------------------------------------------------
def signed_in_window(services, locations, username: str, password: str, runs: int) -> tuple[MainWindow, Timed]:
    """Sign in at the sign-in page `runs` times (a new window each time); the last window stays open."""
    timed, window = Timed(), None
    for _ in range(runs):
        if window is not None:
            window.close()
            window.deleteLater()
        window = MainWindow(services, locations)
        window.resize(1280, 800)
        window.show()
        settle()
        page = window.sign_in_page
        page.username.setText(username)
        page.password.setText(password)
        timed.run(page.sign_in_button.click,
                  lambda w=window: w.principal is not None and w.workspace is not None and w.workspace.isVisible())
    return window, timed


# --- the patient list -----------------------------------------------------------------------------------
def keystroke_to_rows(window: MainWindow, prefixes: tuple[str, ...]) -> Timed:
    """For each prefix: its first letters already searched, then its last letter typed; until the list's model
    has been reset for the new text and has rows (the count beside it is read in the same step)."""
    workspace = window.workspace
    workspace.focus_search()
    panel = workspace.patients
    box, model = panel.search_box, panel.model
    reset: list[float] = []
    model.modelReset.connect(lambda: reset.append(time.perf_counter()))
    timed = Timed()
    for prefix in prefixes:
        if len(prefix) < 2:
            continue
        box.setText(prefix[:-1])
        panel.refresh()
        settle()
        reset.clear()
        timed.run(lambda p=prefix: type_letter(box, p[-1]), lambda: bool(reset) and model.rowCount() > 0)
    box.clear()
    panel.refresh()
    return timed


def type_letter(widget: QWidget, letter: str) -> None:
    """One key press and release carrying `letter` (QTest's key clicks know only ASCII; the names do not)."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, letter))


def debounce_ms(window: MainWindow) -> float | None:
    return getattr(type(window.workspace.patients), "DEBOUNCE_MS", None)


# --- the chart and the session screen -------------------------------------------------------------------
def open_chart(window: MainWindow, patient_id: int, other_id: int, runs: int) -> Timed:
    """The chart opened from another patient's chart, until it shows this patient."""
    workspace, timed = window.workspace, Timed()
    for _ in range(runs):
        workspace.open_patient(other_id)
        wait_until(lambda: _chart_of(workspace) == other_id)
        timed.run(lambda: workspace.open_patient(patient_id), lambda: _chart_of(workspace) == patient_id)
    return timed


def _chart_of(workspace) -> int | None:
    chart = getattr(workspace.chart, "chart", None)
    return chart.id if chart is not None else None


def session_screen(workspace, session_id: int) -> SessionScreen | None:
    """The open session screen of this session with its detail read, if any."""
    for index in range(workspace.tabs.count()):
        view = workspace.tabs.widget(index)
        if isinstance(view, SessionScreen) and view.session_id == session_id and view.detail is not None:
            return view
    return None


def close_tab(workspace, view: QWidget) -> None:
    workspace.tabs.tabCloseRequested.emit(workspace.tabs.indexOf(view))
    settle()


def open_session_screen(window: MainWindow, session_id: int, runs: int) -> Timed:
    """The session screen opened in a new tab until it shows the session; closed again between runs."""
    workspace, timed = window.workspace, Timed()
    for _ in range(runs):
        timed.run(lambda: workspace.open_session(session_id), lambda: session_screen(workspace, session_id) is not None)
        close_tab(workspace, session_screen(workspace, session_id))
    return timed


def save_reading(window: MainWindow, session_id: int, reading: dict[str, int], runs: int) -> Timed:
    """A reading typed into the vital-signs form and saved, until the grid shows one more line."""
    workspace, timed = window.workspace, Timed()
    workspace.open_session(session_id)
    view = wait_for(lambda: session_screen(workspace, session_id))
    view.show_section("vitals")
    for _ in range(runs):
        panel = view.panels["vitals"]
        for name, value in reading.items():
            panel.form.fields[name].setText(str(value))
        before = len(panel.row_texts())
        timed.run(panel.form.save_button.click, lambda: len(view.panels["vitals"].row_texts()) > before)
    close_tab(workspace, view)
    return timed


def sign_order(window: MainWindow, session_id: int, password: str, into: Timed) -> None:
    """The physician's standard IV order typed and signed with the password, until the screen shows it signed."""
    workspace = window.workspace
    workspace.open_session(session_id)
    view = wait_for(lambda: session_screen(workspace, session_id))
    view.show_section("dose")
    form = view.dose.form
    form.mg_per_kg.setText("0.5")
    form.vial.setCurrentIndex(form.vial.findData("50"))
    form.diluent.setText("100")
    form.duration.setText("40")
    form.sign.password.setText(password)
    into.run(lambda: QTest.keyClick(form.sign.password, Qt.Key.Key_Return),
             lambda: view.detail is not None and view.detail.dose is not None)
    close_tab(workspace, view)


def wait_for(find: Callable[[], object]):
    wait_until(lambda: find() is not None)
    return find()


# --- paperwork and backups ------------------------------------------------------------------------------
class FirstPageWatch:
    """Notices the first preview whose first page has its image (then closes it): works whether the preview is
    a modal `exec()` started inside the call or a dialog opened later by a background operation."""

    def __init__(self) -> None:
        self.seen_at: float | None = None
        self.timer = QTimer()
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._look)

    def _look(self) -> None:
        for widget in QApplication.topLevelWidgets():
            pages = getattr(getattr(widget, "stack", None), "pages", None)
            if widget.isVisible() and pages and getattr(pages[0], "image", None) is not None:
                self.seen_at = time.perf_counter()
                self.timer.stop()
                widget.close()
                return


def preview_first_page(window: MainWindow, show: Callable[[object], object], runs: int) -> Timed:
    """`show(paperwork actions)` asks for a sheet; timed until its preview's first page is drawn."""
    timed = Timed()
    for _ in range(runs):
        watch = FirstPageWatch()
        watch.timer.start()
        timed.run(lambda: show(window.workspace.paperwork), lambda: watch.seen_at is not None)
    return timed


def backup_from_page(page, runs: int) -> Timed:
    """"Back up now" on the Backup and Restore page, until the list shows the new backup."""
    timed = Timed()
    page.show()
    for _ in range(runs):
        before = page.table.rowCount()
        timed.run(page.backup_button.click, lambda: page.table.rowCount() > before)
    return timed

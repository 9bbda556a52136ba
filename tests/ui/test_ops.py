"""Background operations (ui/ops.py) and the change hub (ui/change_hub.py): results and errors come back on the
GUI thread, the widget that started one is disabled meanwhile, what it committed is published with its
initiator, and with the real worker the GUI thread keeps running during a signature and a backup."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton, QWidget

from shiboken6 import Shiboken

from clinic_desktop.domain.enums import VitalsPhase
from clinic_desktop.domain.access import PermissionDenied
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.ui import ops
from clinic_desktop.ui.change_hub import ELSEWHERE, ChangeHub, made_by
from clinic_desktop.ui.change_watcher import ChangeWatcher
from clinic_desktop.ui.form_support import ErrorMap
from tests.conftest import PASSWORD
from tests.services.signing_support import IV_ORDER, NORMAL
from tests.ui.session_support import checked_in


@pytest.fixture
def button(qtbot) -> QPushButton:
    widget = QPushButton("Save")
    qtbot.addWidget(widget)
    return widget


def _visible_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_the_widget_is_disabled_while_the_call_runs_and_the_result_comes_back(button):
    seen = {}

    def call() -> int:
        seen["enabled during"] = button.isEnabled()
        return 42

    ops.Op(button, call).success(lambda result: seen.update(result=result, enabled_after=button.isEnabled())).run()
    assert seen == {"enabled during": False, "result": 42, "enabled_after": True}


def test_a_widget_disabled_before_stays_disabled(button):
    button.setEnabled(False)
    ops.Op(button, lambda: None).run()
    assert not button.isEnabled()


def test_validation_errors_land_beside_their_field_and_refusals_on_the_form(qtbot):
    form = QWidget()
    qtbot.addWidget(form)
    form_error, weight_error = QLabel(form), QLabel(form)
    errors = ErrorMap(form_error)
    errors.add("weight_kg", weight_error)

    def invalid() -> None:
        raise ValidationError("Enter the weight in kg or lb.", "weight_kg")

    ops.Op(form, invalid).errors(errors).run()
    assert errors.shown() == {"weight_kg": "Enter the weight in kg or lb."}

    def refused() -> None:
        raise PermissionDenied("Only a physician may order a dose.")

    ops.Op(form, refused).errors(errors).run()
    assert errors.shown() == {"": "Only a physician may order a dose."}, "cleared when the next one started"


def test_a_refusal_without_a_form_is_a_short_message_and_the_unexpected_is_logged(qtbot, button, caplog):
    def refused() -> None:
        raise PermissionDenied("Only a physician may order a dose.")

    ops.Op(button, refused).run()
    boxes = _visible_boxes()
    assert [b.text() for b in boxes] == ["Only a physician may order a dose."]
    boxes[0].close()

    def broken() -> None:
        raise ZeroDivisionError("a bug")

    ops.Op(button, broken).run()
    boxes = _visible_boxes()
    assert len(boxes) == 1 and boxes[0].text().startswith("Something went wrong")
    assert "ZeroDivisionError" in caplog.text, "the traceback is in the log"
    boxes[0].close()


def test_a_closed_screens_callbacks_are_dropped(qtbot):
    """The screen is closed (deleted) while its call runs: nothing is called on the dead screen."""
    screen = QWidget()
    calls = []

    def close_meanwhile() -> int:
        Shiboken.delete(screen)
        return 1

    ops.Op(screen, close_meanwhile).success(calls.append).run()
    assert calls == []


def test_progress_reaches_the_gui_thread_in_order(worker, qtbot, button):
    shown: list[tuple[int, int, bool]] = []
    gui = threading.get_ident()
    op = ops.Op(button, lambda: [op.report(done, 3) for done in range(1, 4)])
    op.progress(lambda done, total: shown.append((done, total, threading.get_ident() == gui)))
    op.run()
    qtbot.waitUntil(lambda: ops.running() == 0 and len(shown) == 3, timeout=5000)
    assert shown == [(1, 3, True), (2, 3, True), (3, 3, True)]


def test_the_call_runs_on_the_one_worker_and_the_result_on_the_gui_thread(worker, qtbot, button):
    gui = threading.get_ident()
    threads: list[int] = []
    results: list[int] = []
    for n in range(3):
        ops.Op(button, lambda n=n: threads.append(threading.get_ident()) or n).disable() \
            .success(lambda r: results.append((r, threading.get_ident() == gui))).run()
    qtbot.waitUntil(lambda: len(results) == 3, timeout=5000)
    assert results == [(0, True), (1, True), (2, True)], "in the order started, delivered on the GUI thread"
    assert len(set(threads)) == 1 and gui not in threads


def test_a_commit_is_published_with_its_initiator_and_the_poll_leaves_it_out(qtbot, services, staff, db, clock,
                                                                          tmp_path):
    """A reading saved by an operation reaches the hub once, with the screen that saved it; the watcher's next
    look does not announce it again as another workstation's; another workstation's reading is ELSEWHERE."""
    from clinic_desktop.services.registry import Services
    from clinic_desktop.storage.database import open_database
    from tests.conftest import ZONE

    _pid, sid, _ = checked_in(services, staff)
    QApplication.processEvents()  # the set-up's own commits are announced (initiator None) and done with
    screen = QWidget()
    qtbot.addWidget(screen)
    panel = QWidget(screen)
    hub = ChangeHub(services)
    heard: list[tuple[object, object]] = []
    hub.changed.connect(lambda changes, initiator: heard.append((changes, initiator)))
    watcher = ChangeWatcher(hub, services, lambda: staff["nurse"])
    watcher.poll()  # takes the marker

    ops.Op(panel, lambda: services.monitoring.record_vitals(staff["nurse"], sid, VitalsPhase.BASELINE,
                                                            NORMAL)).run()
    assert len(heard) == 1
    changes, initiator = heard[0]
    assert initiator is panel and made_by(screen, initiator) and not made_by(QWidget(), initiator)
    assert changes.object_types == {"vital_signs"} and changes.touches_patient(_pid), changes
    watcher.poll()
    assert len(heard) == 1, "the poll knows it as this workstation's own"

    other_db = open_database(str(db.engine.url), tmp_path / "backups", clock.now())
    try:
        other = Services.build(other_db, clock, ZONE)
        other.monitoring.record_vitals(staff["nurse2"], sid, VitalsPhase.BASELINE, NORMAL)
    finally:
        other_db.close()
    watcher.poll()
    assert len(heard) == 2 and heard[1][1] is ELSEWHERE and heard[1][0].touches_patient(_pid)


def test_the_gui_thread_keeps_running_during_a_real_signature_and_backup(worker, qtbot, services, staff, tmp_path):
    """A 10 ms timer ticks while the worker signs a dose order (Argon2) and writes a backup."""
    _pid, sid, _ = checked_in(services, staff)
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    button = QPushButton()
    qtbot.addWidget(button)
    for call in (lambda: services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD),
                 lambda: services.backups.back_up_now(staff["admin"])):
        started = threading.Event()
        done: list[object] = []

        def slow_start(call=call, started=started):
            started.set()
            return call()

        ticks.clear()
        ops.Op(button, slow_start).success(done.append).failure(done.append).run()
        qtbot.waitUntil(lambda done=done: bool(done), timeout=20_000)
        assert not isinstance(done[0], BaseException), done[0]
        assert started.is_set() and ticks, "the timer fired while the worker was busy"
    timer.stop()


def test_a_closed_windows_hub_stops_listening_quietly(qtbot, services, staff, caplog):
    """The window (and its hub) is gone; the next commit is not disturbed and logs no listener failure."""
    window = QWidget()
    hub = ChangeHub(services, parent=window)
    heard: list[object] = []
    hub.changed.connect(lambda changes, _initiator: heard.append(changes))
    Shiboken.delete(window)
    _pid, sid, _ = checked_in(services, staff)
    assert heard == [] and "A commit listener failed" not in caplog.text

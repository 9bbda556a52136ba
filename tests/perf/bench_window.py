"""The benchmark's in-window part: one QApplication (offscreen), the real worker thread, one clinic; each step's
figures added to the results (a step that fails is reported as not measured, and the others still run)."""

from __future__ import annotations

import tempfile
from typing import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from clinic_desktop.ui import ops
from clinic_desktop.ui.backup_page import BackupPage
from tests.perf import bench_data, bench_gui, bench_services
from tests.perf.bench_report import WORST, Figure, Results, Target

#: The issue's limit on any stall of the GUI thread.
STALL = Target(50, WORST)


def measure(results: Results, bench: bench_data.BenchClinic, runs: int) -> None:
    QApplication.instance() or QApplication([])
    settings = tempfile.TemporaryDirectory(prefix="bench-qsettings-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings.name)
    worker = ops.WorkerThread()
    previous = ops.use_executor(worker)
    services, locations = bench_data.open_clinic(bench)
    try:
        _steps(results, bench, services, locations, runs)
    finally:
        worker.shutdown()
        ops.use_executor(previous)
        services.context.db.close()
        settings.cleanup()


def _step(results: Results, key: str, label: str, measure: Callable[[], object]) -> object:
    try:
        return measure()
    except Exception as exc:  # noqa: BLE001 (a figure not measured says why; the others still run)
        results.add(Figure(key, label, "ms", problem=f"{type(exc).__name__}: {exc}"[:120]))
        return None


def _add(results: Results, key: str, label: str, timed: bench_gui.Timed | None, target: Target | None,
         stall: str | None = None) -> None:
    if timed is None:
        return
    results.add(Figure(key, label, "ms", tuple(timed.ms), target))
    if stall:
        results.add(Figure(f"stall.{key}", f"  longest GUI stall during {stall}", "ms", tuple(timed.stall_ms), STALL,
                           beside="10 ms timer's worst gap"))


def _steps(results: Results, bench, services, locations, runs: int) -> None:
    nurse = bench_data.sign_in(services, bench, "nurse")
    md = bench_data.sign_in(services, bench, "physician")
    admin = bench_data.sign_in(services, bench, "administrator")
    picks = bench_data.picks(services)
    username, password = bench.accounts["physician"]
    made = bench_gui.signed_in_window(services, locations, username, password, 3)
    window, timed = made
    _add(results, "sign_in", "sign in at the sign-in page to the workspace", timed, None, "sign-in")

    timed = _step(results, "keystroke", "keystroke to rows", lambda: bench_gui.keystroke_to_rows(
        window, picks.name_prefixes[:runs]))
    if timed is not None:
        debounce = bench_gui.debounce_ms(window) or 0
        results.add(Figure("keystroke.total", "keystroke to rows shown (name prefix)", "ms", tuple(timed.ms)))
        results.add(Figure("keystroke.debounce", "  of which the list waits for typing to pause", "ms",
                           (float(debounce),), beside="PatientListPanel.DEBOUNCE_MS"))
        results.add(Figure("keystroke", "  keystroke to rows after the pause", "ms",
                           tuple(ms - debounce for ms in timed.ms), Target(50)))
    timed = _step(results, "chart", "open a chart", lambda: bench_gui.open_chart(
        window, picks.long_chart_patient, picks.other_patient, runs))
    _add(results, "chart", f"open a chart ({picks.long_chart_sessions} sessions)", timed, Target(100))
    timed = _step(results, "session", "open a session screen", lambda: bench_gui.open_session_screen(
        window, picks.discharged_session, runs))
    _add(results, "session", "open a session screen (discharged session)", timed, Target(100))

    _pid, today = bench_data.checked_in_today(services, nurse, md, "Benchreading")
    timed = _step(results, "reading", "save a reading", lambda: bench_gui.save_reading(
        window, today, bench_data.NORMAL, runs))
    _add(results, "reading", "save a vital-signs reading and show it", timed, Target(30))

    signing = bench_gui.Timed()
    for n in range(3):
        _pid, sid = bench_data.checked_in_today(services, nurse, md, f"Benchsign{n}")
        if _step(results, "signature", "sign a dose order", lambda s=sid: bench_gui.sign_order(
                window, s, password, signing)) is None and not signing.ms:
            break
    _add(results, "signature", "sign a dose order (password) until shown", signing if signing.ms else None,
         None, "a signature")

    timed = _step(results, "preview", "preview's first page", lambda: bench_gui.preview_first_page(
        window, lambda paperwork: paperwork.infusion_record(picks.discharged_session), max(3, runs // 2)))
    _add(results, "preview", "infusion record: preview's first page shown", timed, Target(500), "a preview")

    before = {e.file_name for e in services.backups.list(admin)}
    page = BackupPage(services, lambda: admin)
    timed = _step(results, "backup.page", "Back up now", lambda: bench_gui.backup_from_page(page, 2))
    _add(results, "backup.page", "Back up now, until the list shows it", timed, None, "a backup")
    page.close()
    for entry in services.backups.list(admin):
        if entry.file_name not in before:
            bench_services.remove_backup(entry.path)

"""The self-test's window step: the real main window, opened offscreen, signed in through its page, the board.

Offscreen always, even on a desktop with a display: a self-test must not flash a window at the person running
it, and on a clinic's server or in CI there is no display at all. Qt's platform comes from the QApplication's
own `-platform` argument, so nothing in the environment of other programs changes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from clinic_desktop.domain.errors import ClinicError

if TYPE_CHECKING:  # self_test imports this module when it runs
    from clinic_desktop.self_test import Run

OFFSCREEN_ARGV = ["clinic-desktop", "-platform", "offscreen"]
#: How long the sign-in (a background operation: the password hash runs on the worker) may take.
SIGN_IN_TIMEOUT_MS = 30_000


def window_step(run: Run) -> str:
    from PySide6.QtCore import QCoreApplication, QSettings, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from clinic_desktop.app import prepare_application
    from clinic_desktop.self_test import NURSE
    from clinic_desktop.ui.main_window import MainWindow

    if QApplication.instance() is None:
        _require_offscreen_plugin()
    previous = (QCoreApplication.organizationName(), QCoreApplication.applicationName(), QSettings.defaultFormat())
    app = prepare_application(OFFSCREEN_ARGV)
    # The window remembers its size and tabs in QSettings: those of this run go to the temporary folder,
    # never over the user's own.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(run.folder / "settings"))
    # The offscreen platform warns about window features it has no use for; the step's line says what matters.
    previous_handler = qInstallMessageHandler(lambda *_message: None)
    window = None
    try:
        window = MainWindow(run.services, run.locations)
        window.show()
        app.processEvents()
        page = window.sign_in_page
        if window.stack.currentWidget() is not page:
            raise ClinicError("the window did not open at the sign-in page")
        page.username.setText(NURSE)
        page.password.setText(run.passwords[NURSE])
        page.sign_in_button.click()
        _wait_for_operations()
        if window.principal is None:
            raise ClinicError(f"signing in failed: {page.error.text() or 'no workspace was shown'}")
        board = window.workspace.front_desk.board if window.workspace else None
        if board is None or window.workspace.tabs.currentWidget() is not board:
            raise ClinicError("after signing in, the nurse's workspace did not show today's board")
        icon = window.windowIcon()
        if icon.isNull() or icon.pixmap(48, 48).isNull():
            raise ClinicError("the window icon is missing (the icon files could not be read)")
        if window.grab().isNull():
            raise ClinicError("the window could not be drawn")
        sessions = len(board.board.entries) if board.board is not None else 0
        shown = f"{sessions} session{'s' if sessions != 1 else ''} today"
        return f"signed in as {NURSE}, board shown ({shown}), window icon present ({app.platformName()})"
    finally:
        if window is not None:
            window.close()
            window.deleteLater()
            app.processEvents()
        qInstallMessageHandler(previous_handler)
        QCoreApplication.setOrganizationName(previous[0])
        QCoreApplication.setApplicationName(previous[1])
        QSettings.setDefaultFormat(previous[2])


def _wait_for_operations() -> None:
    """Run the event loop until every background operation has delivered its result (or the time is up)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from clinic_desktop.ui import ops

    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(10)
    poll.timeout.connect(lambda: ops.running() == 0 and loop.quit())
    QTimer.singleShot(SIGN_IN_TIMEOUT_MS, loop.quit)
    poll.start()
    loop.exec()
    poll.stop()


#: The plug-in that draws windows on this system's desktop, by the start of its file name.
DESKTOP_PLUGIN = {"linux": "libqxcb", "win32": "qwindows", "darwin": "libqcocoa"}


def desktop_step(run: Run) -> str:  # every step is given the run; this one needs no database
    """The window step runs offscreen, so it cannot tell whether the real desktop's plug-in would load: load
    that plug-in's library here, which fails naming the system library it lacks (on Linux, typically one of
    the xcb libraries a minimal system has not installed)."""
    import ctypes
    import sys

    from PySide6.QtCore import QLibraryInfo

    prefix = next((v for k, v in DESKTOP_PLUGIN.items() if sys.platform.startswith(k)), None)
    if prefix is None:
        return f"no desktop plug-in is known for {sys.platform}; not checked"
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    found = [p for p in _listing(folder) if p.name.startswith(prefix) and not p.name.endswith(".debug")]
    if not found:
        raise ClinicError(f"Qt's desktop plug-in {prefix} is missing from {folder}")
    try:
        ctypes.CDLL(str(found[0]))
    except OSError as exc:
        raise ClinicError(f"Qt's desktop plug-in cannot load: {exc}") from None
    return f"{found[0].name} loads"


def _require_offscreen_plugin() -> None:
    """Qt ends the process (it cannot be caught) when the platform plug-in is missing: look for it first, so a
    bundle that lost it fails this step with a reason instead."""
    from PySide6.QtCore import QLibraryInfo

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    if not any(p.name.startswith(("libqoffscreen", "qoffscreen")) for p in _listing(folder)):
        raise ClinicError(f"Qt's offscreen platform plug-in is missing from {folder}")


def _listing(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []

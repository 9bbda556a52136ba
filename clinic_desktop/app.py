"""The composition root: settings -> database (created or migrated) -> services -> main window."""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import TYPE_CHECKING, Callable
from zoneinfo import ZoneInfo

from clinic_desktop.domain.clock import Clock, SystemClock
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.services.registry import Services
from clinic_desktop.settings import Locations, prepare_data_dir, resolve_locations
from clinic_desktop.storage.database import open_database, sqlite_file
from clinic_desktop.storage.file_modes import secure_data_folder

if TYPE_CHECKING:  # Qt loads on first use: the command line's subcommands never need it
    from PySide6.QtCore import QMessageLogContext, QtMsgType
    from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger(__name__)


def clinic_zone() -> ZoneInfo:
    """This computer's IANA time zone (so 09:00 stays 09:00 across daylight-saving changes); UTC if unknown."""
    try:
        from tzlocal import get_localzone

        zone = get_localzone()
        return zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone))
    except Exception:  # noqa: BLE001 (an unusual system setup must not stop the clinic from opening)
        log.warning("Could not determine the local time zone; using UTC")
        return ZoneInfo("UTC")


def open_services(data_dir: str | None, database_url: str | None, clock: Clock | None = None,
                  zone: ZoneInfo | None = None) -> tuple[Services, Locations]:
    """Open (creating or upgrading) the database and build the services over it."""
    locations = resolve_locations(data_dir, database_url)
    prepare_data_dir(locations.data_dir)
    secure_locations(locations)
    clock = clock or SystemClock()
    db = open_database(locations.database_url, locations.backups_dir, clock.now())
    from clinic_desktop.services.clinic_settings import configured_zone

    # Every workstation of a clinic plans in the clinic's zone once it has chosen one (Clinic page).
    return Services.build(db, clock, zone or configured_zone(db) or clinic_zone()), locations


def secure_locations(locations: Locations) -> None:
    """The data folder (made if missing), its backups and logs, and a SQLite database kept elsewhere: readable
    by this user only, repaired with a log line per file (storage/file_modes.py)."""
    database = sqlite_file(locations.database_url)
    files = [database.with_name(database.name + end) for end in ("", "-wal", "-shm")] if database else []
    try:
        secure_data_folder(locations.data_dir, (locations.backups_dir, locations.logs_dir), files)
    except OSError as exc:
        raise ClinicError(f"Cannot use the data folder {locations.data_dir}: {exc.strerror or exc}.") from None


def _unexpected_error_hook(parent: QWidget | None) -> Callable[..., None]:  # sys.excepthook's shape
    """An error nobody expected: logged with its traceback, shown to the user as a sentence naming the log."""
    from clinic_desktop import logs
    from clinic_desktop.ui.error_report import unexpected_error_box

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("Unexpected error", exc_info=(kind, value, tb))
        unexpected_error_box(parent, logs.log_file()).exec()
    return hook


def _forward_qt_messages() -> Callable[..., None] | None:  # the handler it replaced
    """Qt's own warnings (a bad style sheet, a font it cannot load) go to the log rather than to no console."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def forward(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)
    return qInstallMessageHandler(forward)


#: The question asked when the last upgrade of the database did not finish.
RESTORE_QUESTION = "Restore the backup taken before the upgrade?"


def open_for_gui(data_dir: str | None, database_url: str | None, clock: Clock | None = None,
                 parent: QWidget | None = None) -> tuple[Services | None, Locations | None]:
    """open_services, except that a database whose last upgrade did not finish is explained in a dialog that
    offers to restore the copy taken just before it (then the database is opened, upgrading it afresh).
    (None, None) when the user declines; any other opening error is raised for the caller's dialog."""
    from PySide6.QtWidgets import QMessageBox

    from clinic_desktop.storage.database import MigrationInterrupted
    from clinic_desktop.storage.migration_guard import describe, restore_pre_migration

    clock = clock or SystemClock()
    try:
        return open_services(data_dir, database_url, clock)
    except MigrationInterrupted as exc:
        interrupted = exc.interrupted
        if interrupted.backup is None:
            raise
        answer = QMessageBox.question(
            parent, "Clinic Desktop", f"{describe(interrupted, command=False)}\n\n{RESTORE_QUESTION} The "
            "database as the upgrade left it is kept beside it, and the restored one is upgraded again.", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None, None
        aside = restore_pre_migration(interrupted, clock.now())
        log.warning("Restored %s after an unfinished upgrade; the half-upgraded database is kept as %s",
                    interrupted.backup.name, aside.name if aside else "(none)")
        return open_services(data_dir, database_url, clock)


def prepare_application(argv: list[str]) -> QApplication:
    """The Qt application (the running one, if any) with the clinic's names and icon. The desktop file name is
    what links the window to its desktop entry (clinic-desktop.desktop), so docks show its icon and name."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from clinic_desktop.ui.theme import application_icon

    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("Clinic Desktop")
    app.setOrganizationName("clinic_desktop")
    QGuiApplication.setDesktopFileName("clinic-desktop")
    app.setWindowIcon(application_icon())
    return app


def run_gui(data_dir: str | None, database_url: str | None) -> int:
    """Open the main window at its sign-in page (or the first-administrator page on a new database); errors
    opening the database are shown in a dialog, not as a traceback."""
    from PySide6.QtWidgets import QMessageBox

    from clinic_desktop.ui.main_window import MainWindow

    _forward_qt_messages()
    app = prepare_application(sys.argv)
    try:
        services, locations = open_for_gui(data_dir, database_url)
    except ClinicError as exc:
        log.warning("The database could not be opened: %s", exc.message)
        QMessageBox.critical(None, "Clinic Desktop", f"The clinic database could not be opened.\n\n{exc.message}")
        return 1
    if services is None:  # an unfinished upgrade whose copy the user chose not to restore now
        return 1
    from clinic_desktop.services.audit_head import check_at_start

    try:
        check_at_start(services.context)  # logged; an administrator's sign-in shows it in the window
    except ClinicError as exc:
        log.warning("The audit head could not be checked at start: %s", exc.message)
    window = MainWindow(services, locations)
    sys.excepthook = _unexpected_error_hook(window)
    window.show()
    try:
        return app.exec()
    finally:
        try:
            services.backups.automatic.run("exit")
        except Exception:  # closing must not fail because a backup did; the log says why
            log.exception("The automatic backup on exit failed")
        services.context.db.close()

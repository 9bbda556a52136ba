"""Qt fixtures: window settings kept in a temp folder, so tests never touch a real user's layout."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path, qapp):
    QCoreApplication.setOrganizationName("clinic_desktop_tests")
    QCoreApplication.setApplicationName("clinic_desktop_tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield
    QSettings().clear()


@pytest.fixture(autouse=True)
def no_blocking_questions(monkeypatch):
    """A real question box would wait forever offscreen (e.g. when teardown closes a window with a half-typed
    form): unless a test answers it itself, every question is answered "Discard"."""
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)


@pytest.fixture
def other(db, tmp_path, clock, passwords):
    """Another workstation: its own engine and services over the same database file and audit key (this
    window hears of its changes only by looking, as it would in a clinic)."""
    from clinic_desktop.services.registry import Services
    from clinic_desktop.storage.database import open_database
    from tests.conftest import ZONE

    database = open_database(str(db.engine.url), tmp_path / "backups", clock.now())
    yield Services.build(database, clock, ZONE, passwords)
    database.close()


@pytest.fixture
def worker():
    """The real worker thread instead of the inline one (wait for results with qtbot.waitUntil)."""
    from clinic_desktop.ui import ops

    thread = ops.WorkerThread()
    previous = ops.use_executor(thread)
    yield thread
    thread.shutdown()
    ops.use_executor(previous)


@pytest.fixture
def make_window(qtbot, services, tmp_path):
    """A main window over the test database, shown (offscreen) and closed after the test."""
    from clinic_desktop.settings import Locations
    from clinic_desktop.ui.main_window import MainWindow

    def make() -> MainWindow:
        window = MainWindow(services, Locations(tmp_path, str(services.context.db.engine.url)))
        qtbot.addWidget(window)
        window.show()
        return window
    return make

